"""Real-server test harness: Apache httpd (+ mod_wsgi / mod_proxy_*), uWSGI, nginx.

Every server runs on 127.0.0.1 (or unix sockets) under a directory the
caller owns (normally pytest's tmp_path), with its own port, pid file and
logs; nothing under /etc is read or written.  Each context manager:

  * renders the caller's config text, replacing @@NAME@@ tokens (not
    str.format: Apache and nginx configs are full of braces);
  * runs the server's own config check first (apache2 -t, nginx -t) and
    raises StackError with its output if that fails;
  * starts the server in the foreground in its own process group, waits
    (bounded, ~10 s) until its sockets accept connections, and raises
    StackError with the log tail if it dies or never comes up;
  * always stops it on exit, by pid: the polite signal first (Apache
    SIGTERM, uWSGI SIGINT -- SIGTERM means "reload" to uWSGI 2.0, nginx
    SIGQUIT), then SIGKILL to the process group it was started in.

Placeholders every config gets (callers add their own through `subst`,
keys without the @@, e.g. {"SOCK": str(tmp_path / "app.sock")}):
  @@TMP@@       the tmpdir passed in (shared by all servers of one test)
  @@ROOT@@      this server's own directory (tmpdir/<name>)
  @@APP_DIR@@   a world-readable copy of tests/app staged in tmpdir/app
  @@APP_PY@@    .../app.py   (uWSGI wsgi-file)
  @@APP_WSGI@@  .../app.wsgi (mod_wsgi WSGIScriptAlias target)
  @@PORT@@      the server's own port (apache/nginx; chosen by the harness
                unless passed in subst)

Client helpers (post_sized, post_chunked, get, request) use only the
standard library and return Reply(status, json_or_None, body_bytes).

Must not import wsgilint.
"""
from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Iterable, Iterator, Mapping, NamedTuple, Optional

if __package__:
    from . import oracle
else:  # tests/ on sys.path (pytest rootdir-less "prepend" import mode)
    import oracle

APP_SRC_DIR = Path(__file__).resolve().parent / "app"
READY_TIMEOUT = 10.0      # seconds to wait for a server to accept connections
STOP_TIMEOUT = 5.0        # seconds to wait after the polite stop signal
CLIENT_TIMEOUT = 20.0     # socket timeout of the client helpers
LOG_TAIL_LINES = 40
UNPRIVILEGED_USER = "nobody"
UNPRIVILEGED_GROUP = "nogroup"

_PLACEHOLDER = re.compile(r"@@([A-Za-z0-9_]+)@@")


class StackError(RuntimeError):
    """A server failed its config check, died, or did not come up in time."""


# --------------------------------------------------------------------------
# helpers


