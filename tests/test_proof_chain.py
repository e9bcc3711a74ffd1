"""Every hop in front of a backend: real-server proofs through nginx in front of uWSGI (issue 15 item 3, 4).

Each test lints a fixture, then runs that same configuration on loopback (Debian's nginx 1.22 in
front of Debian's uWSGI 2.0.21, tests/stack.py; only addresses, the app and the uwsgi_params path
swapped) and asserts what the rule's chain model predicts:

- nginx `proxy_pass` with its default request buffering reads a chunked upload whole and sends it
  with a Content-Length: three 2 MiB chunks with 6 s pauses reach a default uWSGI http-socket
  (socket-timeout 4, chunked-input-limit 1 MiB) as CONTENT_LENGTH 6291456, read whole. WSG110 and
  WSG102 stay quiet there (the false findings of issue 15).
- `proxy_request_buffering off; proxy_http_version 1.1;` streams the body on chunked, re-chunked from
  nginx's client_body_buffer_size: with the default buffer 2 MiB client chunks pass (WSG110 quiet),
  with `client_body_buffer_size 4m` they reach uWSGI whole and break its 1 MiB limit (WSG110 error);
  the client's 6 s pauses reach uWSGI and break its 4 s socket-timeout (WSG102 warning).
- `unix:///path` is the socket `/path` to nginx and httpd (WSG405 quiet): both answer 200.
- An Apache route that answers 411 to chunked bodies (mod_proxy_uwsgi: WSG401; mod_wsgi without
  WSGIChunkedRequest On: WSG201) on a loopback-only Listen behind nginx's default `proxy_pass`: the
  chunked upload through nginx gets 200 and the app sees CONTENT_LENGTH (the rules stay quiet); the
  same upload straight to Apache gets 411 (the public-Listen twins: error); through nginx with
  `proxy_request_buffering off; proxy_http_version 1.1;` it gets 411 (error). With buffering off and
  no proxy_http_version, nginx before 1.29.7 (the installed one) still sends Content-Length: 200.

Missing binaries: loud skip, or failure with WSGILINT_REQUIRE_ORACLES=1. Each test is bounded.
"""
from __future__ import annotations

import http.client
import os
import socket
import time
from pathlib import Path

import pytest

import oracle
import stack
from conftest import FIXTURES
from lintrun import check
from proofkit import fixture_text, need_apache, need_uwsgi, runnable_ini, time_limit

RULES = FIXTURES / "rules"
MIB = 1024 * 1024
UWSGI_PARAMS = "/etc/nginx/uwsgi_params"
TEST_BUDGET = 90


@pytest.fixture(autouse=True)
def _time_bound():
    with time_limit(TEST_BUDGET):
        yield


def _need_servers(why: str) -> None:
    oracle.nginx(why)
    need_uwsgi(why)


def _lint(case: Path, *rules: str) -> list[tuple[str, str]]:
    result = check([case], cwd=case.parent, select=list(rules))
    return [(f.rule.id, f.severity.label) for f in result.findings]


def _site(case: Path, port: int) -> str:
    return fixture_text(case / "glance-api.conf", {"listen 9292;": "listen 127.0.0.1:@@PORT@@;",
                                                   "192.0.2.10:60999": f"127.0.0.1:{port}"})


def _ini(case: Path, port: int) -> str:
    text = runnable_ini(case / "glance-api-uwsgi.ini", {"192.0.2.10:60999": f"127.0.0.1:{port}"}, keys="module")
    return text.replace("[uwsgi]\n", "[uwsgi]\nplugins = python3\n", 1)


def _slow_chunked(url: str, chunks: int, size: int, pause: float) -> stack.Reply:
    """POST ``chunks`` chunks of ``size`` bytes, pausing ``pause`` s between them; the reply (status None if none)."""
    host, _, rest = url.partition("://")[2].partition(":")
    port, _, path = rest.partition("/")
    sock = socket.create_connection((host, int(port)), timeout=60)
    try:
        sock.sendall(f"POST /{path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
                     f"Connection: close\r\n\r\n".encode())
        try:
            for i in range(chunks):
                sock.sendall(b"%x\r\n" % size + b"a" * size + b"\r\n")
                if i < chunks - 1:
                    time.sleep(pause)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server gave up on the body: read what it answered
        resp = http.client.HTTPResponse(sock, method="POST")
        try:
            resp.begin()
            data = resp.read()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return stack.Reply(None, None, b"")
        import json
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        return stack.Reply(resp.status, parsed, data)
    finally:
        sock.close()


