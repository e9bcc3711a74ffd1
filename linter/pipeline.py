"""One check, end to end: discover -> resolve -> model -> rules -> result."""

from __future__ import annotations

import gc
import os
import posixpath
from contextlib import contextmanager

from wsgilint import discover as discover_mod
from wsgilint import engine, knowledge, registry, suppress
from wsgilint.findings import Finding
from wsgilint.fsroot import FileSystem, ReadError
from wsgilint.limits import Limits
from wsgilint.model.build import build_apache, build_uwsgi, identify_user_apps, link
from wsgilint.model.types import Deployment, InactiveSite, NotStartedIni, ServiceConfig, Source
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
    # After the rules (``after_rules``): the user's configuration (wsgilint.config.Config, for its
    # per-file-ignores), a baseline file, display path -> name to report it under, and the
    # directory relative paths are relative to there (default: ``cwd``, else the process's).
    config: object | None
    baseline: str | None
    shown_as: dict[str, str]
    report_cwd: str | None

    _fields = ('paths', 'root', 'cwd', 'defines', 'targets', 'engine', 'ignore_comments', 'limits', 'progress',
               'detect_versions', 'apps', 'config', 'baseline', 'shown_as', 'report_cwd')

    def __init__(self, paths=FACTORY, root=None, cwd=None, defines=FACTORY, targets=FACTORY, engine=FACTORY,
                 ignore_comments=True, limits=FACTORY, progress=None, detect_versions=None, apps=FACTORY,
                 config=None, baseline=None, shown_as=FACTORY, report_cwd=None) -> None:
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
        self.config = config
        self.baseline = baseline
        self.shown_as = {} if shown_as is FACTORY else shown_as
        self.report_cwd = report_cwd


class CheckResult(Record):
    findings: list[Finding]
    model: Deployment
    skipped: list[tuple[str, str]]
    baseline_fixed: int  # baseline entries that matched no finding (fixed since?)

    _fields = ('findings', 'model', 'skipped', 'baseline_fixed')

    def __init__(self, findings, model, skipped, baseline_fixed=0) -> None:
        self.findings = findings
        self.model = model
        self.skipped = skipped
        self.baseline_fixed = baseline_fixed

    @property
    def files(self) -> list[tuple[str, str]]:
        """(display path, kind) of every file read: ``model.sources``."""
        return self.model.files


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
    from wsgilint import inputs  # issue 16 #4-5: a tree holding etc/ is a root; nothing outside the named paths

    note = inputs.imply_root(options)
    if options.root is None and options.paths:  # read only under the named paths (wsgilint.inputs)
        fs = inputs.ScopedFileSystem(options.paths, cwd=options.cwd, limits=options.limits)
    else:
        fs = FileSystem(options.root, cwd=options.cwd, limits=options.limits)
    fs.on_read = options.progress
    plan = discover_mod.discover(fs, options.paths)
    targets = options.targets
    detect = options.detect_versions
    if detect is None:
        detect = options.root is not None or not options.paths
    if detect:
        targets = targets.merged(_detected_targets(fs))
    if plan.kolla and targets.get("openstack") is None:
        targets = targets.merged(_kolla_release(fs, plan))
    model = Deployment(targets=targets, apps=dict(options.apps))
    httpd_version = targets.version("httpd") or knowledge.HTTPD_UNKNOWN_VERSION

    _apache(fs, plan, model, options, httpd_version)
    _nginx(fs, plan, model)
    _uwsgi(fs, plan, model)
    model.uwsgi_scanned = bool(plan.uwsgi_files)
    model.web_units = list(plan.launch.web_units) if plan.launch is not None else []
    model.accounts = plan.launch.accounts if plan.launch is not None else None
    model.service_configs = _service_configs(fs, plan, model)
    kolla_notes = _kolla(fs, plan, model, options, httpd_version) if plan.kolla else None
    identify_user_apps(model)  # the user's [tool.wsgilint.apps.NAME] first: the strongest evidence
    link(model)
    if detect:
        model.present = _probe_scripts(fs, model)

    model.sources = _sources(model)
    inputs.finish(fs, plan, model)  # templates: one finding each; refused outside reads
    files = model.sources
    # A configuration wsgilint crashed on was found (its WSG002 names it): report that, do
    # not say that nothing was found (../shared/hostile/crash-diagnostic-lost).
    if not files and not any(d.code == "internal-error" for d in model.diagnostics):
        reasons = [d.message for d in model.diagnostics if d.code == "file-unreadable"]
        if reasons:
            raise NothingRead(reasons[0])
        if plan.skipped:
            raise NothingRead(f"nothing to check: {fs.display(plan.skipped[0][0])}: {plan.skipped[0][1]}")
        where = ", ".join(options.paths) if options.paths else "the standard places (/etc/apache2, /etc/httpd, /etc/nginx, /etc/uwsgi)"
        raise NothingRead(f"no Apache, nginx or uWSGI configuration found in {where}")

    result = CheckResult([], model, [(fs.display(p), why) for p, why in plan.skipped])
    result.notes = [note] if note else []  # shown on stderr by the CLI (wsgilint.inputs.imply_root)
    ran = _run_rules(model, options)
    if kolla_notes:
        _kolla_related(ran[0], kolla_notes)
    result.findings = after_rules(result, options, ran)
    return result


