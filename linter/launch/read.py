"""Find and read the launchers of uWSGI instances, read-only, through the FileSystem (inside --root).

- Debian's uwsgi package (evidence: its init script /etc/init.d/uwsgi): every ini under
  /etc/uwsgi/apps-enabled is started by /usr/share/uwsgi/init/specific_daemon as
  ``UWSGI_DEB_CONFNAMESPACE=app UWSGI_DEB_CONFNAME=NAME uwsgi --ini $INHERITED_CONFIG --ini FILE
  --daemonize /var/log/uwsgi/app/NAME.log`` (INHERITED_CONFIG from /etc/default/uwsgi) and stopped
  with ``start-stop-daemon --stop --retry=QUIT/30/KILL/5``.
- systemd units (/etc/systemd/system over /run/systemd/system over /usr/lib/systemd/system over
  /lib/systemd/system) whose ExecStart runs uwsgi, with their drop-ins (``NAME.d/*.conf``, for an
  instance also ``TEMPLATE@.service.d/``), templates instantiated through ``*.wants/`` links.
- openstack-pkg-tools init scripts (Debian's OpenStack packages: /etc/init.d/glance-api, ...): the
  ``UWSGI_PORT``/``UWSGI_INI_PATH``/``UWSGI_INI_APP`` lines of the script's head decide whether the
  service runs under uWSGI (``--http-socket :PORT --ini INI``) or as its own daemon; an ini the
  script names only in a commented line is started by nothing (``LaunchPlan.not_started``).
"""

from __future__ import annotations

import posixpath

from wsgilint.fsroot import FileSystem, ReadError
from wsgilint.launch import unit as unit_mod
from wsgilint.launch.types import Accounts, Arg, Launcher, NotStarted, WebUnit
from wsgilint.record import FACTORY, Record

DEBIAN_INIT = "/etc/init.d/uwsgi"
DEBIAN_DEFAULTS = "/etc/default/uwsgi"
DEBIAN_HELPER = "/usr/share/uwsgi/init/specific_daemon"
DEBIAN_APPS = "/etc/uwsgi/apps-enabled"
# Debian uwsgi 2.0.21-5.1 (bookworm), /etc/init.d/uwsgi: UWSGI_DEFAULT_CONFNAMESPACE=app; the
# namespace of apps-enabled/NAME.ini is "app" (extract_confnamespace in /usr/share/uwsgi/init/snippets).
DEBIAN_NAMESPACE = "app"
# Debian uwsgi 2.0.21-5.1, /usr/share/uwsgi/init/specific_daemon do_stop_specific_daemon:
# `start-stop-daemon --stop --retry=QUIT/30/KILL/5`; read from the file when the tree has it.
DEBIAN_STOP_SIGNAL = "SIGQUIT"
# systemd.kill(5): KillSignal= defaults to SIGTERM
# (https://www.freedesktop.org/software/systemd/man/latest/systemd.kill.html).
SYSTEMD_DEFAULT_KILL_SIGNAL = "SIGTERM"
UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system")
MAX_UNITS = 4000
_CONF_TYPES = (".ini",)  # what wsgilint reads; Debian's script also starts json/xml/yaml/sqlite


class LaunchPlan(Record):
    """Launchers found in the tree: by the resolved path of the ini each one starts."""

    launchers: dict[str, Launcher]
    inis: list[str]  # config paths of the inis launchers start (to read as instances)
    inherited: set[str]  # resolved paths of files loaded before an instance's ini (not instances)
    emperors: list[tuple[Launcher, str | None]]  # (launcher, its ini or None): instances that may be Emperors
    # resolved ini path -> NotStarted: inis whose service's own launcher does not start them (and
    # no other launcher in the tree does)
    not_started: dict[str, "NotStarted"]
    # RuntimeDirectory= of every unit read (uWSGI's or not): (path under /run, where)
    unit_runtime_dirs: list[tuple[str, str]]
    # DefaultEnvironment= of the service manager (system.conf): every unit's environment starts with it
    manager_environment: dict[str, str]
    # systemd units of the web servers in the tree (read_web_units): PrivateTmp=, User=, masks
    web_units: list[WebUnit]
    # /etc/passwd and /etc/group of the tree (None: neither file in it)
    accounts: "Accounts | None"

    def __init__(self, launchers=FACTORY, inis=FACTORY, inherited=FACTORY, emperors=FACTORY,
                 not_started=FACTORY, unit_runtime_dirs=FACTORY, manager_environment=FACTORY,
                 web_units=FACTORY, accounts=None) -> None:
        self.launchers = {} if launchers is FACTORY else launchers
        self.inis = [] if inis is FACTORY else inis
        self.inherited = set() if inherited is FACTORY else inherited
        self.emperors = [] if emperors is FACTORY else emperors
        self.not_started = {} if not_started is FACTORY else not_started
        self.unit_runtime_dirs = [] if unit_runtime_dirs is FACTORY else unit_runtime_dirs
        self.manager_environment = {} if manager_environment is FACTORY else manager_environment
        self.web_units = [] if web_units is FACTORY else web_units
        self.accounts = accounts

    def not_started_for(self, fs: FileSystem, config_path: str) -> "NotStarted | None":
        if not self.not_started:
            return None
        try:
            return self.not_started.get(fs.resolve(config_path))
        except ReadError:
            return None

    def for_ini(self, fs: FileSystem, config_path: str) -> Launcher | None:
        if not self.launchers:
            return None
        try:
            return self.launchers.get(fs.resolve(config_path))
        except ReadError:
            return None