def test_buffering_proxy_pass_sends_content_length_so_wsg110_and_wsg102_stay_quiet(tmp_path):
    case = RULES / "uwsgi-chunked-input-limit" / "good_behind_nginx"
    assert _lint(case, "WSG110", "WSG102") == []
    # the same uWSGI instance reached straight over the network is judged (the findings issue 15 saw)
    assert _lint(case / "glance-api-uwsgi.ini", "WSG110", "WSG102") == [("WSG110", "warning"), ("WSG102", "warning")]
    _need_servers("chain proof: nginx proxy_pass buffering")
    port = oracle.free_port()
    with stack.uwsgi(tmp_path, _ini(case, port)), stack.nginx(tmp_path, _site(case, port)) as ng:
        r = _slow_chunked(ng.url_for("/?mode=auto"), 3, 2 * MIB, 6)
        assert r.status == 200, r
        assert r.json["content_length"] == str(6 * MIB), r
        assert r.json["transfer_encoding"] is None and r.json["how"] == "content-length", r
        assert r.json["bytes"] == 6 * MIB and r.json["error"] is None, r


def test_streaming_proxy_pass_with_a_big_buffer_breaks_the_chunk_limit(tmp_path):
    bad = RULES / "uwsgi-chunked-input-limit" / "bad_nginx_streaming"
    good = RULES / "uwsgi-chunked-input-limit" / "good_nginx_streaming"
    assert _lint(bad, "WSG110") == [("WSG110", "error")]
    assert _lint(good, "WSG110") == []
    _need_servers("chain proof: nginx proxy_pass streaming (WSG110)")
    port = oracle.free_port()
    with stack.uwsgi(tmp_path, _ini(bad, port), name="u-bad"), \
            stack.nginx(tmp_path, _site(bad, port), name="n-bad") as ng:
        r = _slow_chunked(ng.url_for("/?mode=auto"), 3, 2 * MIB, 0)
        # 2 MiB chunks reach uWSGI: chunked_read() fails, uWSGI drops the connection, nginx answers 502
        assert r.status != 200 or r.json["bytes"] < 6 * MIB, r
    with stack.uwsgi(tmp_path, _ini(good, port), name="u-good"), \
            stack.nginx(tmp_path, _site(good, port), name="n-good") as ng:
        r = _slow_chunked(ng.url_for("/?mode=auto"), 3, 2 * MIB, 0)
        assert r.status == 200, r
        # it arrived chunked (streamed), in pieces under the 1 MiB limit
        assert r.json["transfer_encoding"] == "chunked" and r.json["how"] == "uwsgi.chunked_read", r
        assert r.json["bytes"] == 6 * MIB and r.json["error"] is None, r


def test_streaming_proxy_pass_passes_the_pauses_so_wsg102_applies(tmp_path):
    bad = RULES / "uwsgi-socket-timeout-short" / "bad_nginx_streaming"
    assert _lint(bad, "WSG102") == [("WSG102", "warning")]
    _need_servers("chain proof: nginx proxy_pass streaming (WSG102)")
    port = oracle.free_port()
    with stack.uwsgi(tmp_path, _ini(bad, port), name="u-bad"), \
            stack.nginx(tmp_path, _site(bad, port), name="n-bad") as ng:
        r = _slow_chunked(ng.url_for("/?mode=auto"), 2, 2 * MIB, 6)
        assert r.status == 200 and r.json["bytes"] == 0, r  # 200 after reading nothing
        assert "unable to receive chunked part" in r.json["error"], r
    fixed = _ini(bad, port).replace("processes = 4\n", "processes = 4\nsocket-timeout = 30\n", 1)
    with stack.uwsgi(tmp_path, fixed, name="u-fixed"), \
            stack.nginx(tmp_path, _site(bad, port), name="n-fixed") as ng:
        r = _slow_chunked(ng.url_for("/?mode=auto"), 2, 2 * MIB, 6)
        assert r.status == 200 and r.json["bytes"] == 4 * MIB and r.json["error"] is None, r