def _sources(model: Deployment) -> list[Source]:
    """Every file the model was built from, once per path, in report order: Apache, nginx,
    uWSGI, inactive sites, inis nothing starts, service configs."""
    out: list[Source] = []
    seen: set[str] = set()

    def add(path: str, kind: str, source: SourceFile) -> None:
        if path not in seen:
            seen.add(path)
            out.append(Source(path, kind, source))

    for server in model.apache:
        for f in server.config.files:
            add(f.source.path, "apache", f.source)
    for ngx in model.nginx:
        for nf in ngx.config.files:
            add(nf.source.path, "nginx", nf.source)
    for app in model.uwsgi:
        for src in app.config.files:
            add(src.path, "uwsgi", src)
    for site in model.inactive_sites:
        add(site.path, "apache-inactive", site.source)
    for ns in model.not_started:
        add(ns.path, "uwsgi-not-started", ns.source)
    for sc in model.service_configs:
        add(sc.path, "service", sc.source)
    return out


def _run_rules(model: Deployment, options: CheckOptions) -> tuple[list[Finding], list]:
    """Run the selected rules (and, when unused suppressions are reported, the rules a
    suppression comment names: whether it is used must not depend on --select). Findings
    carry each rule's own severity; ``after_rules`` applies the rest."""
    sups = suppress.collect(model) if options.ignore_comments else []
    opts = options.engine
    run = engine.EngineOptions(selected=opts.selected, ignored=opts.ignored)
    if sups and suppress.enabled(opts, suppress.UNUSED_ID):
        named = {rid for s in sups for rid in s.rule_ids}
        if any(not suppress.enabled(opts, rid) for rid in named):
            selected = None if opts.selected is None else set(opts.selected) | named
            run = engine.EngineOptions(selected=selected, ignored=set(opts.ignored) - named)
    return engine.run(registry.all_rules(), model, run), sups