def read_launchers(fs: FileSystem) -> LaunchPlan:
    plan = LaunchPlan()
    _systemd(fs, plan)
    _debian(fs, plan)  # a unit naming the same ini wins (it is what runs it)
    candidates = _openstack_init(fs, plan)
    _emperors(fs, plan)
    for real, ns in candidates.items():  # started by nothing: unless another launcher starts it
        if real not in plan.launchers and real not in plan.inherited:
            plan.not_started[real] = ns
    _boot_dirs(fs, plan)
    plan.web_units = read_web_units(fs)
    plan.accounts = read_accounts(fs)
    return plan


PASSWD, GROUP = "/etc/passwd", "/etc/group"
MAX_ACCOUNT_LINES = 20000


def read_accounts(fs: FileSystem) -> Accounts | None:
    """/etc/passwd (name:pw:uid:gid:...) and /etc/group (name:pw:gid:member,member) of the tree,
    passwd(5) and group(5). Malformed lines are skipped."""
    passwd, group = _text(fs, PASSWD), _text(fs, GROUP)
    if passwd is None and group is None:
        return None
    acc = Accounts(has_groups=group is not None, where=fs.display(GROUP if group is not None else PASSWD))
    for line in (passwd or "").split("\n")[:MAX_ACCOUNT_LINES]:
        f = line.strip().split(":")
        if len(f) >= 4 and f[0] and not f[0].startswith(("#", "+", "-")):
            acc.users.setdefault(f[0], (f[2], f[3]))
    for line in (group or "").split("\n")[:MAX_ACCOUNT_LINES]:
        f = line.strip().split(":")
        if len(f) >= 3 and f[0] and not f[0].startswith(("#", "+", "-")):
            members = [m.strip() for m in (f[3] if len(f) > 3 else "").split(",") if m.strip()]
            acc.groups.setdefault(f[0], (f[2], members))
    return acc


def _text(fs: FileSystem, path: str) -> str | None:
    try:
        text, _note, _bom = fs.read_text(path)
    except ReadError:
        return None
    return text


def _add(fs: FileSystem, plan: LaunchPlan, ini: str, launcher: Launcher) -> None:
    try:
        real = fs.resolve(ini)
    except ReadError:
        return
    if real in plan.launchers or not fs.is_file(ini):
        return
    plan.launchers[real] = launcher
    plan.inis.append(ini)
    for inherited in launcher.inherited:
        try:
            plan.inherited.add(fs.resolve(inherited))
        except ReadError:
            pass


def _line_of(text: str, needle: str) -> int:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else 0


# -- Debian ----------------------------------------------------------------------------
def _debian(fs: FileSystem, plan: LaunchPlan) -> None:
    init = _text(fs, DEBIAN_INIT)
    if init is None or "UWSGI_APPS_CONFDIR_SUFFIX" not in init or not fs.is_dir(DEBIAN_APPS):
        return
    defaults = _text(fs, DEBIAN_DEFAULTS)
    inherited, inherited_line = None, 0
    if defaults is not None:
        inherited, inherited_line = unit_mod.shell_assignments(defaults).get("INHERITED_CONFIG", (None, 0))
    helper = _text(fs, DEBIAN_HELPER)
    path, text = (DEBIAN_HELPER, helper) if helper is not None else (DEBIAN_INIT, init)
    stop, stop_source = DEBIAN_STOP_SIGNAL, (f"{fs.display(DEBIAN_INIT)} (Debian's uwsgi package stops each "
                                            f"instance with start-stop-daemon --retry=QUIT/30/KILL/5)")
    if helper is not None:
        import re

        m = re.search(r"--stop[^\n]*\n?[^\n]*--retry[= ]([A-Z0-9]+)/", helper)
        if m:
            stop = unit_mod.signal_name(m.group(1)) or stop
            stop_source = f"{fs.display(DEBIAN_HELPER)}:{_line_of(helper, m.group(0).splitlines()[-1].strip())}"
    exported: dict[str, str] = {}
    if defaults is not None:
        import re

        values = unit_mod.shell_assignments(defaults)
        for m in re.finditer(r"(?m)^[ \t]*export[ \t]+([A-Za-z_][A-Za-z0-9_]*)", defaults):
            if m.group(1) in values:
                exported[m.group(1)] = values[m.group(1)][0]
    names = []
    for name, kind in fs.scan(DEBIAN_APPS):
        if kind in ("file", "link-file") and name.endswith(_CONF_TYPES):
            names.append(name)
    for name in sorted(names):
        ini = posixpath.join(DEBIAN_APPS, name)
        confname = name.rsplit(".", 1)[0]
        args = []
        if inherited:
            args.append(Arg("ini", "ini", inherited, _line_of(text, '--"${INHERITED_OPTION_NAME}"')))
        args.append(Arg("ini", "ini", ini, _line_of(text, '--"${CONFFILE_OPTION_NAME}"'), main=True))
        args.append(Arg("opt", "daemonize", f"/var/log/uwsgi/{DEBIAN_NAMESPACE}/{confname}.log",
                        _line_of(text, "--daemonize")))
        # Environment order as uWSGI sees it from bash's `A=x B=y command` (measured).
        env_line = _line_of(text, "UWSGI_DEB_CONFNAME=")
        env = [("deb-confname", confname, env_line),
               ("deb-confnamespace", DEBIAN_NAMESPACE, _line_of(text, "UWSGI_DEB_CONFNAMESPACE="))]
        where = f" (INHERITED_CONFIG={inherited} in {fs.display(DEBIAN_DEFAULTS)}:{inherited_line})" if inherited else ""
        # specific_daemon (2.0.21-5.1) do_start_specific_daemon: `install -d ... "$SPECIFIC_RUNDIR"`,
        # /run/uwsgi/app/NAME (find_specific_rundir in /usr/share/uwsgi/init/snippets).
        made = f"/run/uwsgi/{DEBIAN_NAMESPACE}/{confname}"
        created = [(made, f"{fs.display(path)}:{_line_of(text, 'install -d')} creates it at each start")
                   if helper is not None and "install -d" in text else
                   (made, "Debian's uwsgi init script creates it at each start (specific_daemon: install -d)")]
        # uWSGI's environment: the script's own (how it is started decides it: systemd's generated
        # unit, `service`, a shell), what /etc/default/uwsgi exports (it is sourced with `.`: plain
        # assignments stay shell variables), and the two UWSGI_DEB_* variables (specific_daemon).
        # Not complete: WSG124 stays quiet for this launcher.
        environment = dict(exported)
        environment.update({"UWSGI_DEB_CONFNAMESPACE": DEBIAN_NAMESPACE, "UWSGI_DEB_CONFNAME": confname})
        _add(fs, plan, ini, Launcher(
            "debian-init", f"Debian's uwsgi init script{where}", path, text, env=env, args=args,
            stop_signal=stop, stop_source=stop_source, created_dirs=created, environment=environment,
            environment_complete=False))


