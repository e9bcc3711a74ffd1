"""Discovery: turn command-line paths (or the standard places) into what to read and how."""

from __future__ import annotations

import posixpath
import re

from wsgilint import knowledge
from wsgilint.fsroot import FileSystem, ReadError
from wsgilint.record import FACTORY, Record

ROOT_NAMES = ("apache2.conf", "httpd.conf", "conf/httpd.conf")
STANDARD_APACHE = ("/etc/apache2", "/etc/httpd")
STANDARD_NGINX = ("/etc/nginx/nginx.conf",)
STANDARD_UWSGI = ("/etc/uwsgi/apps-enabled", "/etc/uwsgi/vassals", "/etc/uwsgi-emperor/vassals", "/etc/uwsgi.d")
MAX_SCAN_FILES = 20000
# Linear sniffing: leading blanks are matched within one line only ([ \t\r\f\v], not \s,
# which crosses newlines: `^\s*` under re.M rescans the rest of a file of blank lines from
# every line start, quadratic: 64 KiB of newlines took 36 s, ../shared/hostile/hang-redos-sniff-
# blank-lines). A blank line before the header changes nothing: the header's own line matches.
# After the nginx keyword the blanks may cross lines (`server\n{`); that run belongs to one
# keyword only, so the scan stays linear. tests/hostile/test_budgets.py measures both.
_UWSGI_SECTION = re.compile(rb"^[ \t\r\f\v]*\[uwsgi\]", re.M)
_NGINX_HINT = re.compile(rb"^[ \t\r\f\v]*(server|http|location|upstream|events)\s*\{", re.M)


class UsageError(Exception):
    """A command-line path problem: exit 2 with this one-line message."""


class Plan(Record):
    apache_roots: list[str]  # config paths of root configs
    apache_fragments: list[str]
    uwsgi_files: list[str]
    nginx_roots: list[str]  # nginx.conf files (relative includes: their dir)
    nginx_fragments: list[str]  # server{}/location{} files read alone
    skipped: list[tuple[str, str]]  # (config path, why)
    service_configs: list[tuple[str, str]]  # (service, config path): oslo ini
    launch: object  # wsgilint.launch.read.LaunchPlan: how each uWSGI ini is started (None: not read)
    templates: list[tuple[str, object]]  # (config path, wsgilint.inputs.Kind): not rendered, not parsed
    dockerfiles: list[tuple[str, str]]  # (Dockerfile/Containerfile, the checked directory): launchers
    kolla: list[str]  # kolla-ansible container directories (/etc/kolla/<container>): wsgilint.launch.kolla

    def __init__(self, apache_roots=FACTORY, apache_fragments=FACTORY, uwsgi_files=FACTORY, nginx_roots=FACTORY,
                 nginx_fragments=FACTORY, skipped=FACTORY, service_configs=FACTORY, launch=None,
                 templates=FACTORY, dockerfiles=FACTORY, kolla=FACTORY) -> None:
        self.launch = launch
        self.kolla = [] if kolla is FACTORY else kolla
        self.dockerfiles = [] if dockerfiles is FACTORY else dockerfiles
        self.apache_roots = [] if apache_roots is FACTORY else apache_roots
        self.apache_fragments = [] if apache_fragments is FACTORY else apache_fragments
        self.uwsgi_files = [] if uwsgi_files is FACTORY else uwsgi_files
        self.nginx_roots = [] if nginx_roots is FACTORY else nginx_roots
        self.nginx_fragments = [] if nginx_fragments is FACTORY else nginx_fragments
        self.skipped = [] if skipped is FACTORY else skipped
        self.service_configs = [] if service_configs is FACTORY else service_configs
        self.templates = [] if templates is FACTORY else templates


def _find_root(fs: FileSystem, directory: str) -> str | None:
    for name in ROOT_NAMES:
        cand = posixpath.join(directory, name)
        if fs.is_file(cand):
            return cand
    return None


def _sniff(fs: FileSystem, path: str, plan: Plan | None = None, named: bool = False) -> str:
    """Classify one file (wsgilint.inputs.classify): 'uwsgi', 'apache', 'nginx', 'template',
    'launcher' or '' (not a configuration; with ``plan``, the reason goes to plan.skipped).

    Reading a file to classify it is a file load of the check (max-files): once the budget
    is spent nothing more is opened ('' = skipped). A file classified here is not charged
    again when a resolver loads it (Budget.prepaid). A template (Jinja, ERB, Helm) is added to
    ``plan.templates`` and never parsed.
    """
    from wsgilint.limits import budget_of

    budget = budget_of(fs)
    try:
        fs.charge_load(path)
    except ReadError:
        return ""
    budget.prepaid.add(path)
    try:
        head = fs.read_bytes(path)[:65536]
    except ReadError:
        return "apache" if not path.endswith(".ini") else "uwsgi"
    from wsgilint.inputs import classify

    kind = classify(path, head, named=named)
    if kind.kind == "template":
        if plan is None:
            return ""
        plan.templates.append((path, kind))
    elif kind.why and plan is not None:
        plan.skipped.append((path, kind.why))
    if kind.kind == "launcher":
        return ""
    return kind.kind


