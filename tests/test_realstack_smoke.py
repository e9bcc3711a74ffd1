"""Smoke tests of the real-server harness (tests/stack.py).

Each test starts real servers on 127.0.0.1 / unix sockets under tmp_path and
checks that they reproduce a behaviour recorded in
shared/notes/oracle-results.md.  Missing servers: loud skip, or failure with
WSGILINT_REQUIRE_ORACLES=1 (see tests/oracle.py).
"""
from __future__ import annotations

import os
import socket
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import stack  # noqa: E402

MIB5 = 5 * 1024 * 1024
TOKEN_6000 = "t" * 6000


def _need_apache_wsgi():
    oracle.apache2("mod_wsgi smoke test")
    oracle.mod_wsgi_so("mod_wsgi smoke test")


def _need_uwsgi():
    oracle.uwsgi("uWSGI smoke test")
    oracle.uwsgi_python_plugin("uWSGI smoke test")


# ---- 1. mod_wsgi daemon mode and WSGIChunkedRequest -------------------------

MOD_WSGI_SITE = """\
WSGIDaemonProcess smoke processes=1 threads=4 display-name=%{GROUP}
WSGIProcessGroup smoke
WSGIApplicationGroup %{GLOBAL}
WSGIScriptAlias / @@APP_WSGI@@
@@CHUNKED@@
<Directory @@APP_DIR@@>
    Require all granted
</Directory>
"""


def test_mod_wsgi_daemon_chunked_request_off_gives_411(tmp_path):
    _need_apache_wsgi()
    with stack.apache(tmp_path, MOD_WSGI_SITE, modules=["wsgi"], subst={"CHUNKED": ""}) as web:
        r = stack.post_chunked(web.url_for("/"), MIB5)
        assert r.status == 411, r
        sized = stack.post_sized(web.url_for("/"), MIB5)
        assert sized.status == 200, sized
        assert sized.json["bytes"] == MIB5, sized
        assert sized.json["how"] == "content-length"
        assert sized.json["server"] == "mod_wsgi"
        assert sized.json["process_group"] == "smoke", sized  # daemon mode, not embedded
        assert "chunked transfer encoding" in web.error_log_text()


def test_mod_wsgi_daemon_chunked_request_on_reads_all(tmp_path):
    _need_apache_wsgi()
    with stack.apache(tmp_path, MOD_WSGI_SITE, modules=["wsgi"],
                      subst={"CHUNKED": "WSGIChunkedRequest On"}) as web:
        r = stack.post_chunked(web.url_for("/"), MIB5)
        assert r.status == 200, r
        assert r.json["bytes"] == MIB5, r
        assert r.json["how"] == "eof(wsgi.input_terminated)", r
        # an app that honours CONTENT_LENGTH only sees no body at all
        cl_only = stack.post_chunked(web.url_for("/?mode=cl"), MIB5)
        assert cl_only.status == 200, cl_only
        assert cl_only.json["bytes"] == 0, cl_only


# ---- 2. mod_proxy_uwsgi vs mod_proxy_http in front of uWSGI -----------------

UWSGI_SOCKET_INI = """\
[uwsgi]
plugins = python3
socket = @@SOCK@@
wsgi-file = @@APP_PY@@
master = true
processes = 1
"""

UWSGI_HTTP_SOCKET_INI = """\
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:@@UPORT@@
wsgi-file = @@APP_PY@@
master = true
processes = 1
"""

PROXY_SITE = """\
ProxyPass /uw/ unix:@@SOCK@@|uwsgi://uwsgi-smoke/ retry=0
ProxyPass /http/ http://127.0.0.1:@@UPORT@@/ retry=0
<Location /uw/>
    SetEnv proxy-sendcl 1
</Location>
<Location /http/>
    SetEnv proxy-sendchunked 1
</Location>
"""