# -- systemd ---------------------------------------------------------------------------
# systemd-system.conf(5): DefaultEnvironment= of [Manager], /etc/systemd/system.conf then the
# drop-ins of system.conf.d (by file name), each assignment adding to the list.
MANAGER_CONFS = ("/etc/systemd/system.conf",)
MANAGER_DROPIN_DIRS = ("/etc/systemd/system.conf.d", "/run/systemd/system.conf.d", "/usr/lib/systemd/system.conf.d")


def _manager_environment(fs: FileSystem) -> dict[str, str]:
    files = [p for p in MANAGER_CONFS if fs.is_file(p)]
    chosen: dict[str, str] = {}
    for d in MANAGER_DROPIN_DIRS:
        if fs.is_dir(d):
            for fname, kind in fs.scan(d):
                if fname.endswith(".conf") and kind in ("file", "link-file"):
                    chosen.setdefault(fname, posixpath.join(d, fname))
    out: dict[str, str] = {}
    for p in files + [chosen[k] for k in sorted(chosen)]:
        text = _text(fs, p)
        for sec, key, val, _line in unit_mod.parse(text or ""):
            if sec == "Manager" and key == "DefaultEnvironment":
                for word in unit_mod.split_words(val) or []:
                    k, eq, v = word.partition("=")
                    if eq:
                        out[k] = v
    return out


def _systemd(fs: FileSystem, plan: LaunchPlan) -> None:
    units: dict[str, str] = {}  # unit name -> config path of the file that wins
    plan.manager_environment = _manager_environment(fs)
    wanted: list[str] = []
    count = 0
    for d in UNIT_DIRS:
        if not fs.is_dir(d):
            continue
        for name, kind in fs.scan(d):
            count += 1
            if count > MAX_UNITS:
                break
            if name.endswith(".service") and kind in ("file", "link-file"):
                units.setdefault(name, posixpath.join(d, name))
            elif name.endswith(".wants") and kind in ("dir", "link-dir"):
                for inst, _k in fs.scan(posixpath.join(d, name)):
                    if "@" in inst and inst.endswith(".service") and not inst.endswith("@.service"):
                        wanted.append(inst)
    for name in sorted(units):
        if "@." in name:
            continue  # a template: read per enabled instance below
        _unit(fs, plan, name, units[name], [])
    for inst in sorted(set(wanted)):
        template = inst.split("@", 1)[0] + "@.service"
        path = units.get(inst) or units.get(template)
        if path is not None:
            _unit(fs, plan, inst, path, [template])


def _dropins(fs: FileSystem, names: list[str]) -> list[str]:
    """Drop-in files of a unit in the order systemd applies them (by file name; a file in a
    directory earlier in UNIT_DIRS hides one of the same name later)."""
    chosen: dict[str, str] = {}
    for d in UNIT_DIRS:
        for n in names:
            dd = posixpath.join(d, n + ".d")
            if not fs.is_dir(dd):
                continue
            for fname, kind in fs.scan(dd):
                if fname.endswith(".conf") and kind in ("file", "link-file"):
                    chosen.setdefault(fname, posixpath.join(dd, fname))
    return [chosen[k] for k in sorted(chosen)]