def after_rules(result: CheckResult, options: CheckOptions, ran: tuple[list[Finding], list]) -> list[Finding]:
    """The one post-rule stage: every filter and override of findings, in this order.

    1. inline suppressions (``# wsgilint: ignore[...]``, wsgilint.suppress) drop what they cover;
    2. findings of rules run only to judge a suppression (not selected, or ignored) are dropped;
    3. unused suppressions become WSG009 findings (when WSG009 is selected);
    4. severity overrides (``[tool.wsgilint.severity]``);
    5. ``shown_as`` renames (stdin, --file-path-in-report: the name the user gave);
    6. per-file ignores (``[tool.wsgilint.per-file-ignores]``, ``options.config``);
    7. the baseline (``options.baseline``): findings recorded there are dropped and
       ``result.baseline_fixed`` counts the entries that matched nothing.

    ``pipeline.run`` calls it, so the library and the CLI filter alike (tests/test_post_rules.py).
    """
    findings, sups = ran
    opts = options.engine
    if sups:
        findings = suppress.apply(sups, findings, opts)
    overrides = opts.severity_overrides
    if overrides:
        for f in findings:
            level = overrides.get(f.rule.id)
            if level is not None:
                f.severity = level
    if options.shown_as:
        _rename(findings, result.model, options.shown_as)
    cfg = options.config
    if cfg is not None and cfg.per_file_ignores:
        from wsgilint import config as config_mod

        cwd = options.report_cwd or options.cwd or os.getcwd()
        findings = [f for f in findings if f.rule.id not in
                    config_mod.ignored_by_path(cfg, f.path, cwd=cwd, root=options.root)]
    if options.baseline:
        findings = apply_baseline(result, findings, options)
    return findings


def apply_baseline(result: CheckResult, findings: list[Finding], options: CheckOptions) -> list[Finding]:
    """Step 7 of ``after_rules``: drop the findings ``options.baseline`` records (raises
    baseline.BaselineError for a file that is not a baseline)."""
    from wsgilint import baseline, context

    keys = baseline.load(options.baseline)
    context.annotate(findings)
    cwd = options.report_cwd or options.cwd or os.getcwd()
    findings, result.baseline_fixed = baseline.filter_new(findings, keys, options.baseline, cwd=cwd)
    return findings


def _rename(findings: list[Finding], model: Deployment, shown_as: dict[str, str]) -> None:
    """Findings and sources on a temporary copy are reported under the name the user gave."""
    for f in findings:
        name = shown_as.get(f.path)
        if name is not None:
            f.path = name
    for src in model.sources:
        name = shown_as.get(src.path)
        if name is not None:
            src.path = name


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


def _apache(fs: FileSystem, plan, model: Deployment, options: CheckOptions, httpd_version) -> None:
    """Each Apache root (with its envvars as httpd's environment and its launcher's -D defines) and
    each fragment, resolved and built into ``model.apache``."""
    for root in plan.apache_roots:
        with _isolated(fs, model, root):
            envvars = _envvars(fs, root)  # the environment apache2ctl gives httpd: ${VAR}, never <IfDefine>
            defines = {}
            launched = _launcher_defines(plan, root, envvars)  # -D of httpd's own launcher (issue 14 #1)
            if launched is not None:
                defines.update(launched[0])
            defines.update(options.defines)
            cfg = apache_resolve.resolve(fs, root, defines=defines, complete=True, httpd_version=httpd_version,
                                         server_root=launched[2] if launched is not None else None,
                                         environment=envvars)
            server = build_apache(cfg)
            if launched is not None:
                server.launched_with = launched[1]
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


def _uwsgi(fs: FileSystem, plan, model: Deployment) -> None:
    """Each uWSGI instance (an ini its launcher starts, with its effective options), and the inis
    nothing starts (``model.not_started``); an ini another includes is read as part of it."""
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


def _envvars(fs: FileSystem, root: str) -> dict[str, str]:
    """Debian's envvars next to apache2.conf: its exports are httpd's environment (apache2ctl sources
    it): ``${APACHE_LOG_DIR}`` reads them, ``<IfDefine APACHE_LOG_DIR>`` does not (httpd's
    ap_resolve_env reads Defines, then getenv; <IfDefine> only -D and Define)."""
    if posixpath.basename(root) != "apache2.conf":
        return {}
    path = posixpath.join(posixpath.dirname(root), "envvars")
    try:
        text, _, _ = fs.read_text(path)
    except ReadError:
        return {}
    from wsgilint.limits import budget_of

    return apache_resolve.parse_envvars(text, fs.limits, budget_of(fs))