def test_mod_proxy_uwsgi_refuses_chunked_but_proxy_http_streams_it(tmp_path):
    _need_uwsgi()
    oracle.apache2("mod_proxy smoke test")
    sock = str(tmp_path / "uw.sock")
    uport = oracle.free_port()
    subst = {"SOCK": sock, "UPORT": uport}
    with stack.uwsgi(tmp_path, UWSGI_SOCKET_INI, subst, name="uwsgi-socket") as uw, \
            stack.uwsgi(tmp_path, UWSGI_HTTP_SOCKET_INI, subst, name="uwsgi-http") as uh, \
            stack.apache(tmp_path, PROXY_SITE, modules=["proxy", "proxy_uwsgi", "proxy_http", "env"],
                         subst=subst) as web:
        # mod_proxy_uwsgi: sized bodies pass ...
        sized = stack.post_sized(web.url_for("/uw/"), MIB5)
        assert sized.status == 200, sized
        assert sized.json["bytes"] == MIB5, sized
        # ... chunked ones are refused, proxy-sendcl notwithstanding
        r = stack.post_chunked(web.url_for("/uw/"), MIB5)
        assert r.status == 411, r
        assert "AH01593" in web.error_log_text()
        # mod_proxy_http + proxy-sendchunked -> uWSGI http-socket: all bytes via chunked_read
        r = stack.post_chunked(web.url_for("/http/"), MIB5)
        assert r.status == 200, r
        assert r.json["bytes"] == MIB5, r
        assert r.json["how"] == "uwsgi.chunked_read", r
        assert r.json["error"] is None, r
        assert "POST /" in uh.wait_log("POST /")
        assert "POST /" in uw.wait_log("POST /")


# ---- 3. uWSGI http router and http-chunked-input ----------------------------

UWSGI_ROUTER_INI = """\
[uwsgi]
plugins = http,python3
http = 127.0.0.1:@@UPORT@@
wsgi-file = @@APP_PY@@
master = true
processes = 1
socket-timeout = 2
@@CHUNKED_INPUT@@
"""


@pytest.mark.parametrize("chunked_input, expect_bytes", [("", 0), ("http-chunked-input = true", MIB5)],
                         ids=["no-http-chunked-input", "http-chunked-input"])
def test_uwsgi_http_router_chunked_input(tmp_path, chunked_input, expect_bytes):
    _need_uwsgi()
    oracle.uwsgi_http_plugin("uWSGI http router smoke test")
    subst = {"UPORT": oracle.free_port(), "CHUNKED_INPUT": chunked_input}
    with stack.uwsgi(tmp_path, UWSGI_ROUTER_INI, subst) as uw:
        r = stack.post_chunked(uw.url + "/", MIB5)
        assert r.status == 200, r
        assert r.json["how"] == "uwsgi.chunked_read", r
        assert r.json["bytes"] == expect_bytes, r
        if expect_bytes == 0:
            assert "unable to receive chunked part" in (r.json["error"] or ""), r
        else:
            assert r.json["error"] is None, r


# ---- 4. uWSGI buffer-size behind mod_proxy_uwsgi ----------------------------

UWSGI_BUFSIZE_INI = """\
[uwsgi]
plugins = python3
socket = @@SOCK@@
wsgi-file = @@APP_PY@@
master = true
processes = 1
@@BUFFER_SIZE@@
"""

BUFSIZE_SITE = """\
ProxyPass /default/ unix:@@SOCK_DEFAULT@@|uwsgi://uwsgi-default/ retry=0
ProxyPass /big/ unix:@@SOCK_BIG@@|uwsgi://uwsgi-big/ retry=0
"""


def test_uwsgi_buffer_size_vs_big_token_header(tmp_path):
    _need_uwsgi()
    oracle.apache2("mod_proxy_uwsgi smoke test")
    subst = {"SOCK_DEFAULT": str(tmp_path / "default.sock"), "SOCK_BIG": str(tmp_path / "big.sock")}
    with stack.uwsgi(tmp_path, UWSGI_BUFSIZE_INI, {"SOCK": subst["SOCK_DEFAULT"], "BUFFER_SIZE": ""},
                     name="uwsgi-default") as default, \
            stack.uwsgi(tmp_path, UWSGI_BUFSIZE_INI, {"SOCK": subst["SOCK_BIG"],
                                                     "BUFFER_SIZE": "buffer-size = 65535"},
                        name="uwsgi-big"), \
            stack.apache(tmp_path, BUFSIZE_SITE, modules=["proxy", "proxy_uwsgi"], subst=subst) as web:
        control = stack.get(web.url_for("/default/"))
        assert control.status == 200, control
        assert control.json["token_len"] is None
        r = stack.get(web.url_for("/default/"), headers={"X-Auth-Token": TOKEN_6000})
        assert r.status in (500, 502), r
        assert "invalid request block size" in default.log_text()
        r = stack.get(web.url_for("/big/"), headers={"X-Auth-Token": TOKEN_6000})
        assert r.status == 200, r
        assert r.json["token_len"] == 6000, r
        assert r.json["buffer_size"] == "65535", r