def _unit(fs: FileSystem, plan: LaunchPlan, name: str, path: str, templates: list[str]) -> None:
    text = _text(fs, path)
    if text is not None and "RuntimeDirectory" in text and "uwsgi" not in text:  # another unit's /run dirs
        for _sec, key, val, line in unit_mod.parse(text):
            if _sec == "Service" and key == "RuntimeDirectory":
                for w in unit_mod.specifiers(val, name).split():
                    plan.unit_runtime_dirs.append(
                        ("/run/" + w.split(":", 1)[0].strip("/"), f"RuntimeDirectory= of {name} ({fs.display(path)}:{line})"))
    if text is None or "uwsgi" not in text and not templates:
        return
    u = unit_mod.Unit()
    u.add(text, path)
    texts = {path: text}
    for drop in _dropins(fs, templates + [name]):
        t = _text(fs, drop)
        if t is not None:
            u.add(t, drop)
            texts[drop] = t
    execs = u.all("Service", "ExecStart")
    if not execs:
        return
    value, epath, eline = execs[0]
    words = unit_mod.split_words(unit_mod.specifiers(value, name))
    if not words:
        return
    argv0 = words[0].lstrip("-@+!:")
    if not argv0:
        words = words[1:]
        argv0 = words[0] if words else ""
    if not unit_mod.is_uwsgi(argv0):
        return
    sp = lambda key: u.get("Service", key)  # noqa: E731
    workdir = sp("WorkingDirectory")
    env: list[tuple[str, str, int]] = []
    environment: dict[str, str] = dict(plan.manager_environment)
    complete = not u.all("Service", "PassEnvironment")
    # Environment= first, then EnvironmentFile=: "Settings from these files override settings made
    # with Environment=" (systemd.exec(5), EnvironmentFile=; systemd 252 as installed here).
    from_files: list[tuple[str, str, int]] = []
    for val, vpath, line in u.all("Service", "EnvironmentFile"):
        fpath = unit_mod.specifiers(val, name).lstrip("-")
        etext = _text(fs, fpath)
        if etext is None:
            complete = False  # not in the tree (or unreadable): what it sets is unknown
        else:
            for k, (v, _n) in unit_mod.shell_assignments(etext).items():
                from_files.append((k, v, line if vpath == epath else 0))
    overridden = {k for k, _v, _l in from_files}
    for val, vpath, line in u.all("Service", "Environment"):
        for word in unit_mod.split_words(unit_mod.specifiers(val, name)) or []:
            k, eq, v = word.partition("=")
            if eq and k not in overridden:
                environment[k] = v
                env.append((k, v, line if vpath == epath else 0))
    for k, v, line in from_files:
        environment[k] = v
        env.append((k, v, line))
    args = []
    # systemd substitutes $VAR/${VAR} in ExecStart= from the unit's environment before uWSGI sees it
    for kind, key, val in unit_mod.uwsgi_args(unit_mod.expand_exec(words[1:], environment)):
        if kind == "ini" and not val.startswith("/") and workdir:
            val = posixpath.normpath(posixpath.join(unit_mod.specifiers(workdir[0], name), val))
        args.append(Arg(kind, key, val, eline))
    inis = [a for a in args if a.kind == "ini"]
    if not inis:
        if any(a.key == "emperor" for a in args):  # `uwsgi --emperor DIR ...`: an Emperor without an ini
            plan.emperors.append((Launcher("systemd", name, epath, texts.get(epath, ""),
                                           env=unit_mod.uwsgi_env_options(env), args=args), None))
        return
    inis[-1].main = True
    kill = sp("KillSignal")
    stop_path = epath
    if sp("ExecStop") is not None:
        stop, stop_source = None, f"ExecStop= in {fs.display(sp('ExecStop')[1])}:{sp('ExecStop')[2]}"
    elif kill is not None:
        stop, stop_source = unit_mod.signal_name(kill[0]), f"KillSignal={kill[0]} in {fs.display(kill[1])}:{kill[2]}"
    else:
        stop, stop_source = SYSTEMD_DEFAULT_KILL_SIGNAL, f"no KillSignal= in {fs.display(path)}: systemd's default"
    user = sp("User")
    group = sp("Group")
    runtime = [w for val, _p, _l in u.all("Service", "RuntimeDirectory") for w in val.split()]
    created = [("/run/" + w.split(":", 1)[0].strip("/"), f"RuntimeDirectory={val} in {fs.display(p)}:{ln}")
               for val, p, ln in u.all("Service", "RuntimeDirectory")
               for w in unit_mod.specifiers(val, name).split()]
    ptmp = sp("PrivateTmp")
    joins = [w for val, _p, _l in u.all("Unit", "JoinsNamespaceOf") for w in unit_mod.specifiers(val, name).split()]
    um = sp("UMask")  # systemd.exec(5) (systemd 252): "Defaults to 0022 for system units"
    umask = ((um[0].strip(), f"UMask={um[0].strip()} in {fs.display(um[1])}:{um[2]}") if um is not None else
             ("0022", f"{name} sets no UMask= (systemd's default 0022)"))
    launcher = Launcher(
        "systemd", name, stop_path, texts.get(stop_path, ""), env=unit_mod.uwsgi_env_options(env), args=args,
        stop_signal=stop, stop_source=stop_source, user=user[0] if user else None, group=group[0] if group else None,
        runtime_directories=runtime, private_tmp=unit_mod.is_true(ptmp[0]) if ptmp else None,
        environment=environment, created_dirs=created, environment_complete=complete, joins=joins, umask=umask)
    _add(fs, plan, inis[-1].value, launcher)


# -- the web servers' own units ----------------------------------------------------------
# Unit name -> (server, the configuration directory it reads). Debian's apache2 2.4.71-1~deb12u1
# ships apache2.service (/etc/apache2) and the template apache2@.service
# (Environment=APACHE_CONFDIR=/etc/apache2-%i), both with PrivateTmp=true (line 13/14); Red Hat's
# httpd.service reads /etc/httpd; Debian's nginx 1.22.1-9+deb12u11 nginx.service has no PrivateTmp=.
WEB_UNITS = {"apache2.service": ("apache", "/etc/apache2"), "httpd.service": ("apache", "/etc/httpd"),
             "nginx.service": ("nginx", "/etc/nginx")}
WEB_TEMPLATES = {"apache2@.service": ("apache", "/etc/apache2-%i"), "httpd@.service": ("apache", "/etc/httpd")}


def _unit_file(fs: FileSystem, name: str) -> tuple[str, bool] | None:
    """(config path, masked) of the file that defines unit ``name``: the first of UNIT_DIRS that
    has it. systemd.unit(5): a unit file that is empty or a symlink to /dev/null is masked (never
    started; `systemctl mask` makes that link in /etc/systemd/system)."""
    for d in UNIT_DIRS:
        p = posixpath.join(d, name)
        if fs.is_file(p):
            return p, _text(fs, p) == ""
        if fs.is_symlink(p) or fs.exists(p):  # a link to /dev/null (absent from the tree, or a device)
            return p, True
    return None