def _launcher_defines(plan, root: str, envvars: dict[str, str]) -> tuple[dict[str, str], str, str] | None:
    """The -D defines httpd's launcher in the tree gives it for ``root`` (its unit's ExecStart=,
    Debian's apachectl + envvars APACHE_ARGUMENTS: wsgilint.launch.httpd), with where they come from
    and the ServerRoot it starts with."""
    units = [u for u in (plan.launch.web_units if plan.launch is not None else []) if u.server == "apache"]
    if not units and "APACHE_ARGUMENTS" not in envvars:
        return None  # nothing to read: wsgilint.launch.httpd is not imported
    from wsgilint.launch.httpd import launcher_defines

    return launcher_defines(root, units, envvars)


def _kolla_defines(view, cfg) -> dict[str, str]:
    """The -D defines of a kolla container's command when it runs httpd (``apache2 -DFOREGROUND``),
    directly or as the last ``exec`` of a start-up script among its files."""
    from wsgilint.launch import kolla

    words = kolla.command_words(cfg.command)
    if kolla.server_of(words) != "apache" and words and words[0] in view.files:
        try:
            stext, _, _ = view.read_text(words[0])
        except ReadError:
            stext = None
        found = kolla.script_exec(stext) if stext else None
        words = found[0] if found is not None else []
    if kolla.server_of(words) != "apache":
        return {}
    from wsgilint.launch.httpd import command_defines

    return command_defines(words) or {}


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


def _kolla_release(fs: FileSystem, plan) -> dict[str, Target]:
    """The OpenStack release an operator set in kolla-ansible's globals.yml (the directory that
    holds the container directories, /etc/kolla): user configuration, so evidence of the
    release the containers run (their image tag is ``openstack_release``-based)."""
    from wsgilint.launch import kolla

    for top in dict.fromkeys(posixpath.dirname(c) for c in plan.kolla):
        path = posixpath.join(top, kolla.GLOBALS_NAME)
        try:
            if not fs.is_file(path):
                continue
            text, _, _ = fs.read_text(path)
        except (OSError, ReadError):
            continue
        found = kolla.release_setting(text)
        if found is None:
            continue
        value, line = found
        try:
            release = knowledge.normalize_release(value)
        except ValueError:
            plan.skipped.append((path, f"line {line}: openstack_release {value!r} is not a release wsgilint knows; "
                                       f"give --openstack-release"))
            continue
        return {"openstack": Target("openstack", release, DETECTED,
                                    f"{fs.display(path)}:{line} (kolla-ansible openstack_release)")}
    return {}


