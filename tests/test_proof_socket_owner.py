"""Real-server measurements behind WSG215 (proxy-unix-socket-permissions): who owns the unix
socket uWSGI binds, with which mode, and what the web server's user gets.

- uWSGI started as root with `uid`/`gid` binds its sockets after dropping privileges: the file
  belongs to uid:gid; its mode is 0777 & ~umask (no chmod-socket). Both uWSGI builds (Debian
  2.0.21, pip 2.0.31).
- nginx (master as root, workers as `user nobody nogroup`) in front of that socket: 502 and
  "(13: Permission denied) while connecting to upstream"; `chmod-socket = 666` fixes it.
- Apache 2.4.71 (Debian's apache2, mod_proxy_uwsgi `unix:SOCK|uwsgi://`) with children as
  nobody:nogroup (uWSGI root + uid = www-data) or www-data:www-data (uWSGI started as the unit's
  User=, `daemon` standing in for keystone): 503 and "(13)Permission denied: AH02454";
  chmod-socket = 660 + chown-socket to Apache's group, or 666, answer 200. A uWSGI that is not
  root cannot chown-socket to a group it is not in: it exits.
Needs root (to start uWSGI as root and let it change users): skipped loudly otherwise.
"""

from __future__ import annotations

import os
import pwd
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

pytestmark = pytest.mark.oracle

APP = "def application(e, s):\n    s('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok']\n"


def _need_root():
    if os.geteuid() != 0:
        oracle.missing("not root: uWSGI cannot be started as root and change to another user", "WSG215 proof")
    for name in ("nobody", "www-data"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            oracle.missing(f"no user {name}", "WSG215 proof")


@pytest.fixture
def work():
    """A directory every user can reach (pytest's tmp_path is under a 0700 directory of root's)."""
    import shutil
    import tempfile
    from pathlib import Path

    d = tempfile.mkdtemp(prefix="wsgilint-wsg215-", dir="/tmp")
    os.chmod(d, 0o1777)
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(params=oracle.UWSGI_FLAVOURS)
def binary(request):
    return oracle.uwsgi_binary(request.param, "WSG215 proof")


def _start(binary, tmp_path, extra: str, umask: int = 0o022, as_user: str | None = None):
    """uWSGI started as root (as Debian's init script or a unit without User= does), or directly as
    `as_user` with its groups (as systemd's User=/Group= does: initgroups, then setuid)."""
    sock = tmp_path / "app.sock"
    (tmp_path / "app.py").write_text(APP)
    ini = tmp_path / "app.ini"
    ini.write_text(f"[uwsgi]\n{binary.ini_plugins()}\nsocket = {sock}\nwsgi-file = {tmp_path / 'app.py'}\n"
                   f"master = true\nprocesses = 1\ndie-on-term = true\n{extra}")
    os.chmod(tmp_path, 0o1777)  # the dropped user may create the socket here
    log = open(tmp_path / "uwsgi.log", "wb")
    def preexec():
        os.umask(umask)
        if as_user is not None:
            pw = pwd.getpwnam(as_user)
            os.initgroups(as_user, pw.pw_gid)
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)

    proc = subprocess.Popen([binary.path, "--ini", str(ini)], stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=preexec, cwd=tmp_path)
    for _ in range(100):
        if sock.exists() or proc.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    return proc, sock


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_socket_belongs_to_uid_and_follows_the_umask(binary, work, umask):
    tmp_path = work
    _need_root()
    proc, sock = _start(binary, tmp_path, "uid = nobody\ngid = nogroup\n", umask)
    try:
        st = os.stat(sock)
        assert pwd.getpwuid(st.st_uid).pw_name == "nobody"
        assert stat.S_IMODE(st.st_mode) == 0o777 & ~umask
    finally:
        _stop(proc)


def test_socket_of_root_without_uid_is_roots(binary, work):
    tmp_path = work
    _need_root()
    proc, sock = _start(binary, tmp_path, "")
    try:
        st = os.stat(sock)
        assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o755
    finally:
        _stop(proc)