def read_web_units(fs: FileSystem) -> list[WebUnit]:
    """The web servers' units of the tree (WEB_UNITS, and instances of WEB_TEMPLATES enabled
    through a ``*.wants/`` link or given their own file) with their drop-ins."""
    names: dict[str, tuple[str, str, str]] = {n: (*v, n) for n, v in WEB_UNITS.items()}
    for d in UNIT_DIRS:
        if not fs.is_dir(d):
            continue
        entries = list(fs.scan(d))
        wants = [n for n, k in entries if n.endswith(".wants") and k in ("dir", "link-dir")]
        found = [n for n, _k in entries] + [i for w in wants for i, _k in fs.scan(posixpath.join(d, w))]
        for inst in found:
            stem, at, rest = inst.partition("@")
            tmpl = stem + "@.service"
            if at and rest != ".service" and inst.endswith(".service") and tmpl in WEB_TEMPLATES:
                names.setdefault(inst, (*WEB_TEMPLATES[tmpl], tmpl))
    out = []
    for name in sorted(names):
        server, confdir, tmpl = names[name]
        got = _unit_file(fs, name) or (_unit_file(fs, tmpl) if tmpl != name else None)
        if got is None:
            continue
        path, masked = got
        u = unit_mod.Unit()
        if not masked:
            u.add(_text(fs, path) or "", path)
            for drop in _dropins(fs, ([tmpl] if tmpl != name else []) + [name]):
                t = _text(fs, drop)
                if t is not None:
                    u.add(t, drop)
        environment: dict[str, str] = {}
        for val, _p, _l in u.all("Service", "Environment"):
            for word in unit_mod.split_words(unit_mod.specifiers(val, name)) or []:
                k, eq, v = word.partition("=")
                if eq:
                    environment[k] = v
                if eq and k == "APACHE_CONFDIR" and server == "apache":
                    confdir = v.rstrip("/") or "/"
        program, argv, argv_at, complete = _web_exec(fs, u, name, environment) if server == "apache" else (
            None, [], None, True)
        pt = u.get("Service", "PrivateTmp")
        user = u.get("Service", "User")
        joins = [w for val, _p, _l in u.all("Unit", "JoinsNamespaceOf") for w in unit_mod.specifiers(val, name).split()]
        out.append(WebUnit(server, name, fs.display(path), unit_mod.specifiers(confdir, name),
                           private_tmp=unit_mod.is_true(pt[0]) if pt else None,
                           private_tmp_at=(fs.display(pt[1]), pt[2]) if pt else None, user=user[0] if user else None,
                           masked=masked, joins=joins, program=program, argv=argv, argv_at=argv_at,
                           environment=environment, environment_complete=complete))
    return out


def _web_exec(fs: FileSystem, u, name: str, environment: dict[str, str]):
    """(program basename, its other words, (display path, line), environment complete) of a web
    server unit's ExecStart=; ``environment`` gets the EnvironmentFile= variables, which override
    Environment= (systemd.exec(5)). Variables are substituted as systemd.service(5) "Command lines"
    says (wsgilint.launch.unit.expand_exec)."""

    complete = True
    for val, _vp, _line in u.all("Service", "EnvironmentFile"):
        fpath = unit_mod.specifiers(val, name).lstrip("-")
        etext = _text(fs, fpath) if fpath.startswith("/") else None
        if etext is None:
            complete = False
            continue
        for k, (v, _n) in unit_mod.shell_assignments(etext).items():
            environment[k] = v
    execs = u.all("Service", "ExecStart")
    if not execs:
        return None, [], None, complete
    value, epath, eline = execs[0]
    words = unit_mod.split_words(unit_mod.specifiers(value, name)) or []
    if words and not words[0].lstrip("-@+!:"):
        words = words[1:]
    if not words:
        return None, [], None, complete
    program = words[0].lstrip("-@+!:").rsplit("/", 1)[-1]
    return program, unit_mod.expand_exec(words[1:], environment), (fs.display(epath), eline), complete


# tmpfiles.d(5): files of the same name in an earlier directory replace later ones (/etc over
# /run over /usr/local/lib over /usr/lib); /lib/tmpfiles.d for releases before the merged /usr.
TMPFILES_DIRS = ("/etc/tmpfiles.d", "/run/tmpfiles.d", "/usr/local/lib/tmpfiles.d", "/usr/lib/tmpfiles.d",
                 "/lib/tmpfiles.d")
MAX_TMPFILES = 500
MAX_BOOT_DIRS = 10000  # boot-time directory entries read in all (tmpfiles.d lines, RuntimeDirectory=)


def _boot_dirs(fs: FileSystem, plan: LaunchPlan) -> None:
    """Add to each systemd / Debian launcher the directories that exist at boot whatever starts
    first: tmpfiles.d entries of the tree, and other units' RuntimeDirectory=."""
    known = [la for la in plan.launchers.values() if la.kind in ("systemd", "debian-init")]
    if not known:
        return
    chosen: dict[str, str] = {}
    count = 0
    for d in TMPFILES_DIRS:
        if not fs.is_dir(d):
            continue
        for fname, kind in fs.scan(d):
            count += 1
            if count > MAX_TMPFILES:
                break
            if fname.endswith(".conf"):
                chosen.setdefault(fname, posixpath.join(d, fname))  # a link to /dev/null masks: reads as nothing
    extra: list | None = list(plan.unit_runtime_dirs)
    for fname in sorted(chosen):
        text = _text(fs, chosen[fname])
        for dpath, line in unit_mod.tmpfiles_dirs(text or ""):
            extra.append((dpath, f"tmpfiles.d entry {fs.display(chosen[fname])}:{line}"))
        if len(extra) > MAX_BOOT_DIRS:
            extra = None  # not all read: whether a directory is created at boot is unknown
            break
    for la in known:
        la.boot_dirs = extra  # one list for all (a copy per launcher was launchers x entries)


