"""One check, end to end: discover -> resolve -> model -> rules -> result."""

from __future__ import annotations

import gc
import posixpath
from contextlib import contextmanager

from wsgilint import discover as discover_mod
from wsgilint import engine, knowledge, registry, suppress
from wsgilint.findings import Finding
from wsgilint.fsroot import FileSystem, ReadError
from wsgilint.limits import Limits
from wsgilint.model.build import build_apache, build_uwsgi, identify_user_apps, link
from wsgilint.model.types import Deployment, InactiveSite, NotStartedIni, ServiceConfig
from wsgilint.resolve import apache as apache_resolve
from wsgilint.resolve import uwsgi as uwsgi_resolve
from wsgilint.resolve.diagnostics import Diagnostic
from wsgilint.source import SourceFile, Span
from wsgilint.targets import DETECTED, Target, Targets
from wsgilint.record import FACTORY, Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)
if TYPE_CHECKING:
    from typing import Callable


_EngineOptions = engine.EngineOptions


class CheckOptions(Record):
    paths: list[str]
    root: str | None
    cwd: str | None
    defines: dict[str, str]
    targets: Targets  # what the user gave (command line, config); detection fills the rest
    engine: engine.EngineOptions
    ignore_comments: bool  # honour `# wsgilint: ignore[...]` comments (--no-ignore-comments)
    limits: Limits  # size/depth limits (--limit NAME=N)
    progress: Callable[[str], None] | None  # called with each config path read
    # Read versions from the tree (dpkg, rpm, Python metadata)? None: when the tree is a whole
    # root, i.e. with --root or when checking this host's own /etc (no paths).
    detect_versions: bool | None
    # Apps of the user's configuration ([tool.wsgilint.apps.NAME]): name -> knowledge.ServiceProfile.
    apps: dict

    _fields = ('paths', 'root', 'cwd', 'defines', 'targets', 'engine', 'ignore_comments', 'limits', 'progress',
               'detect_versions', 'apps')

    def __init__(self, paths=FACTORY, root=None, cwd=None, defines=FACTORY, targets=FACTORY, engine=FACTORY,
                 ignore_comments=True, limits=FACTORY, progress=None, detect_versions=None, apps=FACTORY) -> None:
        self.paths = [] if paths is FACTORY else paths
        self.root = root
        self.cwd = cwd
        self.defines = {} if defines is FACTORY else defines
        self.targets = Targets() if targets is FACTORY else targets
        self.engine = _EngineOptions() if engine is FACTORY else engine  # the parameter hides the module
        self.ignore_comments = ignore_comments
        self.limits = Limits() if limits is FACTORY else limits
        self.progress = progress
        self.detect_versions = detect_versions
        self.apps = {} if apps is FACTORY else apps


class CheckResult(Record):
    findings: list[Finding]
    files: list[tuple[str, str]]  # (display path, kind)
    model: Deployment
    skipped: list[tuple[str, str]]

    _fields = ('findings', 'files', 'model', 'skipped')

    def __init__(self, findings, files, model, skipped) -> None:
        self.findings = findings
        self.files = files
        self.model = model
        self.skipped = skipped


def _probe_scripts(fs: FileSystem, model: Deployment) -> dict[str, bool]:
    """Does each WSGI script the configs name exist in the tree? Only asked when the tree is a
    whole root; a path whose directory the tree does not hold stays unknown (absent)."""
    paths = {r.script for s in model.apache for r in s.routes if r.kind == "mod_wsgi" and r.script}
    for app in model.uwsgi:
        paths.update(o.value.strip() for o in app.config.options
                     if o.key in ("wsgi-file", "file") and not o.dynamic and o.value.strip().startswith("/"))
    out: dict[str, bool] = {}
    for path in sorted(paths):
        try:
            if fs.is_file(path):
                out[path] = True
            elif fs.is_dir(posixpath.dirname(path)):
                out[path] = False
        except (OSError, ReadError):
            continue
    return out