def test_unix_triple_slash_is_the_same_socket_to_nginx_and_httpd(tmp_path):
    case = RULES / "proxy-target-unserved" / "good_unix_triple_slash"
    assert _lint(case, "WSG405") == []
    result = check([case], cwd=case.parent)
    assert sorted(r.bind is not None for r in result.model.routes) == [True, True]
    _need_servers("WSG405 proof: unix:///")
    sock = "/run/uwsgi/heat-api.sock"
    ini = runnable_ini(case / "uwsgi" / "heat-api-uwsgi.ini", {sock: "@@TMP@@/heat.sock"}, keys="wsgi-file")
    site = fixture_text(case / "nginx" / "heat-api.conf", {"listen 8004;": "listen 127.0.0.1:@@PORT@@;",
                                                           "include uwsgi_params;": f"include {UWSGI_PARAMS};",
                                                           sock: "@@TMP@@/heat.sock"})
    assert "uwsgi_pass unix://@@TMP@@/heat.sock" in site  # unix:///tmp/... once rendered
    with stack.uwsgi(tmp_path, ini):
        with stack.nginx(tmp_path, site) as ng:
            assert stack.get(ng.url_for("/heat-api")).status == 200
        need_apache("WSG405 proof: unix:/// in ProxyPass")
        vhost = fixture_text(case / "apache" / "heat-api.conf", {sock: "@@TMP@@/heat.sock"})
        assert "unix://@@TMP@@/heat.sock" in vhost
        with stack.apache(tmp_path, vhost, modules=["proxy", "proxy_uwsgi"]) as ap:
            assert stack.get(ap.url_for("/heat-api")).status == 200


# ---- an Apache route that refuses chunked bodies, behind nginx (WSG401, WSG201) ----------------------
# Apache sits on a loopback-only Listen with nginx in front. nginx's default request buffering reads the
# chunked upload whole and sends it with a Content-Length: Apache's mod_proxy_uwsgi (WSG401) and mod_wsgi
# without WSGIChunkedRequest On (WSG201) never see a chunked body, and the rules stay quiet. The same
# upload sent to Apache straight gets 411 (what the twin with a public Listen allows), and so does the
# upload through nginx with `proxy_request_buffering off; proxy_http_version 1.1;` (streamed on).