# Templates of a server config met in a directory scan (kolla-ansible's wsgi-keystone.conf.j2,
# puppet's *.ini.erb, Helm's _uwsgi.ini.tpl): classified, reported once each, never parsed.
_TEMPLATE_CONFIG_SUFFIXES = tuple(f"{k}{t}" for k in (".conf", ".ini") for t in (".j2", ".erb", ".tpl"))


def _walk(fs: FileSystem, top: str, limit: int = MAX_SCAN_FILES):
    """Files under ``top`` (sorted, not following directory symlinks out of the walk)."""
    seen = set()
    stack = [top]
    count = 0
    while stack:
        d = stack.pop()
        try:
            real = fs.resolve(d)
        except ReadError:
            continue
        if real in seen:
            continue
        seen.add(real)
        subdirs = []
        prefix = d if d.endswith("/") else d + "/"  # posixpath.join(d, name) for a plain name
        for name, kind in fs.scan(d):
            p = prefix + name
            if kind == "dir":
                subdirs.append(p)
            elif kind in ("file", "link-file"):
                count += 1
                if count > limit:
                    return
                yield p
        stack.extend(reversed(subdirs))


def _add_directory(fs: FileSystem, plan: Plan, directory: str) -> None:
    checked = directory
    files = _kolla(fs, plan, list(_walk(fs, directory)))
    roots = []
    apache_dirs: list[str] = []
    for path in files:
        if not path.endswith(("/apache2.conf", "/httpd.conf")):  # one C call per file, not basename()
            continue
        base = posixpath.basename(path)
        tree = posixpath.dirname(path)
        if base == "httpd.conf" and posixpath.basename(tree) == "conf":
            tree = posixpath.dirname(tree)  # Red Hat: /etc/httpd/conf/httpd.conf
        if any(tree == a or tree.startswith(a + "/") for a in apache_dirs):
            continue
        roots.append(path)
        apache_dirs.append(tree)
    plan.apache_roots.extend(roots)
    nginx_dirs: list[str] = []
    for path in files:
        if path.endswith("/nginx.conf") and path not in roots:
            tree = posixpath.dirname(path)
            if not any(tree == a or tree.startswith(a + "/") for a in apache_dirs + nginx_dirs):
                plan.nginx_roots.append(path)
                nginx_dirs.append(tree)
    taken = set(roots) | set(plan.nginx_roots)
    # Prefix tuples for str.startswith: one C call per file (a 10k-file tree: 3x faster loop).
    nginx_prefixes = tuple(a.rstrip("/") + "/" for a in nginx_dirs)
    apache_prefixes = tuple(a.rstrip("/") + "/" for a in apache_dirs)
    services = knowledge.SERVICES
    for path in files:
        if path in taken:
            continue
        if "ocker" in path or "ontainer" in path:  # Dockerfile, Containerfile, x.Dockerfile: launchers
            if _is_dockerfile(path[path.rfind("/") + 1:]):
                plan.dockerfiles.append((path, checked))
                continue
        directory = path[:path.rfind("/")]
        if directory[directory.rfind("/") + 1:] in services:  # cheap pre-check for service_of_config
            svc = knowledge.service_of_config(path)
            if svc is not None and _looks_oslo(fs, path):  # <dir>/<service>/<service>.conf: oslo.config ini
                plan.service_configs.append((svc, path))
                continue
        if path.endswith(".ini") or path.endswith(_TEMPLATE_CONFIG_SUFFIXES):
            kind = _sniff(fs, path, plan)
            if kind == "uwsgi":
                plan.uwsgi_files.append(path)
            continue
        if nginx_prefixes and path.startswith(nginx_prefixes):
            continue  # reached (or not) through nginx.conf's includes
        if apache_prefixes and path.startswith(apache_prefixes):
            continue  # reached (or not) through the root config's includes
        if "/tmpfiles.d/" in path:
            continue  # boot directories, read by wsgilint.launch.read, not a server configuration
        if path.endswith((".conf", ".template")) or "/sites-" in path or "/conf.d/" in path:
            kind = _sniff(fs, path, plan)
            if kind == "apache":
                plan.apache_fragments.append(path)
            elif kind == "nginx":
                plan.nginx_fragments.append(path)