def _nginx(tmp_path, sock, port):
    conf = tmp_path / "nginx.conf"
    (tmp_path / "logs").mkdir(exist_ok=True)
    conf.write_text(
        f"user nobody nogroup;\nworker_processes 1;\ndaemon off;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/logs/error.log;\nevents {{ worker_connections 16; }}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/cb;\n proxy_temp_path {tmp_path}/pt;\n"
        f" fastcgi_temp_path {tmp_path}/ft;\n uwsgi_temp_path {tmp_path}/ut;\n scgi_temp_path {tmp_path}/st;\n"
        f" server {{ listen 127.0.0.1:{port}; location / {{ uwsgi_param REQUEST_METHOD $request_method;\n"
        f"  uwsgi_param PATH_INFO $uri; uwsgi_param SERVER_NAME $server_name; uwsgi_param SERVER_PORT $server_port;\n"
        f"  uwsgi_param SERVER_PROTOCOL $server_protocol; uwsgi_pass unix:{sock}; }} }}\n}}\n")
    proc = subprocess.Popen([oracle.nginx("WSG215 proof"), "-c", str(conf), "-p", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc


def _get(port) -> int:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.parametrize("fix", ["", "chmod-socket = 666\n"])
def test_nginx_user_cannot_connect_to_another_users_socket(binary, work, fix):
    tmp_path = work
    _need_root()
    proc, sock = _start(binary, tmp_path, "uid = www-data\ngid = www-data\n" + fix)
    port = oracle.free_port()
    web = _nginx(tmp_path, sock, port)
    try:
        status = _get(port)
        log = (tmp_path / "logs/error.log").read_text()
        if fix:
            assert status == 200
        else:
            assert status == 502
            assert "(13: Permission denied) while connecting to upstream" in log
    finally:
        _stop(web)
        _stop(proc)


# -- the configurations of WSG215's fixtures, linted and then run --------------------------------
FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "rules",
                           "proxy-unix-socket-permissions")
# A fixture's ini options that the run keeps as they are (socket/module are the test's own).
_KEPT = ("uid", "gid", "chown-socket", "chmod-socket", "umask")


def _fixture_options(case: str) -> str:
    import configparser

    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.read(os.path.join(FIXTURE_DIR, case, "etc/uwsgi/app.ini"))
    return "".join(f"{k} = {v}\n" for k, v in cp["uwsgi"].items() if k in _KEPT)


def _lint(case: str):
    from pathlib import Path

    from lintrun import check

    root = Path(FIXTURE_DIR, case).resolve()
    return check([root], cwd=root.parent, select=["WSG215"], root=root).findings


@pytest.mark.parametrize("case", ["bad_error", "bad_umask_no_member", "good_chown_socket"])
def test_lint_error_fixture_fails_as_deployed(binary, work, case):
    """wsgilint says error on the bad fixtures (the unit sets no UMask=: systemd's 0022, nginx runs
    as `user nobody nogroup`, /etc/group does not put nobody in www-data, as on this machine) and
    nginx answers 502 (13: Permission denied) for that configuration; the good fixture's
    chown-socket = nobody is quiet and answers 200."""
    from wsgilint.findings import ERROR

    findings = _lint(case)
    _need_root()
    import grp

    if "nobody" in grp.getgrnam("www-data").gr_mem:
        oracle.missing("nobody is in group www-data on this machine, unlike the fixtures", "WSG215 proof")
    tmp_path = work
    proc, sock = _start(binary, tmp_path, _fixture_options(case), umask=0o022)
    port = oracle.free_port()
    web = _nginx(tmp_path, sock, port)
    try:
        status = _get(port)
        log = (tmp_path / "logs/error.log").read_text()
        if case.startswith("good"):
            assert findings == []
            assert status == 200
        else:
            assert [f.severity for f in findings] == [ERROR]
            assert status == 502
            assert "(13: Permission denied) while connecting to upstream" in log
    finally:
        _stop(web)
        _stop(proc)


def test_umask_option_and_chown_socket(binary, work):
    """uWSGI's `umask = 002` overrides the umask it starts with (022): the socket gets 775; with
    chown-socket it binds before dropping privileges and the file then belongs to the named user
    (group unchanged: root's)."""
    tmp_path = work
    _need_root()
    proc, sock = _start(binary, tmp_path, "uid = www-data\ngid = www-data\numask = 002\n", umask=0o022)
    try:
        st = os.stat(sock)
        assert pwd.getpwuid(st.st_uid).pw_name == "www-data" and stat.S_IMODE(st.st_mode) == 0o775
    finally:
        _stop(proc)
    os.unlink(sock) if sock.exists() else None
    proc, sock = _start(binary, tmp_path, "uid = www-data\ngid = www-data\nchown-socket = nobody\n", umask=0o022)
    try:
        st = os.stat(sock)
        assert pwd.getpwuid(st.st_uid).pw_name == "nobody" and st.st_gid == 0
        assert stat.S_IMODE(st.st_mode) == 0o755
    finally:
        _stop(proc)


# -- Apache in front: the same configurations with httpd's children as another user ----------------
def _apache(tmp_path, fixture_site: str, sock, user: str, group: str):
    """Debian's apache2 (tests/stack.py: master as root, mpm_event) with the fixture's ProxyPass line,
    its socket path replaced by the test's; `User`/`Group` after stack.py's own (nobody/nogroup as
    root): the last one wins, which _child_users() checks."""
    import re

    import stack

    text = open(os.path.join(FIXTURE_DIR, fixture_site)).read()
    site = re.sub(r"unix:/run/uwsgi/[^|]+\|", f"unix:{sock}|", text)
    assert f"unix:{sock}|" in site, site
    return stack.apache(tmp_path, site, modules=["proxy", "proxy_uwsgi"], extra_global=f"User {user}\nGroup {group}\n",
                        name="apache-wsg215")


def _child_users(pid: int) -> set[tuple[str, str]]:
    """(user, group) of the processes whose parent is `pid` (httpd's children)."""
    import grp

    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            status = open(f"/proc/{d}/status").read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) != pid:
            continue
        uid, gid = int(fields["Uid"].split()[1]), int(fields["Gid"].split()[1])
        out.add((pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name))
    return out