# -- openstack-pkg-tools init scripts ---------------------------------------------------
# Debian's OpenStack packages (glance-api, nova-api, placement-api, ...) ship /etc/init.d/NAME made
# of a head (DESC, PROJECT_NAME, NAME, UWSGI_PORT, UWSGI_INI_PATH, UWSGI_INI_APP, ...) and
# openstack-pkg-tools' init-script-template (openstack-pkg-tools 123, Debian,
# /usr/share/openstack-pkg-tools/init-script-template; the same text in fieldtest/debian-*-api):
#   if UWSGI_PORT, UWSGI_INI_PATH and UWSGI_INI_APP are all set: DAEMON=/usr/bin/uwsgi_python3X,
#     DAEMON_ARGS="--http-socket ${UWSGI_BIND_IP}:${UWSGI_PORT}${UWSGI_PROCESSES} --ini ${UWSGI_INI_PATH}"
#     (UWSGI_BIND_IP is reset to "" unless the UWSGI_BIND_CONFIG_* branch reads it from the service
#     config with pkgos_inifile; --https-socket IP:PORT,CERT,KEY when /etc/PROJECT/ssl/private/*.pem
#     and a certificate exist); otherwise DAEMON=/usr/bin/${NAME}: the service's own daemon, no uWSGI.
#   then `--use-syslog` when USE_SYSLOG=yes and `--pyargv "$PYARGV"` (/etc/default/openstack,
#   /etc/default/NAME); stop: start-stop-daemon --stop --retry=TERM/30/KILL/5 (do_stop); Debian's
#   unit NAME.service runs `ExecStart=/etc/init.d/NAME systemd-start` (exec $DAEMON $DAEMON_ARGS),
#   and then systemd stops it (KillSignal=).
INIT_DIR = "/etc/init.d"
MAX_INIT_SCRIPTS = 500
OSPKG_MARKER = "# The content after this line comes from openstack-pkg-tools"
OSPKG_DEFAULTS = ("/etc/default/openstack",)  # then /etc/default/NAME: sourced after DAEMON_ARGS is set
_OSPKG_REQUIRED = ("UWSGI_PORT", "UWSGI_INI_PATH", "UWSGI_INI_APP")
_BIND_CONFIG = ("UWSGI_BIND_CONFIG_FILE", "UWSGI_BIND_CONFIG_SECTION", "UWSGI_BIND_CONFIG_IP_DIRECTIVE",
                "UWSGI_BIND_CONFIG_PORT_DIRECTIVE")


def _ospkg_head(text: str) -> tuple[dict[str, tuple[str | None, int]], dict[str, list[tuple[str | None, int]]]]:
    """The head of an openstack-pkg-tools init script: its top-level assignments (name -> (value
    with earlier ${VAR}s expanded, None when it stays dynamic; line)) and its commented-out
    assignments (``#UWSGI_INI_PATH=...``: name -> [(value, line)])."""
    import re

    assign: dict[str, tuple[str | None, int]] = {}
    commented: dict[str, list[tuple[str | None, int]]] = {}

    def expand(value: str) -> str | None:
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            quote, value = value[0], value[1:-1]
            if quote == "'":
                return value
        if "$(" in value or "`" in value:
            return None

        def sub(m):
            got = assign.get(m.group(1) or m.group(2))
            if got is None or got[0] is None:
                raise KeyError(m.group(0))
            return got[0]

        try:
            return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", sub, value)
        except KeyError:
            return None

    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith(OSPKG_MARKER) or line.startswith(("if ", "case ", "do_start")):
            break
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\s\"']*)\s*(?:#.*)?$", line)
        if m:
            assign[m.group(1)] = (expand(m.group(2)), n)
            continue
        m = re.match(r"#\s*(UWSGI_[A-Z_]+)=(\"[^\"]*\"|'[^']*'|[^\s\"']*)\s*$", line)
        if m:
            commented.setdefault(m.group(1), []).append((expand(m.group(2)), n))
    return assign, commented


def _ospkg_unit(fs: FileSystem, name: str, script: str):
    """Debian's NAME.service when it runs ``/etc/init.d/NAME systemd-start``: (Unit, unit path)."""
    for d in UNIT_DIRS:
        path = posixpath.join(d, name + ".service")
        if not fs.is_file(path):
            continue
        text = _text(fs, path)
        if text is None:
            return None
        u = unit_mod.Unit()
        u.add(text, path)
        for drop in _dropins(fs, [name + ".service"]):
            t = _text(fs, drop)
            if t is not None:
                u.add(t, drop)
        execs = u.all("Service", "ExecStart")
        words = unit_mod.split_words(execs[0][0]) if execs else None
        if words and words[0].lstrip("-@+!:") == script and "systemd-start" in words[1:]:
            return u, path
        return None
    return None


def _first_file(fs: FileSystem, directory: str, suffix: str) -> str | None:
    """`find DIR -type f -iname '*SUFFIX' | head -n 1`, read as the first in name order (find's
    order is the directory's; with more than one match which one wins is not known)."""
    if not fs.is_dir(directory):
        return None
    found = sorted(n for n, kind in fs.scan(directory) if kind in ("file", "link-file") and n.lower().endswith(suffix))
    return posixpath.join(directory, found[0]) if found else None