def _detected_targets(fs: FileSystem) -> dict[str, Target]:
    from wsgilint import versions

    return {comp: Target(comp, d.version, DETECTED, d.source) for comp, d in versions.detect(fs).items()}


class NothingRead(Exception):
    """Nothing at all could be read (exit 2)."""


def run(options: CheckOptions) -> CheckResult:
    """Check one deployment. The cyclic garbage collector is paused meanwhile.

    A check allocates a few objects per directive (parse nodes, resolved directives
    with parent links) and keeps every one of them until the result is dropped, so
    collecting in between frees nothing; yet the collector kept rescanning the growing
    heap: on the 10k-vhost tree it was over half of the resolve time (3.2 s -> 1.4 s).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(options)
    finally:
        if was_enabled:
            gc.enable()


def _run(options: CheckOptions) -> CheckResult:
    fs = FileSystem(options.root, cwd=options.cwd, limits=options.limits)
    fs.on_read = options.progress
    plan = discover_mod.discover(fs, options.paths)
    targets = options.targets
    detect = options.detect_versions
    if detect is None:
        detect = options.root is not None or not options.paths
    if detect:
        targets = targets.merged(_detected_targets(fs))
    model = Deployment(targets=targets, apps=dict(options.apps))
    httpd_version = targets.version("httpd") or knowledge.HTTPD_UNKNOWN_VERSION

    for root in plan.apache_roots:
        with _isolated(fs, model, root):
            defines = dict(_envvars(fs, root))
            defines.update(options.defines)
            cfg = apache_resolve.resolve(fs, root, defines=defines, complete=True, httpd_version=httpd_version)
            server = build_apache(cfg)
            inactive = _inactive_sites(fs, root, cfg)
            model.apache.append(server)
            model.inactive_sites.extend(inactive)
            model.diagnostics.extend(cfg.diagnostics)
    for frag in plan.apache_fragments:
        with _isolated(fs, model, frag):
            cfg = apache_resolve.resolve(fs, frag, defines=dict(options.defines), complete=False,
                                         httpd_version=httpd_version)
            model.apache.append(build_apache(cfg))
            model.diagnostics.extend(cfg.diagnostics)
    _nginx(fs, plan, model)

    configs = []
    not_started = []
    for p in plan.uwsgi_files:
        ns = plan.launch.not_started_for(fs, p) if plan.launch is not None else None
        if ns is not None:
            not_started.append((p, ns))  # its service's launcher does not start it: not an instance
            continue
        with _isolated(fs, model, p):
            launcher = plan.launch.for_ini(fs, p) if plan.launch is not None else None
            configs.append(uwsgi_resolve.resolve(fs, p, launcher=launcher))
    included = {f.path for c in configs for f in c.files if f is not c.source}
    for p, ns in not_started:
        if fs.display(p) not in included:  # an instance that includes it does start it
            with _isolated(fs, model, p):
                _not_started(fs, model, p, ns)
    for cfg in configs:
        if cfg.source is not None and cfg.source.path in included:
            continue  # read as part of the ini that includes it
        with _isolated(fs, model, cfg.path):
            app = build_uwsgi(cfg)
            model.uwsgi.append(app)
            model.diagnostics.extend(cfg.diagnostics)
    model.uwsgi_scanned = bool(plan.uwsgi_files)
    model.service_configs = _service_configs(fs, plan, model)
    identify_user_apps(model)  # the user's [tool.wsgilint.apps.NAME] first: the strongest evidence
    link(model)
    if detect:
        model.present = _probe_scripts(fs, model)

    files: list[tuple[str, str]] = []
    seen = set()
    for server in model.apache:
        for f in server.config.files:
            if f.source.path not in seen:
                seen.add(f.source.path)
                files.append((f.source.path, "apache"))
    for ngx in model.nginx:
        for nf in ngx.config.files:
            if nf.source.path not in seen:
                seen.add(nf.source.path)
                files.append((nf.source.path, "nginx"))
    for app in model.uwsgi:
        for src in app.config.files:
            if src.path not in seen:
                seen.add(src.path)
                files.append((src.path, "uwsgi"))
    for site in model.inactive_sites:
        if site.path not in seen:
            seen.add(site.path)
            files.append((site.path, "apache-inactive"))
    for ns in model.not_started:
        if ns.path not in seen:
            seen.add(ns.path)
            files.append((ns.path, "uwsgi-not-started"))
    for sc in model.service_configs:
        if sc.path not in seen:
            seen.add(sc.path)
            files.append((sc.path, "service"))
    model.files = files
    # A configuration wsgilint crashed on was found (its WSG002 names it): report that, do
    # not say that nothing was found (../shared/hostile/crash-diagnostic-lost).
    if not files and not any(d.code == "internal-error" for d in model.diagnostics):
        reasons = [d.message for d in model.diagnostics if d.code == "file-unreadable"]
        if reasons:
            raise NothingRead(reasons[0])
        if plan.skipped:
            raise NothingRead(f"nothing to check: {plan.skipped[0][0]}: {plan.skipped[0][1]}")
        where = ", ".join(options.paths) if options.paths else "the standard places (/etc/apache2, /etc/httpd, /etc/nginx, /etc/uwsgi)"
        raise NothingRead(f"no Apache, nginx or uWSGI configuration found in {where}")

    # Inline `# wsgilint: ignore[...]` comments are applied here (and unused ones reported).
    findings = suppress.run_rules(registry.all_rules(), model, options.engine,
                                  honour_comments=options.ignore_comments)
    return CheckResult(findings, files, model, [(fs.display(p), why) for p, why in plan.skipped])


def _nginx(fs: FileSystem, plan, model: Deployment) -> None:
    """Resolve nginx.conf trees, then fragments that none of them already read."""
    if not plan.nginx_roots and not plan.nginx_fragments:
        return
    # Imported when there is nginx to read (most deployments have none: start-up).
    from wsgilint.model.build_nginx import build_nginx
    from wsgilint.resolve import nginx as nginx_resolve

    read: set[str] = set()
    for root in plan.nginx_roots:
        with _isolated(fs, model, root):
            cfg = nginx_resolve.resolve(fs, root, complete=True)
            read.update(f.config_path for f in cfg.files)
            model.nginx.append(build_nginx(cfg))
            model.diagnostics.extend(cfg.diagnostics)
    for frag in plan.nginx_fragments:
        if frag in read:
            continue
        # Debian/Red Hat fragments name includes relative to /etc/nginx; elsewhere guess their directory.
        prefix = "/etc/nginx" if frag.startswith("/etc/nginx/") else posixpath.dirname(frag)
        with _isolated(fs, model, frag):
            cfg = nginx_resolve.resolve(fs, frag, complete=False, prefix=prefix)
            model.nginx.append(build_nginx(cfg))
            model.diagnostics.extend(cfg.diagnostics)


@contextmanager
def _isolated(fs: FileSystem, model: Deployment, path: str | None):
    """Read one configuration in isolation: if wsgilint itself crashes on it, that becomes
    an internal-error diagnostic (WSG002) naming the file, and the rest of the deployment
    is still read and checked, as a crashing rule does not stop the other rules."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - isolation is the point
        import traceback  # only when reading a file crashed

        tb = traceback.extract_tb(exc.__traceback__)[-1]
        shown = fs.display(path) if path else "<wsgilint>"
        model.diagnostics.append(Diagnostic(
            "internal-error",
            f"wsgilint crashed while reading {shown}: {type(exc).__name__}: {_one_line(exc)} "
            f"[{tb.filename.rsplit('/', 1)[-1]}:{tb.lineno}]; this file was not checked, the rest of the "
            f"deployment was", path=shown))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("..." if len(text) > 200 else "")