# ---- 5. nginx uwsgi_pass defaults -------------------------------------------

NGINX_SITE = """\
server {
    listen 127.0.0.1:@@PORT@@;
    location / {
        include /etc/nginx/uwsgi_params;
        uwsgi_pass unix:@@SOCK@@;
    }
}
"""


def test_nginx_default_body_limit_and_uwsgi_buffer(tmp_path):
    _need_uwsgi()
    oracle.nginx("nginx smoke test")
    oracle.require_file("/etc/nginx/uwsgi_params", "nginx smoke test", what="/etc/nginx/uwsgi_params missing")
    subst = {"SOCK": str(tmp_path / "ng.sock")}
    with stack.uwsgi(tmp_path, UWSGI_SOCKET_INI, subst) as uw, stack.nginx(tmp_path, NGINX_SITE, subst) as ng:
        r = stack.post_sized(ng.url_for("/"), MIB5)
        assert r.status == 413, r  # client_max_body_size defaults to 1m
        assert "client intended to send too large body" in ng.error_log_text()
        small = stack.post_chunked(ng.url_for("/"), 100_000)
        assert small.status == 200, small
        assert small.json["bytes"] == 100_000, small
        assert small.json["how"] == "content-length", small  # nginx buffered it and sent a length
        r = stack.get(ng.url_for("/"), headers={"X-Auth-Token": TOKEN_6000})
        assert r.status == 502, r
        assert "invalid request block size" in uw.log_text()


# ---- harness self-checks ------------------------------------------------------

def test_harness_reports_apache_config_errors(tmp_path):
    oracle.apache2("harness self-check")
    with pytest.raises(stack.StackError, match="Invalid command 'ProxyPass'"):
        with stack.apache(tmp_path, "ProxyPass /x http://127.0.0.1:9/\n"):
            pass  # pragma: no cover - never reached
    with pytest.raises(stack.StackError, match="unreplaced placeholders @@NOPE@@"):
        with stack.apache(tmp_path, "# @@NOPE@@\n"):
            pass  # pragma: no cover - never reached


def test_harness_stops_servers_even_when_the_test_fails(tmp_path):
    _need_uwsgi()
    oracle.apache2("harness self-check")
    groups = []
    subst = {"SOCK": str(tmp_path / "s.sock")}
    with pytest.raises(ZeroDivisionError):
        with stack.uwsgi(tmp_path, UWSGI_SOCKET_INI, subst) as uw, \
                stack.apache(tmp_path, "ProxyPass / unix:@@SOCK@@|uwsgi://x/\n",
                             modules=["proxy", "proxy_uwsgi"], subst=subst) as web:
            groups += [uw.pid, web.pid]
            ok = stack.get(web.url_for("/"))
            assert ok.status == 200, ok
            1 / 0
    for pgid in groups:
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)


def test_oracle_policy_skip_or_fail(monkeypatch):
    monkeypatch.delenv(oracle.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="ORACLE MISSING: wsgilint-no-such-binary"):
        oracle.require("wsgilint-no-such-binary", "policy check")
    monkeypatch.setenv(oracle.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="ORACLE MISSING: wsgilint-no-such-binary"):
        oracle.require("wsgilint-no-such-binary", "policy check")
    assert os.path.isabs(oracle.require("sh"))


def test_harness_sees_a_foreign_listener_on_the_port(tmp_path):
    """A stray listener sharing a server's port (SO_REUSEPORT) must not pass for the server."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert stack.foreign_listeners(os.getpgid(0), [port]) == []
        stray = stack.foreign_listeners(os.getpid() + 1_000_000, [port])  # a group with no process
        assert len(stray) == 1 and "pid %d:" % os.getpid() in stray[0], stray
        _need_uwsgi()
        text = "[uwsgi]\nplugins = python3\nwsgi-file = @@APP_PY@@\nmaster = true\nprocesses = 1\n" \
               "http-socket = 127.0.0.1:%d\nreuse-port = true\n" % port
        with pytest.raises(stack.StackError, match="port %d is also LISTENed on by pid %d" % (port, os.getpid())):
            with stack.uwsgi(tmp_path, text):
                pass  # pragma: no cover - never reached
