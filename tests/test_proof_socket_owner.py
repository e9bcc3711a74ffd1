"""Real-server measurements behind WSG215 (proxy-unix-socket-permissions): who owns the unix
socket uWSGI binds, with which mode, and what the web server's user gets.

- uWSGI started as root with `uid`/`gid` binds its sockets after dropping privileges: the file
  belongs to uid:gid; its mode is 0777 & ~umask (no chmod-socket). Both uWSGI builds (Debian
  2.0.21, pip 2.0.31).
- nginx (master as root, workers as `user nobody nogroup`) in front of that socket: 502 and
  "(13: Permission denied) while connecting to upstream"; `chmod-socket = 666` fixes it.
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


def _start(binary, tmp_path, extra: str, umask: int = 0o022):
    sock = tmp_path / "app.sock"
    (tmp_path / "app.py").write_text(APP)
    ini = tmp_path / "app.ini"
    ini.write_text(f"[uwsgi]\n{binary.ini_plugins()}\nsocket = {sock}\nwsgi-file = {tmp_path / 'app.py'}\n"
                   f"master = true\nprocesses = 1\ndie-on-term = true\n{extra}")
    os.chmod(tmp_path, 0o1777)  # the dropped user may create the socket here
    log = open(tmp_path / "uwsgi.log", "wb")
    proc = subprocess.Popen([binary.path, "--ini", str(ini)], stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: os.umask(umask), cwd=tmp_path)
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