def discover(fs: FileSystem, paths: list[str]) -> Plan:
    """Work out what to read. Raises UsageError when a named path does not exist."""
    plan = Plan()
    if not paths:
        for d in STANDARD_APACHE:
            if fs.is_dir(d):
                root = _find_root(fs, d)
                if root:
                    plan.apache_roots.append(root)
        plan.nginx_roots.extend(p for p in STANDARD_NGINX if fs.is_file(p))
        for d in STANDARD_UWSGI:
            if fs.is_dir(d):
                for p in _walk(fs, d):
                    if p.endswith(".ini") and _sniff(fs, p) == "uwsgi":
                        plan.uwsgi_files.append(p)
        # *uwsgi*.ini under /etc/<service>/ (glance-api-uwsgi.ini, keystone-uwsgi-public.ini, ...)
        for name in fs.listdir("/etc"):
            d = posixpath.join("/etc", name)
            if name in ("uwsgi", "apache2", "httpd") or not fs.is_dir(d):
                continue
            for p in _walk(fs, d, limit=2000):
                base = posixpath.basename(p)
                if "uwsgi" in base and base.endswith(".ini") and _sniff(fs, p) == "uwsgi":
                    plan.uwsgi_files.append(p)
        # each known service's own config (/etc/nova/nova.conf, /etc/glance/glance-api.conf, ...)
        for svc in knowledge.SERVICES:
            for name in knowledge.service_config_names(svc):
                p = posixpath.join("/etc", svc, name)
                if fs.is_file(p) and _looks_oslo(fs, p):
                    plan.service_configs.append((svc, p))
        if fs.is_dir("/etc/kolla"):  # kolla-ansible's per-container configs
            _kolla(fs, plan, list(_walk(fs, "/etc/kolla")))
            inside = tuple(d + "/" for d in plan.kolla)  # their files are read in their container's view only
            plan.uwsgi_files = [p for p in plan.uwsgi_files if not p.startswith(inside)]
        _launchers(fs, plan)
        if fs.root is not None:  # a repository given as the root: its top-level Dockerfiles
            plan.dockerfiles.extend(("/" + n, "/") for n in fs.listdir("/") if _is_dockerfile(n) and fs.is_file("/" + n))
            if plan.dockerfiles:
                _containers(fs, plan)
        return _dedupe(plan)
    for given in paths:
        path = _to_config_path(fs, given)
        if fs.is_dir(path):
            _add_directory(fs, plan, path)
        elif fs.is_file(path):
            base = posixpath.basename(path)
            if _is_dockerfile(base):
                plan.dockerfiles.append((path, posixpath.dirname(path)))
                continue
            svc = knowledge.service_of_config(path) or _service_by_name(base)
            if svc is not None and _looks_oslo(fs, path):
                plan.service_configs.append((svc, path))
                continue
            kind = _sniff(fs, path, plan, named=True)
            if kind in ("template", ""):
                continue  # a template (plan.templates) or not a configuration (plan.skipped says why)
            if kind == "uwsgi":
                plan.uwsgi_files.append(path)
            elif base in ("apache2.conf", "httpd.conf"):
                plan.apache_roots.append(path)
            elif base == "nginx.conf":
                plan.nginx_roots.append(path)
            elif kind == "nginx":
                plan.nginx_fragments.append(path)
            else:
                plan.apache_fragments.append(path)
        elif fs.exists(path):
            raise UsageError(f"{given}: not a regular file or directory")
        else:
            raise UsageError(f"{given}: no such file or directory")
    if fs.root is not None:
        _launchers(fs, plan)
    if plan.dockerfiles:
        _containers(fs, plan)
    return _dedupe(plan)


def _is_dockerfile(name: str) -> bool:
    low = name.lower()  # as wsgilint.launch.docker.is_dockerfile, without importing it
    return (low in ("dockerfile", "containerfile") or low.endswith((".dockerfile", ".containerfile"))
            or low.startswith(("dockerfile.", "containerfile.")))


def _containers(fs: FileSystem, plan: Plan) -> None:
    """Read the Dockerfiles/Containerfiles found in the checked directories as launchers
    (wsgilint.launch.containers.read_containers): the inis their image's command starts."""
    from wsgilint.launch.containers import read_containers  # only for a tree with Dockerfiles
    from wsgilint.launch.read import LaunchPlan

    launch = plan.launch if plan.launch is not None else LaunchPlan()
    before = len(launch.inis)
    try:
        read_containers(fs, launch, plan.dockerfiles)
    except Exception as exc:  # noqa: BLE001 - a Dockerfile wsgilint cannot read must not stop the check
        plan.skipped.append((plan.dockerfiles[0][0], f"Dockerfile not read as a launcher (wsgilint crashed: "
                                                     f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]})"))
        return
    if len(launch.inis) == before:
        return
    plan.launch = launch
    plan.uwsgi_files.extend(launch.inis[before:])