def _openstack_init(fs: FileSystem, plan: LaunchPlan) -> dict[str, NotStarted]:
    """Read the openstack-pkg-tools init scripts: add a launcher for each ini one starts, and
    return (by resolved path) the inis of those services that their script does not start."""
    if not fs.is_dir(INIT_DIR):
        return {}
    names = sorted(n for n, kind in fs.scan(INIT_DIR) if kind in ("file", "link-file"))[:MAX_INIT_SCRIPTS]
    out: dict[str, NotStarted] = {}
    for name in names:
        path = posixpath.join(INIT_DIR, name)
        text = _text(fs, path)
        if text is None or "UWSGI_INI_PATH" not in text or "pkgos" not in text:
            continue
        head, commented = _ospkg_head(text)
        shown = fs.display(path)
        get = lambda k: head.get(k, (None, 0))  # noqa: E731
        project = get("PROJECT_NAME")[0]
        svc = get("NAME")[0] or name
        ini, ini_line = get("UWSGI_INI_PATH")
        if "UWSGI_INI_PATH" in head and ini is None:
            continue  # dynamic: not known what it starts
        missing = [k for k in _OSPKG_REQUIRED if not get(k)[0]]
        conventional = f"/etc/{project}/{svc}-uwsgi.ini" if project else None

        def not_started(candidate: str, reason: str, line: int) -> None:
            if not candidate or not candidate.startswith("/"):
                return
            try:
                if not fs.is_file(candidate):
                    return
                real = fs.resolve(candidate)
            except ReadError:
                return
            out.setdefault(real, NotStarted(candidate, reason, path, text, line))

        if missing:
            why = (f"{shown}'s UWSGI_INI_PATH is commented out" if "UWSGI_INI_PATH" not in head
                   else f"{shown} does not set {' and '.join(missing)}")
            reason = f"{why} (the service runs without uWSGI)"
            for value, line in commented.get("UWSGI_INI_PATH", []):
                if value:
                    not_started(value, reason, line)
            if ini:
                not_started(ini, reason, ini_line)
            if conventional:
                not_started(conventional, reason, ini_line or (commented.get("UWSGI_INI_PATH") or [(None, 0)])[0][1])
            continue
        port, port_line = get("UWSGI_PORT")
        ip = ""
        processes = None
        if all(get(k)[0] for k in _BIND_CONFIG) and fs.is_file(get("UWSGI_BIND_CONFIG_FILE")[0]):
            # read at start by pkgos_inifile from the service config (its search also matches a
            # commented directive, `cut -d= -f2` truncates): not a plain key lookup, so not known here
            conf, sect = get("UWSGI_BIND_CONFIG_FILE")[0], get("UWSGI_BIND_CONFIG_SECTION")[0]
            ip = f"$(pkgos_inifile get {conf} {sect} {get('UWSGI_BIND_CONFIG_IP_DIRECTIVE')[0]})"
            port = f"$(pkgos_inifile get {conf} {sect} {get('UWSGI_BIND_CONFIG_PORT_DIRECTIVE')[0]})"
            if get("UWSGI_BIND_CONFIG_WORKERS_DIRECTIVE")[0]:
                processes = f"$(pkgos_inifile get {conf} {sect} {get('UWSGI_BIND_CONFIG_WORKERS_DIRECTIVE')[0]})"
        args = []
        key_file = _first_file(fs, f"/etc/{project}/ssl/private", ".pem") if project else None
        cert = "/usr/local/share/ca-certificates/puppet_openstack.crt"
        cert_file = cert if fs.exists(cert) else (
            _first_file(fs, f"/etc/{project}/ssl/public", ".crt") if project else None)
        if key_file and cert_file:
            args.append(Arg("opt", "https-socket", f"{ip}:{port},{cert_file},{key_file}", port_line))
        else:
            args.append(Arg("opt", "http-socket", f"{ip}:{port}", port_line))
        if processes is not None:
            args.append(Arg("opt", "processes", processes, port_line))
        args.append(Arg("ini", "ini", ini, ini_line, main=True))
        sourced: dict[str, str] = {}
        for dpath in (*OSPKG_DEFAULTS, f"/etc/default/{svc}"):
            dtext = _text(fs, dpath)
            if dtext is not None:
                for k, (v, _n) in unit_mod.shell_assignments(dtext).items():
                    sourced[k] = v
        if sourced.get("USE_SYSLOG") == "yes":
            args.append(Arg("opt", "use-syslog", "true"))
        if sourced.get("PYARGV"):
            args.append(Arg("opt", "pyargv", sourced["PYARGV"]))
        found = _ospkg_unit(fs, name, path)
        user = group = ptmp = None
        runtime: list[str] = []
        if found is not None:
            u, upath = found
            sp = lambda key: u.get("Service", key)  # noqa: E731
            kill = sp("KillSignal")
            if sp("ExecStop") is not None:
                stop, stop_source = None, f"ExecStop= in {fs.display(sp('ExecStop')[1])}:{sp('ExecStop')[2]}"
            elif kill is not None:
                stop = unit_mod.signal_name(kill[0])
                stop_source = f"KillSignal={kill[0]} in {fs.display(kill[1])}:{kill[2]}"
            else:
                stop = SYSTEMD_DEFAULT_KILL_SIGNAL
                stop_source = f"no KillSignal= in {fs.display(upath)}: systemd's default"
            user, group = (sp("User") or [None])[0], (sp("Group") or [None])[0]
            runtime = [w for val, _p, _l in u.all("Service", "RuntimeDirectory") for w in val.split()]
            pt = sp("PrivateTmp")
            ptmp = unit_mod.is_true(pt[0]) if pt else None
            via = f", run by {fs.display(upath)}"
        else:
            import re

            stop, stop_source = None, f"{shown}: no start-stop-daemon --retry in do_stop"
            m = re.search(r"--stop[^\n]*\n(?:[^\n]*\n){0,3}?[^\n]*--retry[= ]([A-Z0-9]+)/", text)
            if m:
                stop = unit_mod.signal_name(m.group(1))
                stop_source = f"{shown}:{text.count(chr(10), 0, m.end()) + 1} (start-stop-daemon --retry)"
            user = get("SYSTEM_USER")[0] or project
            group = get("SYSTEM_GROUP")[0] or project
            via = ""
        _add(fs, plan, ini, Launcher(
            "openstack-init", f"{shown} (openstack-pkg-tools init script{via})", path, text, args=args,
            stop_signal=stop, stop_source=stop_source, user=user, group=group, runtime_directories=runtime,
            private_tmp=ptmp))
        if conventional and conventional != ini:
            not_started(conventional, f"{shown}'s UWSGI_INI_PATH names {ini}", ini_line)
    return out