def _service_configs(fs: FileSystem, plan, model: Deployment) -> list[ServiceConfig]:
    """Read each service's own oslo.config file; what cannot be read is a diagnostic, not a config."""
    out = []
    for service, path in plan.service_configs:
        with _isolated(fs, model, path):
            sc = _service_config(fs, model, service, path)
            if sc is not None:
                out.append(sc)
    return out


def _service_config(fs: FileSystem, model: Deployment, service: str, path: str) -> ServiceConfig | None:
    try:
        text, note, _ = fs.read_text(path)
    except ReadError as exc:
        model.diagnostics.append(Diagnostic(exc.code, str(exc), path=fs.display(path)))
        return None
    source = SourceFile(fs.display(path), text, "service")
    from wsgilint.parse import oslo_ini

    parsed = oslo_ini.parse(text, source.path, source, fs.limits)
    if note:
        model.diagnostics.append(Diagnostic("encoding", f"{source.path}: {note}", Span(source, 0, 0)))
    for prob in parsed.problems:
        model.diagnostics.append(Diagnostic(prob.code, f"{prob.message} (oslo.config refuses the file)"
                                            if prob.code == "parse-error" else prob.message,
                                            Span(source, prob.start, prob.end)))
    return ServiceConfig(service, source.path, source, parsed.entries, parsed.sections)