def _get_url(url) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code


def _apache_not_member(user: str, group: str):
    import grp

    if user in grp.getgrnam(group).gr_mem:
        oracle.missing(f"{user} is in group {group} on this machine, unlike the fixtures", "WSG215 proof")


@pytest.mark.parametrize("case", ["bad_error_apache", "good_apache_group"])
def test_lint_apache_fixture_fails_as_deployed(binary, work, case):
    """The Apache twin of bad_error: uWSGI started as root (app.service sets no User=) with uid/gid
    www-data, no UMask= (022); Apache's `User nobody`/`Group nogroup`; /etc/group does not put nobody
    in www-data (as on this machine). wsgilint says error and Apache answers 503 with
    "(13)Permission denied: AH02454"; the good twin's chmod-socket = 660 + chown-socket =
    www-data:nogroup (the rule's fix: Apache's group) is quiet and answers 200."""
    from wsgilint.findings import ERROR

    findings = _lint(case)
    _need_root()
    _apache_not_member("nobody", "www-data")
    oracle.apache2("WSG215 proof")
    tmp_path = work
    proc, sock = _start(binary, tmp_path, _fixture_options(case), umask=0o022)
    try:
        with _apache(tmp_path, f"{case}/etc/apache2/sites-enabled/app.conf", sock, "nobody", "nogroup") as web:
            assert _child_users(web.pid) == {("nobody", "nogroup")}
            status = _get_url(web.url_for("/"))
            log = web.error_log_text()
            if case.startswith("good"):
                assert findings == []
                assert status == 200, web.logs_report()
            else:
                assert [f.severity for f in findings] == [ERROR]
                assert "Apache runs as nobody" in findings[0].message
                assert status == 503, web.logs_report()
                assert "(13)Permission denied: AH02454" in log, web.logs_report()
    finally:
        _stop(proc)


# bad_known_users: keystone.service runs uWSGI as User=keystone/Group=keystone (no UMask=: 022);
# Apache runs as www-data:www-data (envvars). This machine has no keystone user: the system user
# `daemon` (group daemon) stands in for it; www-data is www-data.
_KEYSTONE = "daemon"


@pytest.mark.parametrize("fix", ["", "chmod-socket = 666\n"])
def test_lint_apache_known_users_fails_as_deployed(binary, work, fix):
    """uWSGI started directly as the unit's user (as systemd's User= does, not root + uid): the socket
    is keystone's with mode 755, Apache's www-data children get 503 and "(13)Permission denied:
    AH02454"; wsgilint says error. `chmod-socket = 666` answers 200."""
    from wsgilint.findings import ERROR

    findings = _lint("bad_known_users")
    assert [f.severity for f in findings] == [ERROR]
    assert "Apache runs as www-data" in findings[0].message and "owner keystone" in findings[0].message
    _need_root()
    _apache_not_member("www-data", _KEYSTONE)
    oracle.apache2("WSG215 proof")
    tmp_path = work
    proc, sock = _start(binary, tmp_path, fix, umask=0o022, as_user=_KEYSTONE)
    try:
        st = os.stat(sock)
        assert pwd.getpwuid(st.st_uid).pw_name == _KEYSTONE
        assert stat.S_IMODE(st.st_mode) == (0o666 if fix else 0o755)
        with _apache(tmp_path, "bad_known_users/etc/apache2/sites-enabled/keystone.conf", sock,
                     "www-data", "www-data") as web:
            assert _child_users(web.pid) == {("www-data", "www-data")}
            status = _get_url(web.url_for("/identity/"))
            if fix:
                assert status == 200, web.logs_report()
            else:
                assert status == 503, web.logs_report()
                assert "(13)Permission denied: AH02454" in web.error_log_text(), web.logs_report()
    finally:
        _stop(proc)


def test_chown_socket_to_apaches_group_needs_root_or_membership(binary, work):
    """The other half of the rule's fix, `chown-socket = keystone:www-data`, when uWSGI is not root
    (systemd's User=keystone) and keystone is not in www-data: chown(2) fails with EPERM and uWSGI
    exits (core/utils.c uwsgi_chown: uwsgi_error("chown()"); exit(1)). Measured so the message's
    660 + chown-socket advice is known to need root (uid/gid in the ini) or that membership."""
    _need_root()
    _apache_not_member(_KEYSTONE, "www-data")
    tmp_path = work
    proc, sock = _start(binary, tmp_path, f"chmod-socket = 660\nchown-socket = {_KEYSTONE}:www-data\n",
                        umask=0o022, as_user=_KEYSTONE)
    try:
        rc = proc.wait(10)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise
    log = (tmp_path / "uwsgi.log").read_text(errors="replace")
    assert rc != 0 and "chown()" in log and "Operation not permitted" in log, log