# -- the Emperor -----------------------------------------------------------------------
# Emperor configurations of the packagings, read when present even without their unit or init
# script: Red Hat's uwsgi (/etc/uwsgi.ini, `emperor = /etc/uwsgi.d`) and Debian's uwsgi-emperor
# (/etc/uwsgi-emperor/emperor.ini).
EMPEROR_CONFIGS = ("/etc/uwsgi.ini", "/etc/uwsgi-emperor/emperor.ini")
# How the Emperor starts a vassal (unbit/uwsgi@0d1c793465ac331bdb43c6d56fb7c348ea94f463:core/emperor.c,
# uwsgi_emperor_spawn_vassal, tag 2.0.21): argv = uwsgi [--inherit T (vassals-inherit-before)]...
# [--include I (vassals-include-before)]... [--set S (vassal-set)]... --ini VASSAL
# [--inherit T (vassals-inherit)]... [--include I (vassals-include)]...; and it stops a vassal with
# a byte on the vassal's Emperor pipe (emperor_stop), never a signal.
EMPEROR_STOP = "emperor-pipe"
EMPEROR_STOP_SOURCE = ("the Emperor stops a vassal with a message on its pipe, not a signal "
                       "(unbit/uwsgi@0d1c793465ac331bdb43c6d56fb7c348ea94f463:core/emperor.c emperor_stop)")
MAX_VASSALS = 2000


def _emperors(fs: FileSystem, plan: LaunchPlan) -> None:
    from wsgilint.resolve import uwsgi as uwsgi_resolve  # the Emperor's own options, as uWSGI loads them

    candidates = list(plan.emperors)
    for ini in list(plan.inis):
        candidates.append((plan.for_ini(fs, ini), ini))
    known = set()
    for ini, _ in ((c[1], None) for c in candidates):
        if ini:
            try:
                known.add(fs.resolve(ini))
            except ReadError:
                pass
    for path in EMPEROR_CONFIGS:
        try:
            if fs.is_file(path) and fs.resolve(path) not in known:
                candidates.append((None, path))
        except ReadError:
            continue
    for launcher, ini in candidates:
        if ini is not None:
            with_text = _text(fs, ini)
            if with_text is None or "emperor" not in with_text and (launcher is None or not any(
                    a.key == "emperor" for a in launcher.args)):
                continue
            cfg = uwsgi_resolve.resolve(fs, ini, launcher=launcher)
            opts = [(o.key, o.value, o.dynamic) for o in cfg.options]
            where = fs.display(ini)
        else:
            opts = [(a.key, a.value, False) for a in launcher.args]
            where = launcher.name
        _vassals(fs, plan, opts, where, launcher, ini)


def _vassals(fs: FileSystem, plan: LaunchPlan, opts, where: str, emperor: Launcher | None,
             emperor_ini: str | None) -> None:
    def values(*keys):
        return [v for k, v, dyn in opts if k in keys and not dyn]

    dirs = values("emperor")
    if not dirs:
        return
    before = [Arg("inherit", "inherit", v) for v in values("vassals-inherit-before")]
    before += [Arg("ini", "include", v) for v in values("vassals-include-before")]
    before += [Arg("opt", "set", v) for v in values("vassals-set", "vassal-set")]
    after = [Arg("inherit", "inherit", v) for v in values("vassals-inherit")]
    after += [Arg("ini", "include", v) for v in values("vassals-include")]
    env = []
    if emperor is not None:  # a vassal inherits the Emperor's environment (UWSGI_VASSAL_X becomes UWSGI_X)
        for k, v in emperor.environment.items():
            if k.startswith("UWSGI_VASSAL_"):
                env.append(("UWSGI_" + k[13:], v, 0))
            elif k.startswith("UWSGI_"):
                env.append((k, v, 0))
    count = 0
    for spec in dirs:
        spec = spec.strip()
        if "://" in spec:
            continue  # zmq://, pg://, mongodb://...: not files
        if any(ch in spec for ch in "*?["):
            found = fs.glob(spec)
        elif fs.is_dir(spec):
            found = [posixpath.join(spec, n) for n, kind in fs.scan(spec) if kind in ("file", "link-file")]
        else:
            continue
        for vassal in sorted(found):
            if not vassal.endswith(".ini"):
                continue
            count += 1
            if count > MAX_VASSALS:
                return
            args = [*before, Arg("ini", "ini", vassal, main=True), *after]
            _add(fs, plan, vassal, Launcher(
                "emperor", f"the uWSGI Emperor ({where})", emperor_ini or (emperor.path if emperor else vassal),
                "", env=unit_mod.uwsgi_env_options(env), args=args, stop_signal=EMPEROR_STOP,
                stop_source=EMPEROR_STOP_SOURCE))