def _envvars(fs: FileSystem, root: str) -> dict[str, str]:
    """Debian's envvars next to apache2.conf: its exports count as Defines (apache2ctl sources it)."""
    if posixpath.basename(root) != "apache2.conf":
        return {}
    path = posixpath.join(posixpath.dirname(root), "envvars")
    try:
        text, _, _ = fs.read_text(path)
    except ReadError:
        return {}
    from wsgilint.limits import budget_of

    return apache_resolve.parse_envvars(text, fs.limits, budget_of(fs))


def _not_started(fs: FileSystem, model: Deployment, path: str, ns) -> None:
    """An ini nothing starts (wsgilint.launch.read: ``LaunchPlan.not_started``): read for the
    finding that says so, not resolved as an instance."""
    from wsgilint.limits import charge_load

    try:
        charge_load(fs, path)
        text, _, _ = fs.read_text(path)
    except ReadError as exc:
        model.diagnostics.append(Diagnostic(exc.code if exc.code == "limit-exceeded" else "file-unreadable",
                                            str(exc), path=fs.display(path)))
        return
    evidence = SourceFile(fs.display(ns.launcher_path), ns.launcher_text, "launcher")
    model.not_started.append(NotStartedIni(fs.display(path), SourceFile(fs.display(path), text, "uwsgi"),
                                           ns.reason, evidence, ns.line))


def _inactive_sites(fs: FileSystem, root: str, cfg) -> list[InactiveSite]:
    """sites-available files that nothing includes (Debian layout): not live."""
    from wsgilint.limits import budget_of, charge_load

    avail = posixpath.join(posixpath.dirname(root), "sites-available")
    if not fs.is_dir(avail):
        return []
    live = set()
    for f in cfg.files:
        try:
            live.add(fs.resolve(f.config_path))
        except ReadError:
            pass
    out = []
    for name in fs.listdir(avail):
        path = posixpath.join(avail, name)
        if not fs.is_file(path):
            continue
        try:
            if fs.resolve(path) in live:
                continue
            charge_load(fs, path)  # a file read is a load of the check (max-files)
            text, _, _ = fs.read_text(path)
        except ReadError as exc:
            if exc.code == "limit-exceeded" and str(exc).endswith("(max-files)"):
                if budget_of(fs).report_once("read:max-files)"):
                    cfg.diagnostics.append(Diagnostic(exc.code, str(exc), path=fs.display(path)))
                break
            cfg.diagnostics.append(Diagnostic("file-unreadable", str(exc), path=fs.display(path)))
            continue
        out.append(InactiveSite(fs.display(path), SourceFile(fs.display(path), text, "apache")))
    return out