def _kolla(fs: FileSystem, plan, model: Deployment, options: CheckOptions, httpd_version) -> dict:
    """Each kolla-ansible container (``plan.kolla``) read as it sees its files: a view
    (wsgilint.launch.kolla.ContainerView) in which each config_files dest holds its source, discovered
    and read as a tree of its own; its command is the launcher of the uWSGI ini it names. Returns
    display path -> (container, config.json source, offset of its entry, dest) for the findings."""
    from wsgilint.launch import kolla

    notes: dict = {}
    for cdir in dict.fromkeys(plan.kolla):
        cjson = cdir + "/" + kolla.CONFIG_NAME
        name = posixpath.basename(cdir)
        with _isolated(fs, model, cjson):
            try:
                text, _, _ = fs.read_text(cjson)
            except ReadError as exc:
                plan.skipped.append((cjson, f"kolla container {name} not checked: {exc}"))
                continue
            cfg = kolla.parse(text)
            if cfg.problem is not None:
                plan.skipped.append((cjson, f"line {cfg.line}: {cfg.problem}; kolla_set_configs refuses it and "
                                            f"container {name} does not start; not checked"))
                continue
            copies, problems = kolla.copies(fs, cdir, cfg)
            for entry, why in problems:
                plan.skipped.append((cjson, f"line {text.count(chr(10), 0, entry.offset) + 1}: {why}"))
            files = {dest: src for dest, (src, _e) in copies.items()}
            files[kolla.CONFIG_DIR + "/" + kolla.CONFIG_NAME] = cjson  # the mount, for the launcher's lines
            view = kolla.ContainerView(fs, name, files)
            source = SourceFile(fs.display(cjson), text, "launcher")
            for dest, (src, entry) in copies.items():
                notes[fs.display(src)] = (name, source, entry.offset, dest)
            sub = discover_mod.Plan()
            discover_mod._add_directory(view, sub, "/")
            for p, why in sub.skipped:
                plan.skipped.append((files.get(p, p), why))
            plan.templates.extend((files.get(p, p), k) for p, k in sub.templates)
            launcher = _kolla_launcher(view, cfg, name, text)
            kdefines = ({**_kolla_defines(view, cfg), **options.defines} if sub.apache_roots or sub.apache_fragments
                        else {})
            for path, complete in [(r, True) for r in sub.apache_roots] + [(f, False) for f in sub.apache_fragments]:
                with _isolated(view, model, path):
                    acfg = apache_resolve.resolve(view, path, defines=dict(kdefines), complete=complete,
                                                  httpd_version=httpd_version)
                    model.apache.append(build_apache(acfg))
                    model.apache[-1].container = name
                    model.diagnostics.extend(acfg.diagnostics)
            before = len(model.nginx)
            _nginx(view, sub, model)
            for server in model.nginx[before:]:
                server.container = name
            for ini in sub.uwsgi_files:
                with _isolated(view, model, ini):
                    la = launcher if launcher is not None and ini in {a.value for a in launcher.args
                                                                      if a.kind == "ini"} else None
                    ucfg = uwsgi_resolve.resolve(view, ini, launcher=la)
                    model.uwsgi.append(build_uwsgi(ucfg))
                    model.uwsgi[-1].container = name
                    model.diagnostics.extend(ucfg.diagnostics)
                    model.uwsgi_scanned = True
            for sc in _service_configs(view, sub, model):
                sc.container = name
                model.service_configs.append(sc)
    return notes


def _kolla_launcher(view, cfg, name: str, text: str):
    """The uWSGI launcher of a container's command (``uwsgi INI``, or a start-up script among its
    files whose last ``exec`` runs uwsgi), or None."""
    from wsgilint.launch import kolla

    words = kolla.command_words(cfg.command)
    path, ltext = view.files[kolla.CONFIG_DIR + "/" + kolla.CONFIG_NAME], text  # host config paths: shown as such
    line = text.count("\n", 0, cfg.command_offset) + 1
    where = f"\"command\" in {view.display(path)}:{line}"
    words0 = words[0] if words else ""
    if words and kolla.server_of(words) is None and words0 in view.files:
        try:
            stext, _, _ = view.read_text(words[0])
        except ReadError:
            stext = None
        found = kolla.script_exec(stext) if stext else None
        if found is not None:
            words, line = found
            path, ltext = view.files[words0], stext
            where = f"exec in {view.display(path)}:{line}"
    if kolla.server_of(words) != "uwsgi":
        return None
    return kolla.uwsgi_launcher(name, words, path, ltext, line, where)


def _kolla_related(findings: list[Finding], notes: dict) -> None:
    """Findings in a file a kolla container copies name the container (message and a related
    location: its config.json entry)."""
    from wsgilint.findings import Related

    for f in findings:
        hit = notes.get(f.path)
        if hit is None:
            continue
        name, source, offset, dest = hit
        f.message += f" (kolla container {name}, as {dest})"
        f.related = [*f.related, Related(Span(source, offset, offset), f"kolla container {name} copies this file "
                                                                      f"to {dest}")]