def render(text: str, subst: Mapping[str, object]) -> str:
    """Replace @@KEY@@ by str(subst[KEY]); raise StackError on any unknown @@TOKEN@@."""
    for key, value in subst.items():
        text = text.replace("@@%s@@" % key, str(value))
    left = sorted(set(_PLACEHOLDER.findall(text)))
    if left:
        raise StackError("unreplaced placeholders %s; known: %s"
                         % (", ".join("@@%s@@" % k for k in left), ", ".join(sorted(subst))))
    return text


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of text."""
    return "\n".join(text.splitlines()[-lines:])


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _running_as_root() -> bool:
    return os.geteuid() == 0


def open_up(path: Path) -> None:
    """Make `path` o+rx and every ancestor we own o+x (traverse only).

    Needed when running as root: Apache children, mod_wsgi daemons and
    nginx workers run as `nobody` and must reach the app, the sockets and
    the WSGI daemon sockets, while pytest creates /tmp/pytest-of-root with
    mode 0700 (pytest itself resets that mode at its next start).
    """
    path = Path(path).resolve()
    uid = os.geteuid()
    st = path.stat()
    if st.st_uid == uid:
        os.chmod(path, stat.S_IMODE(st.st_mode) | stat.S_IROTH | stat.S_IXOTH
                 | stat.S_IRGRP | stat.S_IXGRP)
    for parent in path.parents:
        st = parent.stat()
        if st.st_mode & stat.S_IXOTH or st.st_uid != uid:
            continue
        os.chmod(parent, stat.S_IMODE(st.st_mode) | stat.S_IXOTH | stat.S_IXGRP)


def stage_app(tmpdir: Path) -> Path:
    """Copy tests/app into tmpdir/app (world-readable) and return that dir.

    A copy, because the work tree may sit under a 0700 directory that the
    unprivileged server users cannot enter.
    """
    dst = Path(tmpdir) / "app"
    dst.mkdir(parents=True, exist_ok=True)
    for src in APP_SRC_DIR.iterdir():
        if src.is_file() and src.suffix in (".py", ".wsgi"):
            target = dst / src.name
            if not target.exists() or target.read_bytes() != src.read_bytes():
                shutil.copyfile(src, target)
            os.chmod(target, 0o644)
    os.chmod(dst, 0o755)
    open_up(dst)
    return dst


def _base_subst(tmpdir: Path, root: Path, extra: Optional[Mapping[str, object]]) -> dict:
    app = stage_app(tmpdir)
    subst = {
        "TMP": str(tmpdir),
        "ROOT": str(root),
        "APP_DIR": str(app),
        "APP_PY": str(app / "app.py"),
        "APP_WSGI": str(app / "app.wsgi"),
    }
    subst.update({k: v for k, v in (extra or {}).items()})
    return subst


def _instance_dir(tmpdir: Path, name: str) -> Path:
    """tmpdir/name, or tmpdir/name-2, -3... if already used by another server."""
    tmpdir = Path(tmpdir).resolve()
    tmpdir.mkdir(parents=True, exist_ok=True)
    root = tmpdir / name
    n = 2
    while root.exists():
        root = tmpdir / ("%s-%d" % (name, n))
        n += 1
    root.mkdir()
    os.chmod(root, 0o755)
    open_up(root)
    return root


def _pidfile_is(path: Path, pid: int) -> bool:
    """True once `path` holds `pid` (servers write it only after binding their listeners)."""
    try:
        return Path(path).read_text().strip() == str(pid)
    except (FileNotFoundError, ValueError):
        return False


def _tcp_listener_inodes(port: int) -> set:
    """Socket inodes of every TCP socket LISTENing on `port` (any address, IPv4 or IPv6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # sl local_address rem_address st ... inode: local is HEXADDR:HEXPORT, 0A = LISTEN
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: str) -> set:
    """Socket inodes process `pid` holds open (empty if it is gone or not ours to read)."""
    inodes = set()
    try:
        for fd in os.listdir("/proc/%s/fd" % pid):
            try:
                target = os.readlink("/proc/%s/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def _pgid(pid: str) -> Optional[int]:
    try:
        # the fields after the ")" that closes comm: state ppid pgrp ...
        return int(Path("/proc", pid, "stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def foreign_listeners(pgid: int, ports: Iterable[int]) -> list:
    """Descriptions of processes outside group `pgid` that LISTEN on one of `ports`.

    A server whose ready check connects to its port would otherwise be
    fooled by a stray listener (one left by an earlier test, or sharing the
    port through SO_REUSEPORT), and a test would then talk to the wrong
    server. Empty where /proc cannot say (not Linux)."""
    if not os.path.isdir("/proc/net"):
        return []
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    ours = set().union(*(_socket_inodes(p) for p in pids if _pgid(p) == pgid))
    out = []
    for port in ports:
        stray = _tcp_listener_inodes(port) - ours
        if stray:
            owners = ["pid %s: %s" % (p, _cmdline(p)) for p in pids if _socket_inodes(p) & stray]
            out.append("port %d is also LISTENed on by %s" % (port, "; ".join(owners) or "an unknown process"))
    return out


def _cmdline(pid: str) -> str:
    try:
        return Path("/proc", pid, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def _can_connect(addr) -> bool:
    family = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect(addr)
            return True
        except OSError:
            return False


# --------------------------------------------------------------------------
# process management

_LIVE: dict[int, "subprocess.Popen"] = {}


def _start(argv, cwd: Path, log: Path, env=None) -> subprocess.Popen:
    out = open(log, "ab")
    try:
        proc = subprocess.Popen(argv, cwd=str(cwd), stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    finally:
        out.close()
    _LIVE[proc.pid] = proc
    return proc


def stop_process(proc: subprocess.Popen, sig: int = signal.SIGTERM,
                 timeout: float = STOP_TIMEOUT) -> None:
    """Send `sig` to proc.pid, wait up to `timeout`, then SIGKILL its process group.

    The group is the one the harness created for this server
    (start_new_session), so stray children (Apache workers, mod_wsgi daemons,
    uWSGI workers and routers) go too.
    """
    pid = proc.pid
    try:
        if proc.poll() is None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        # children that outlive the leader keep the group alive: poll it empty
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except (ProcessLookupError, PermissionError):
                break
            time.sleep(0.05)
    finally:
        _LIVE.pop(pid, None)


@atexit.register
def _kill_leftovers() -> None:  # only if a context manager could not run its finally
    for proc in list(_LIVE.values()):
        stop_process(proc, signal.SIGKILL, 1.0)


def _wait_ready(proc: subprocess.Popen, ready, what: str, logs, timeout: float) -> None:
    """Poll ready() until true; raise StackError (with log tails) if proc dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if proc.poll() is not None:
            raise StackError("%s exited with status %s before it was ready\n%s"
                             % (what, proc.returncode, _log_report(logs)))
        if time.monotonic() > deadline:
            raise StackError("%s not ready after %.1f s\n%s" % (what, timeout, _log_report(logs)))
        time.sleep(0.05)


def _no_foreign_listener(proc: subprocess.Popen, ports, what: str) -> None:
    """Raise StackError if a process outside the server's group also listens on its ports."""
    stray = foreign_listeners(proc.pid, ports)
    if stray:
        raise StackError("%s is up, but its requests could reach another server: %s"
                         % (what, "; ".join(stray)))


def _log_report(logs) -> str:
    parts = []
    for path in logs:
        text = _read(path)
        parts.append("--- %s (last %d lines) ---\n%s" % (path, LOG_TAIL_LINES, tail(text) or "(empty)"))
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Apache httpd

APACHE_BASE_MODULES = ("mpm_event", "authz_core")

_APACHE_MAIN = """\
# generated by tests/stack.py
ServerRoot "@@ROOT@@"
ServerName localhost
Listen 127.0.0.1:@@PORT@@
PidFile "@@ROOT@@/run/httpd.pid"
DefaultRuntimeDir "@@ROOT@@/run"
ErrorLog "@@ROOT@@/logs/error.log"
LogLevel info
LogFormat "%h \\"%r\\" %>s %B %D" wsgilint
CustomLog "@@ROOT@@/logs/access.log" wsgilint
DocumentRoot "@@ROOT@@/htdocs"
@@USER_GROUP@@
@@LOADMODULES@@
<IfModule mpm_event_module>
    StartServers 1
    ServerLimit 4
    ThreadsPerChild 8
    MaxRequestWorkers 32
    MinSpareThreads 8
    MaxSpareThreads 32
</IfModule>
<IfModule wsgi_module>
    WSGISocketPrefix "@@ROOT@@/run/wsgi"
</IfModule>
@@EXTRA_GLOBAL@@
Include "@@ROOT@@/site.conf"
"""


class ApacheConfig(NamedTuple):
    root: Path          # ServerRoot (tmpdir/<name>)
    conf: Path          # root/httpd.conf
    site: Path          # root/site.conf (the caller's site_text, rendered)
    port: int
    subst: dict


def apache_module_lines(modules: Iterable[str]) -> str:
    """LoadModule lines for short names ("proxy_uwsgi" -> proxy_uwsgi_module mod_proxy_uwsgi.so)."""
    lines, seen = [], set()
    for name in modules:
        if name in seen:
            continue
        seen.add(name)
        path = oracle.mod_wsgi_so() if name == "wsgi" else oracle.apache_module(name)
        lines.append('LoadModule %s_module "%s"' % (name, path))
    return "\n".join(lines)


def write_apache_config(tmpdir: Path, site_text: str, modules: Iterable[str] = (),
                        extra_global: str = "", subst: Optional[Mapping[str, object]] = None,
                        name: str = "apache", base_modules: Iterable[str] = APACHE_BASE_MODULES,
                        port: Optional[int] = None) -> ApacheConfig:
    """Write root/httpd.conf + root/site.conf under tmpdir; no server is started."""
    tmpdir = Path(tmpdir).resolve()
    root = _instance_dir(tmpdir, name)
    for d in ("logs", "run", "htdocs"):
        (root / d).mkdir()
        os.chmod(root / d, 0o755)
    if port is None:
        port = int((subst or {}).get("PORT") or oracle.free_port())
    full = _base_subst(tmpdir, root, subst)
    full["PORT"] = port
    user_group = ""
    if _running_as_root():
        user_group = "User %s\nGroup %s" % (UNPRIVILEGED_USER, UNPRIVILEGED_GROUP)
    main = _APACHE_MAIN
    main = main.replace("@@USER_GROUP@@", user_group)
    main = main.replace("@@LOADMODULES@@",
                        apache_module_lines(list(base_modules) + list(modules)))
    main = main.replace("@@EXTRA_GLOBAL@@", render(extra_global, full))
    conf = root / "httpd.conf"
    conf.write_text(render(main, full))
    site = root / "site.conf"
    site.write_text(render(site_text, full) + "\n")
    return ApacheConfig(root, conf, site, port, full)


def apache_argv(cfg: ApacheConfig, *extra: str) -> list:
    """apache2 -d ROOT -f CONF [extra...]."""
    return [oracle.apache2(), "-d", str(cfg.root), "-f", str(cfg.conf), *extra]


def apache_configtest(cfg: ApacheConfig, *extra: str, timeout: float = 10.0):
    """Run `apache2 -t` on cfg; return (returncode, combined stdout+stderr)."""
    res = subprocess.run(apache_argv(cfg, "-t", *extra), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL)
    return res.returncode, res.stdout


class Apache:
    """A running httpd. Attributes: port, url, root, conf, site, pid, proc."""

    def __init__(self, cfg: ApacheConfig, proc: subprocess.Popen):
        self.cfg = cfg
        self.proc = proc
        self.pid = proc.pid
        self.port = cfg.port
        self.url = "http://127.0.0.1:%d" % cfg.port
        self.root = cfg.root
        self.conf = cfg.conf
        self.site = cfg.site
        self.error_log = cfg.root / "logs" / "error.log"
        self.access_log = cfg.root / "logs" / "access.log"
        self.stdout_log = cfg.root / "logs" / "stdout.log"
        self.pid_file = cfg.root / "run" / "httpd.pid"

    def url_for(self, path: str = "/") -> str:
        return self.url + (path if path.startswith("/") else "/" + path)

    def error_log_text(self) -> str:
        return _read(self.error_log)

    def access_log_text(self) -> str:
        return _read(self.access_log)

    def logs_report(self) -> str:
        return _log_report([self.error_log, self.stdout_log])


@contextlib.contextmanager
def apache(tmpdir: Path, site_text: str, modules: Iterable[str] = (), extra_global: str = "",
           subst: Optional[Mapping[str, object]] = None, name: str = "apache",
           base_modules: Iterable[str] = APACHE_BASE_MODULES,
           timeout: float = READY_TIMEOUT) -> Iterator[Apache]:
    """Start `apache2 -DFOREGROUND` on 127.0.0.1:@@PORT@@ with site_text included; yield Apache."""
    modules = list(modules)
    for attempt in range(3):
        cfg = write_apache_config(tmpdir, site_text, modules, extra_global, subst,
                                  "%s" % name if attempt == 0 else "%s-retry%d" % (name, attempt),
                                  base_modules)
        rc, out = apache_configtest(cfg)
        if rc != 0:
            raise StackError("apache2 -t failed (rc=%d) for %s:\n%s\n--- site.conf ---\n%s"
                             % (rc, cfg.conf, out, _read(cfg.site)))
        stdout_log = cfg.root / "logs" / "stdout.log"
        proc = _start(apache_argv(cfg, "-DFOREGROUND"), cfg.root, stdout_log,
                      env=dict(os.environ, LANG="C"))
        server = Apache(cfg, proc)
        try:
            try:
                # the pid file first: a foreign listener on our port must not look ready
                _wait_ready(proc, lambda: _pidfile_is(server.pid_file, proc.pid)
                            and _can_connect(("127.0.0.1", cfg.port)),
                            "apache2 (%s)" % cfg.conf, [server.error_log, stdout_log], timeout)
                _no_foreign_listener(proc, [cfg.port], "apache2 (%s)" % cfg.conf)
            except StackError:
                text = server.error_log_text() + _read(stdout_log)
                port_taken = "Address already in use" in text
                if port_taken and attempt < 2 and not (subst or {}).get("PORT"):
                    continue  # the free port was taken meanwhile: try another one
                raise
            yield server
            return
        finally:
            stop_process(proc, signal.SIGTERM)


# --------------------------------------------------------------------------
# uWSGI

_UWSGI_SOCKET_KEYS = ("socket", "uwsgi-socket", "http-socket", "http", "https-socket", "fastcgi-socket")


def _ini_values(ini_text: str, keys) -> list:
    """(key, value) pairs for `keys` in any section of an ini text (uWSGI-style, no inline comments)."""
    out = []
    for line in ini_text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[":
            continue
        key, sep, value = line.partition("=")
        if sep and key.strip() in keys:
            out.append((key.strip(), value.strip()))
    return out


def _uwsgi_addr(value: str):
    """A connectable address for a uWSGI socket value, or None if it can't be probed."""
    value = value.split(",")[0].strip()
    if not value or value.startswith(("@", "=")) or "%(" in value or "$(" in value:
        return None
    if value.startswith("/") or value.startswith("."):
        return value
    host, sep, port = value.rpartition(":")
    if sep and port.isdigit():
        return (host.strip("[]") or "127.0.0.1", int(port))
    return None


class Uwsgi:
    """A running uWSGI. Attributes: root, ini, log, pid, proc, addrs, port (first TCP port), url."""

    def __init__(self, root: Path, ini: Path, log: Path, proc: subprocess.Popen, addrs, text: str):
        self.root = root
        self.ini = ini
        self.log = log
        self.proc = proc
        self.pid = proc.pid
        self.addrs = addrs
        self.ini_text = text
        tcp = [a for a in addrs if isinstance(a, tuple)]
        self.port = tcp[0][1] if tcp else None
        self.url = "http://127.0.0.1:%d" % self.port if self.port else None
        self.extra_logs = [Path(v if os.path.isabs(v) else root / v)
                           for _, v in _ini_values(text, ("logto", "logto2"))]

    def log_text(self) -> str:
        return _read(self.log) + "".join(_read(p) for p in self.extra_logs)

    def wait_log(self, text: str, timeout: float = 5.0) -> str:
        """The log once it contains ``text`` (uWSGI writes a request's log line after the response,
        so a test that reads it right after the reply can race it on a busy machine)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.log_text()
            if text in got or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def logs_report(self) -> str:
        return _log_report([self.log, *self.extra_logs])


@contextlib.contextmanager
def uwsgi(tmpdir: Path, ini_text: str, subst: Optional[Mapping[str, object]] = None,
          name: str = "uwsgi", extra_args: Iterable[str] = (), wait_log: Optional[str] = "spawned uWSGI worker",
          timeout: float = READY_TIMEOUT, binary: Optional["oracle.UwsgiBinary"] = None) -> Iterator[Uwsgi]:
    """Start `uwsgi --ini ROOT/uwsgi.ini` (cwd ROOT); wait for its sockets and `wait_log`; yield Uwsgi.

    The ini should say `plugins = python3` (or `http,python3`), as on Debian.
    When run as root, unix sockets are chowned to nobody:nogroup (the Apache/
    nginx worker user) unless the ini sets chown-socket, chmod-socket or uid.

    `binary` (an oracle.UwsgiBinary, e.g. from oracle.uwsgi_binary("pip")) runs
    that build instead of Debian's; its `ini_plugins()` gives the plugin line.
    """
    if binary is None:
        oracle.uwsgi_python_plugin()
        exe = oracle.uwsgi()
    else:
        exe = binary.path
    tmpdir = Path(tmpdir).resolve()
    root = _instance_dir(tmpdir, name)
    full = _base_subst(tmpdir, root, subst)
    text = render(ini_text, full)
    if _ini_values(text, ("daemonize", "daemonize2")):
        raise StackError("uwsgi(): the ini must not daemonize (the harness tracks the pid)")
    ini = root / "uwsgi.ini"
    ini.write_text(text if text.endswith("\n") else text + "\n")
    argv = [exe, "--ini", str(ini)]
    if _running_as_root() and not _ini_values(text, ("chown-socket", "chmod-socket", "uid")):
        argv += ["--chown-socket", "%s:%s" % (UNPRIVILEGED_USER, UNPRIVILEGED_GROUP)]
    argv += list(extra_args)
    addrs = [a for a in (_uwsgi_addr(v) for _, v in _ini_values(text, _UWSGI_SOCKET_KEYS)) if a]
    for a in addrs:
        if isinstance(a, str) and len(a.encode()) >= 108:
            raise StackError("unix socket path too long (%d bytes >= 108): %s" % (len(a.encode()), a))
    log = root / "uwsgi.log"
    proc = _start(argv, root, log)
    server = Uwsgi(root, ini, log, proc, addrs, text)

    def ready() -> bool:
        if wait_log and wait_log not in server.log_text():
            return False
        return all(_can_connect(a) for a in addrs)

    try:
        _wait_ready(proc, ready, "uwsgi (%s)" % ini, [log, *server.extra_logs], timeout)
        _no_foreign_listener(proc, [a[1] for a in addrs if isinstance(a, tuple)], "uwsgi (%s)" % ini)
        yield server
    finally:
        stop_process(proc, signal.SIGINT)


# --------------------------------------------------------------------------
# nginx

_NGINX_MAIN = """\
# generated by tests/stack.py
daemon off;
master_process on;
worker_processes 1;
pid "@@ROOT@@/run/nginx.pid";
error_log "@@ROOT@@/logs/error.log" info;
@@USER@@
events { worker_connections 64; }
http {
    access_log "@@ROOT@@/logs/access.log";
    client_body_temp_path "@@ROOT@@/tmp/body";
    proxy_temp_path "@@ROOT@@/tmp/proxy";
    fastcgi_temp_path "@@ROOT@@/tmp/fastcgi";
    uwsgi_temp_path "@@ROOT@@/tmp/uwsgi";
    scgi_temp_path "@@ROOT@@/tmp/scgi";
    @@EXTRA_HTTP@@
    include "@@ROOT@@/site.conf";
}
"""


class Nginx:
    """A running nginx. Attributes: port, url, root, conf, site, pid, proc."""

    def __init__(self, root: Path, conf: Path, site: Path, port: int, proc: subprocess.Popen):
        self.root, self.conf, self.site, self.port, self.proc = root, conf, site, port, proc
        self.pid = proc.pid
        self.url = "http://127.0.0.1:%d" % port
        self.error_log = root / "logs" / "error.log"
        self.stderr_log = root / "logs" / "stderr.log"

    def url_for(self, path: str = "/") -> str:
        return self.url + (path if path.startswith("/") else "/" + path)

    def error_log_text(self) -> str:
        return _read(self.error_log)


@contextlib.contextmanager
def nginx(tmpdir: Path, site_text: str, subst: Optional[Mapping[str, object]] = None,
          extra_http: str = "", name: str = "nginx", timeout: float = READY_TIMEOUT) -> Iterator[Nginx]:
    """Start nginx (daemon off) with site_text (server blocks, `listen 127.0.0.1:@@PORT@@;`) in http{}."""
    binary = oracle.nginx()
    tmpdir = Path(tmpdir).resolve()
    root = _instance_dir(tmpdir, name)
    for d in ("logs", "run", "tmp"):
        (root / d).mkdir()
    full = _base_subst(tmpdir, root, subst)
    port = int(full.get("PORT") or oracle.free_port())
    full["PORT"] = port
    main = _NGINX_MAIN.replace("@@USER@@", "user %s %s;" % (UNPRIVILEGED_USER, UNPRIVILEGED_GROUP)
                               if _running_as_root() else "")
    main = main.replace("@@EXTRA_HTTP@@", render(extra_http, full))
    conf = root / "nginx.conf"
    conf.write_text(render(main, full))
    site = root / "site.conf"
    site.write_text(render(site_text, full) + "\n")
    argv = [binary, "-p", str(root) + "/", "-c", str(conf), "-e", str(root / "logs" / "stderr.log")]
    res = subprocess.run(argv + ["-t"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=10, stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise StackError("nginx -t failed (rc=%d) for %s:\n%s%s\n--- site.conf ---\n%s"
                         % (res.returncode, conf, res.stdout, _read(root / "logs" / "stderr.log"),
                            _read(site)))
    proc = _start(argv, root, root / "logs" / "stdout.log")
    server = Nginx(root, conf, site, port, proc)
    try:
        _wait_ready(proc, lambda: _pidfile_is(root / "run" / "nginx.pid", proc.pid)
                    and _can_connect(("127.0.0.1", port)), "nginx (%s)" % conf,
                    [server.error_log, server.stderr_log, root / "logs" / "stdout.log"], timeout)
        _no_foreign_listener(proc, [port], "nginx (%s)" % conf)
        yield server
    finally:
        stop_process(proc, signal.SIGQUIT)


# --------------------------------------------------------------------------
# HTTP client helpers (standard library only)

class Reply(NamedTuple):
    """(status, parsed JSON body or None, raw body). status is None if no response could be read.

    Extra attributes: headers (dict, lower-case names), elapsed (s),
    send_error (exception while sending the body, e.g. the server reset the
    connection after answering early), error (why no response was read).
    """
    status: Optional[int]
    json: Optional[object]
    body: bytes


class _Reply(Reply):
    # a subclass without __slots__ can carry extra attributes; unpacks as 3-tuple
    headers: dict = {}
    elapsed: float = 0.0
    send_error: Optional[BaseException] = None
    error: Optional[BaseException] = None

    def __repr__(self) -> str:
        extra = ""
        if self.send_error:
            extra += ", send_error=%r" % (self.send_error,)
        if self.error:
            extra += ", error=%r" % (self.error,)
        body = self.body[:300]
        return "Reply(status=%r, json=%r, body=%r%s, elapsed=%.2fs)" % (
            self.status, self.json, body, extra, self.elapsed)


_BLOCK = os.urandom(64 * 1024)


def _payload(nbytes: int, piece: int) -> Iterator[bytes]:
    sent = 0
    while sent < nbytes:
        n = min(piece, nbytes - sent)
        yield (_BLOCK * (n // len(_BLOCK) + 1))[:n]
        sent += n


def request(method: str, url: str, body=None, chunked: bool = False, headers: Optional[Mapping[str, str]] = None,
            chunk: int = 64 * 1024, timeout: float = CLIENT_TIMEOUT) -> Reply:
    """Send one HTTP/1.1 request (Connection: close, never Expect: 100-continue) and read the reply.

    body: None, bytes, or an int (that many generated bytes). chunked=True sends
    it with Transfer-Encoding: chunked in `chunk`-sized chunks, else with
    Content-Length. If the server answers before the body is fully sent,
    sending stops and the answer is read (like curl). Raises TimeoutError
    only if the server neither answers nor closes within `timeout`.
    """
    u = urllib.parse.urlsplit(url)
    host, port = u.hostname or "127.0.0.1", u.port or 80
    target = (u.path or "/") + ("?" + u.query if u.query else "")
    if isinstance(body, int):
        pieces, size = _payload(body, chunk), body
    elif body is None:
        pieces, size = iter(()), None
    else:
        data = bytes(body)
        pieces, size = (data[i:i + chunk] for i in range(0, len(data), chunk)), len(data)
    head = {"Host": "%s:%d" % (host, port), "User-Agent": "wsgilint-tests", "Accept": "*/*",
            "Connection": "close"}
    if chunked:
        head["Transfer-Encoding"] = "chunked"
    elif size is not None:
        head["Content-Length"] = str(size)
    for k, v in (headers or {}).items():
        for existing in [e for e in head if e.lower() == k.lower()]:
            del head[existing]
        if v is not None:
            head[k] = v
    raw = "%s %s HTTP/1.1\r\n" % (method, target) + "".join("%s: %s\r\n" % kv for kv in head.items()) + "\r\n"

    start = time.monotonic()
    sock = socket.create_connection((host, port), timeout=timeout)
    send_error = None
    try:
        try:
            sock.sendall(raw.encode("latin-1"))
            for piece in pieces:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered (or closed) early: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError) as exc:
            send_error = exc
        resp = http.client.HTTPResponse(sock, method=method)
        try:
            resp.begin()
            data = resp.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead) as exc:
            reply = _Reply(None, None, b"")
            reply.error, reply.send_error = exc, send_error
            reply.elapsed = time.monotonic() - start
            return reply
        except socket.timeout as exc:
            raise TimeoutError("%s %s: no complete answer within %.0f s" % (method, url, timeout)) from exc
        parsed = None
        if data:
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = None
        reply = _Reply(resp.status, parsed, data)
        reply.headers = {k.lower(): v for k, v in resp.getheaders()}
        reply.send_error = send_error
        reply.elapsed = time.monotonic() - start
        return reply
    finally:
        sock.close()


def post_sized(url: str, nbytes: int, headers: Optional[Mapping[str, str]] = None,
               timeout: float = CLIENT_TIMEOUT) -> Reply:
    """POST nbytes with a Content-Length header."""
    return request("POST", url, nbytes, chunked=False, headers=headers, timeout=timeout)


def post_chunked(url: str, nbytes: int, chunk: int = 64 * 1024, headers: Optional[Mapping[str, str]] = None,
                 timeout: float = CLIENT_TIMEOUT) -> Reply:
    """POST nbytes with Transfer-Encoding: chunked (chunk bytes per chunk), no Expect header."""
    return request("POST", url, nbytes, chunked=True, headers=headers, chunk=chunk, timeout=timeout)


def get(url: str, headers: Optional[Mapping[str, str]] = None, timeout: float = CLIENT_TIMEOUT) -> Reply:
    """GET url with optional extra headers."""
    return request("GET", url, None, headers=headers, timeout=timeout)