# Where launchers live (wsgilint.launch.read): systemd unit dirs, init scripts (Debian's uwsgi,
# openstack-pkg-tools'), Emperor configs.
_LAUNCH_HINTS = ("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system", "/run/systemd/system",
                 "/etc/init.d", "/etc/uwsgi.ini", "/etc/uwsgi-emperor/emperor.ini")


def _launchers(fs: FileSystem, plan: Plan) -> None:
    """Read how uWSGI instances are started (systemd units, Debian's init script) when the tree
    is a whole root (--root, or this host): add the inis they start, and drop the files they load
    before an instance's ini (Debian's default.ini) from the instances."""
    if not any(fs.exists(p) for p in _LAUNCH_HINTS):
        return
    from wsgilint.launch.read import read_launchers  # only for a tree that has launchers

    try:
        launch = read_launchers(fs)
    except Exception as exc:  # noqa: BLE001 - a launcher wsgilint cannot read must not stop the check
        plan.skipped.append(("/etc/systemd", f"launchers not read (wsgilint crashed: {type(exc).__name__}: "
                                             f"{' '.join(str(exc).split())[:200]}); inis checked alone"))
        return
    if not launch.launchers and not launch.not_started and not launch.web_units:
        return
    plan.launch = launch
    plan.uwsgi_files.extend(launch.inis)
    launched = {}  # resolved path -> the path its launcher names (apps-enabled/x.ini, not apps-available/x.ini)
    for ini in launch.inis:
        try:
            launched.setdefault(fs.resolve(ini), ini)
        except ReadError:
            pass
    keep = []
    for p in plan.uwsgi_files:
        try:
            real = fs.resolve(p)
        except ReadError:
            keep.append(p)
            continue
        if real in launch.inherited or launched.get(real, p) != p:
            continue  # loaded by an instance, or the same file as a launched instance
        keep.append(p)
    plan.uwsgi_files = keep


def _kolla(fs: FileSystem, plan: Plan, files: list[str]) -> list[str]:
    """kolla-ansible container directories among ``files`` (a <dir>/config.json with a "command"):
    added to ``plan.kolla``, each checked as its container sees it (wsgilint.launch.kolla); their
    files are dropped from the plain scan (returned: the rest)."""
    dirs = []
    for path in files:
        if not path.endswith("/config.json"):
            continue
        try:
            fs.charge_load(path)
            head = fs.read_bytes(path)[:4096]
        except ReadError:
            continue
        if head.lstrip()[:1] == b"{" and b'"command"' in head:  # wsgilint.launch.kolla.looks_like
            dirs.append(path[:-len("/config.json")])
    if not dirs:
        return files
    plan.kolla.extend(dirs)
    prefixes = tuple(d + "/" for d in dirs)
    return [p for p in files if not p.startswith(prefixes)]


_OSLO_FIRST = re.compile(rb"\A(?:[ \t]*(?:[#;][^\n]*)?\r?\n)*\[[^\]\n]+\][ \t]*\r?$", re.M)


def _looks_oslo(fs: FileSystem, path: str) -> bool:
    """An oslo.config file: its first line that is neither blank nor a comment is a ``[section]``.

    Keeps an Apache vhost that happens to be called keystone.conf out of the service configs.
    """
    try:
        head = fs.read_bytes(path)[:65536]
    except ReadError:
        return False
    return _OSLO_FIRST.match(head) is not None


def _service_by_name(base: str) -> str | None:
    """A service config named on the command line by its file name alone (nova.conf, glance-api.conf)."""
    for svc in knowledge.SERVICES:
        if base in knowledge.service_config_names(svc):
            return svc
    return None


def _to_config_path(fs: FileSystem, given: str) -> str:
    """A path on the command line: a host path, or (with --root) a path inside the root."""
    import os

    host = os.path.abspath(os.path.join(fs.cwd, given))
    if fs.root is None:
        return host
    if host == fs.root or host.startswith(fs.root + "/"):
        return fs.to_config_path(given)
    if given.startswith("/"):
        return given  # a config path, resolved inside the root
    raise UsageError(f"{given}: outside the root {fs.root}")


def _dedupe(plan: Plan) -> Plan:
    def uniq(xs):
        seen = set()
        out = []
        for x in xs:
            if x not in seen:
                seen.add(x)
                out.append(x)
        return out

    plan.apache_roots = uniq(plan.apache_roots)
    plan.apache_fragments = uniq(plan.apache_fragments)
    plan.uwsgi_files = uniq(plan.uwsgi_files)
    plan.nginx_roots = uniq(plan.nginx_roots)
    plan.nginx_fragments = uniq(plan.nginx_fragments)
    plan.service_configs = uniq(plan.service_configs)
    return plan