def _nginx_version() -> tuple[int, ...]:
    import re
    import subprocess

    out = subprocess.run([oracle.nginx(), "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=10).stdout
    m = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out)
    assert m, out
    return tuple(int(x) for x in m.groups())


def _severities(case: Path, rule: str) -> list[str]:
    return [sev for _, sev in _lint(case, rule)]


def _nginx_to_apache(case: Path, apache_port: int) -> str:
    return fixture_text(case / "nginx" / "glance-api.conf", {"listen 9292;": "listen 127.0.0.1:@@PORT@@;",
                                                             "127.0.0.1:8292": f"127.0.0.1:{apache_port}"})


def _apache_site(case: Path, extra: dict) -> str:
    # the harness's httpd.conf listens on 127.0.0.1:@@PORT@@ (loopback only, as the fixture's Listen)
    return fixture_text(case / "apache" / "glance-api.conf",
                        dict({"Listen 127.0.0.1:8292\n": "", "<VirtualHost *:8292>": "<VirtualHost *:@@PORT@@>"},
                             **extra))


def _chunked_through_nginx_and_straight(tmp_path, folder: Path, modules, apache_extra: dict,
                                        subst: dict, refused_log: str) -> None:
    good, streaming = folder / "good_behind_nginx", folder / "bad_nginx_streaming"
    with stack.apache(tmp_path, _apache_site(good, apache_extra), modules=modules, subst=subst) as web:
        with stack.nginx(tmp_path, _nginx_to_apache(good, web.port), name="n-buffering") as ng:
            r = stack.post_chunked(ng.url_for("/image/?mode=auto"), 3 * MIB, timeout=30)
            assert r.status == 200, (r, web.logs_report())
            assert r.json["content_length"] == str(3 * MIB), r  # nginx sent it whole, with Content-Length
            assert r.json["bytes"] == 3 * MIB and r.json["error"] is None, r
        r = stack.post_chunked(web.url_for("/image/?mode=auto"), 3 * MIB, timeout=30)  # straight to Apache
        assert r.status == 411, (r, web.logs_report())
        assert refused_log in web.error_log_text(), web.logs_report()
    with stack.apache(tmp_path, _apache_site(streaming, apache_extra), modules=modules, subst=subst,
                      name="a-streaming") as web:
        with stack.nginx(tmp_path, _nginx_to_apache(streaming, web.port), name="n-streaming") as ng:
            r = stack.post_chunked(ng.url_for("/image/?mode=auto"), 3 * MIB, timeout=30)
            assert r.status == 411, (r, web.logs_report())


def test_wsg401_proxy_uwsgi_behind_buffering_nginx_gets_content_length(tmp_path):
    folder = RULES / "proxy-uwsgi-chunked-upload"
    assert _severities(folder / "good_behind_nginx", "WSG401") == []
    assert _severities(folder / "bad_public_listen", "WSG401") == ["error"]
    assert _severities(folder / "bad_nginx_streaming", "WSG401") == ["error"]
    assert _severities(folder / "bad_nginx_version_unknown", "WSG401") == ["warning"]
    _need_servers("chain proof: nginx in front of mod_proxy_uwsgi (WSG401)")
    need_apache("chain proof: nginx in front of mod_proxy_uwsgi (WSG401)")
    sock = "/run/uwsgi/glance-api.sock"
    subst = {"SOCK": str(tmp_path / "glance-api.sock")}
    ini = runnable_ini(folder / "good_behind_nginx" / "uwsgi" / "glance-api-uwsgi.ini", {sock: "@@SOCK@@"},
                       keys="module")
    with stack.uwsgi(tmp_path, ini, subst) as uw:
        _chunked_through_nginx_and_straight(tmp_path, folder, ["proxy", "proxy_uwsgi"],
                                            {sock: "@@SOCK@@"}, subst, "AH01593")
        assert uw.log_text().count("POST /image/") == 1, uw.logs_report()  # only the upload through nginx
        # proxy_request_buffering off without proxy_http_version: HTTP/1.0 before nginx 1.29.7, so the body
        # still goes whole with a Content-Length; judged on the installed nginx's own version
        version = _nginx_version()
        case = folder / "good_nginx_before_1_29_7"
        if version < (1, 29, 7):
            result = check([case], cwd=folder, select=["WSG401"], nginx=".".join(map(str, version)))
            assert result.findings == []
            with stack.apache(tmp_path, _apache_site(case, {sock: "@@SOCK@@"}), modules=["proxy", "proxy_uwsgi"],
                              subst=subst, name="a-old") as web, \
                    stack.nginx(tmp_path, _nginx_to_apache(case, web.port), name="n-old") as ng:
                r = stack.post_chunked(ng.url_for("/image/?mode=auto"), 3 * MIB, timeout=30)
                assert r.status == 200 and r.json["content_length"] == str(3 * MIB), (r, web.logs_report())


def test_wsg201_modwsgi_behind_buffering_nginx_gets_content_length(tmp_path):
    folder = RULES / "modwsgi-chunked-request-off"
    assert _severities(folder / "good_behind_nginx", "WSG201") == []
    assert _severities(folder / "bad_public_listen", "WSG201") == ["error"]
    assert _severities(folder / "bad_nginx_streaming", "WSG201") == ["error"]
    oracle.nginx("chain proof: nginx in front of mod_wsgi (WSG201)")
    need_apache("chain proof: nginx in front of mod_wsgi (WSG201)", wsgi=True)
    _chunked_through_nginx_and_straight(tmp_path, folder, ["wsgi"],
                                        {"/usr/bin/glance-wsgi-api": "@@APP_WSGI@@",
                                         "<Directory /usr/bin>": "<Directory @@APP_DIR@@>"},
                                        {}, "chunked transfer encoding")


if os.name != "posix":  # pragma: no cover
    pytestmark = pytest.mark.skip("real servers need POSIX")
