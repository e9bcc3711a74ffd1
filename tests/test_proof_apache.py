"""Real-server proofs for the Apache-side error rules (WSG201, WSG203, WSG401, WSG405, WSG406).

For each rule:
  1. lint its bad fixture (fixtures/rules/<rule>/bad*) and assert the finding (id, file, line);
  2. run that same configuration on real servers (tests/stack.py), with only the
     fixture's socket paths / ports / script paths swapped for the harness's, and
     assert the failure the rule predicts;
  3. run the good fixture's configuration the same way and assert success
     (200, and every byte of an upload read by the app);
  4. lint the good fixture and assert the rule stays silent.

Missing binaries: loud skip, or failure with WSGILINT_REQUIRE_ORACLES=1 (tests/oracle.py).
Every test is bounded (SIGALRM, TEST_BUDGET seconds) on top of the harness's own
start/stop/client timeouts, and every server is stopped by the harness on exit.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import stack  # noqa: E402
from conftest import FIXTURES  # noqa: E402
from lintrun import check  # noqa: E402
from proofkit import fixture_text as _text, need_apache as _need_apache, need_uwsgi as _need_uwsgi, runnable_ini as _ini, time_limit  # noqa: E402

RULES = FIXTURES / "rules"
MIB5 = 5 * 1024 * 1024
TEST_BUDGET = 90  # seconds per test, servers included
CLIENT_TIMEOUT = 15.0


@pytest.fixture(autouse=True)
def _time_bound():
    with time_limit(TEST_BUDGET):
        yield


# ---- helpers ------------------------------------------------------------------------------

def _line_of(path: Path, needle: str) -> int:
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} occurs {len(lines)} times in {path}"
    return lines[0]


def _lint(case: Path, rule_id: str) -> list[tuple[str, str, int]]:
    result = check([case], cwd=case.parent, select=[rule_id])
    return [(f.rule.id, f.path, f.line) for f in result.findings]


def _enabled_modules(tree: Path) -> list[str]:
    """Short module names (proxy_http) that a Debian tree's mods-enabled/*.load loads."""
    out = []
    for load in sorted((tree / "mods-enabled").glob("*.load")):
        for m in re.finditer(r"(?m)^\s*LoadModule\s+(\w+)_module\s", load.read_text()):
            out.append(m.group(1))
    return [m for m in out if m not in stack.APACHE_BASE_MODULES]


# ---- WSG201 modwsgi-chunked-request-off -----------------------------------------------------

def _glance_modwsgi_site(case: Path) -> str:
    return _text(case, {"127.0.0.1:9292": "127.0.0.1:@@PORT@@",
                        "/usr/bin/glance-wsgi-api": "@@APP_WSGI@@",
                        "<Directory /usr/bin>": "<Directory @@APP_DIR@@>"})


def test_wsg201_modwsgi_refuses_chunked_upload_without_chunked_request_on(tmp_path):
    folder = RULES / "modwsgi-chunked-request-off"
    bad, good = folder / "bad.conf", folder / "good.conf"
    assert _lint(bad, "WSG201") == [("WSG201", "bad.conf", _line_of(bad, "WSGIScriptAlias"))]
    assert _lint(good, "WSG201") == []
    _need_apache("WSG201 proof", wsgi=True)

    with stack.apache(tmp_path, _glance_modwsgi_site(bad), modules=["wsgi"]) as web:
        r = stack.post_chunked(web.url_for("/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 411, (r, web.logs_report())
        assert "chunked transfer encoding" in web.error_log_text()
        sized = stack.post_sized(web.url_for("/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert sized.status == 200 and sized.json["bytes"] == MIB5, sized  # why it passes casual tests
        assert sized.json["process_group"] == "glance-api", sized  # daemon mode, as in the fixture

    with stack.apache(tmp_path, _glance_modwsgi_site(good), modules=["wsgi"]) as web:
        r = stack.post_chunked(web.url_for("/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 200, (r, web.logs_report())
        assert r.json["bytes"] == MIB5, r
        assert r.json["process_group"] == "glance-api", r


# ---- WSG203 proxy-module-missing ------------------------------------------------------------

GLANCE_HTTP_INI = RULES / "proxy-uwsgi-chunked-upload" / "good" / "uwsgi" / "glance-api-uwsgi.ini"
HEAT_SOCK_INI = RULES / "proxy-protocol-mismatch" / "good" / "uwsgi" / "heat-api-uwsgi.ini"


def test_wsg203_http_route_without_proxy_http_gives_500(tmp_path):
    folder = RULES / "proxy-module-missing"
    bad, good = folder / "bad", folder / "good"
    site_bad = bad / "sites-enabled" / "glance-api.conf"
    assert _lint(bad, "WSG203") == [("WSG203", "bad/sites-enabled/glance-api.conf",
                                     _line_of(site_bad, "ProxyPass"))]
    assert _lint(good, "WSG203") == []
    bad_modules, good_modules = _enabled_modules(bad), _enabled_modules(good)
    assert "proxy" in bad_modules and "proxy_http" not in bad_modules, bad_modules
    assert {"proxy", "proxy_http", "proxy_uwsgi"} <= set(good_modules), good_modules
    _need_apache("WSG203 proof")
    _need_uwsgi("WSG203 proof")

    subst = {"UPORT": oracle.free_port(), "SOCK": str(tmp_path / "heat-api.sock")}
    glance_ini = _ini(GLANCE_HTTP_INI, {"127.0.0.1:60999": "127.0.0.1:@@UPORT@@"})
    heat_ini = _ini(HEAT_SOCK_INI, {"/run/uwsgi/heat-api.sock": "@@SOCK@@"})
    site_repl = {"127.0.0.1:80>": "127.0.0.1:@@PORT@@>", "127.0.0.1:60999": "127.0.0.1:@@UPORT@@"}
    with stack.uwsgi(tmp_path, glance_ini, subst, name="uwsgi-glance") as glance:
        with stack.apache(tmp_path, _text(site_bad, site_repl), modules=bad_modules, subst=subst) as web:
            r = stack.get(web.url_for("/image/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 500, (r, web.logs_report())
            assert "No protocol handler was valid" in web.error_log_text(), web.logs_report()
            assert "GET /" not in glance.log_text()  # never reached uWSGI

        site_good = good / "sites-enabled" / "openstack.conf"
        good_repl = dict(site_repl, **{"/run/uwsgi/heat-api.sock": "@@SOCK@@"})
        with stack.uwsgi(tmp_path, heat_ini, subst, name="uwsgi-heat"), \
                stack.apache(tmp_path, _text(site_good, good_repl), modules=good_modules, subst=subst) as web:
            r = stack.post_chunked(web.url_for("/image/"), MIB5, timeout=CLIENT_TIMEOUT)
            assert r.status == 200, (r, web.logs_report())
            assert r.json["bytes"] == MIB5, r
            r = stack.get(web.url_for("/heat-api/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 200, (r, web.logs_report())


# ---- WSG401 proxy-uwsgi-chunked-upload -------------------------------------------------------

def test_wsg401_proxy_uwsgi_refuses_chunked_upload_even_with_sendcl(tmp_path):
    folder = RULES / "proxy-uwsgi-chunked-upload"
    bad, good = folder / "bad", folder / "good"
    bad_site = bad / "apache" / "glance-api.conf"
    assert "SetEnv proxy-sendcl 1" in bad_site.read_text()
    assert _lint(bad, "WSG401") == [("WSG401", "bad/apache/glance-api.conf", _line_of(bad_site, "ProxyPass"))]
    assert _lint(good, "WSG401") == []
    _need_apache("WSG401 proof")
    _need_uwsgi("WSG401 proof")

    subst = {"SOCK": str(tmp_path / "glance-api.sock"), "UPORT": oracle.free_port()}
    sock = {"/run/uwsgi/glance-api.sock": "@@SOCK@@"}
    with stack.uwsgi(tmp_path, _ini(bad / "uwsgi" / "glance-api-uwsgi.ini", sock), subst, name="uwsgi-bad") as uw, \
            stack.apache(tmp_path, _text(bad_site, sock), modules=["proxy", "proxy_uwsgi", "env"],
                         subst=subst) as web:
        r = stack.post_chunked(web.url_for("/image/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 411, (r, web.logs_report())
        assert "AH01593" in web.error_log_text()
        assert "POST" not in uw.log_text()  # refused before uWSGI saw it
        sized = stack.post_sized(web.url_for("/image/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert sized.status == 200 and sized.json["bytes"] == MIB5, sized  # the route itself works

    port = {"127.0.0.1:60999": "127.0.0.1:@@UPORT@@"}
    good_site = good / "apache" / "glance-api.conf"
    with stack.uwsgi(tmp_path, _ini(good / "uwsgi" / "glance-api-uwsgi.ini", port), subst, name="uwsgi-good"), \
            stack.apache(tmp_path, _text(good_site, port), modules=["proxy", "proxy_http", "env"],
                         subst=subst) as web:
        r = stack.post_chunked(web.url_for("/image/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 200, (r, web.logs_report())
        assert r.json["bytes"] == MIB5, r
        assert r.json["error"] is None, r


# ---- WSG405 proxy-target-unserved ------------------------------------------------------------

def test_wsg405_proxy_to_unserved_port_gives_503(tmp_path):
    folder = RULES / "proxy-target-unserved"
    bad, good = folder / "bad", folder / "good"
    bad_site = bad / "apache" / "manila-api.conf"
    assert _lint(bad, "WSG405") == [("WSG405", "bad/apache/manila-api.conf", _line_of(bad_site, "ProxyPass"))]
    assert _lint(good, "WSG405") == []
    _need_apache("WSG405 proof")
    _need_uwsgi("WSG405 proof")

    subst = {"UPORT": oracle.free_port(), "DEAD": oracle.free_port()}
    ini = {"127.0.0.1:61999": "127.0.0.1:@@UPORT@@"}
    with stack.uwsgi(tmp_path, _ini(bad / "uwsgi" / "manila-api-uwsgi.ini", ini), subst) as uw:
        assert subst["DEAD"] != subst["UPORT"]
        with stack.apache(tmp_path, _text(bad_site, {"127.0.0.1:51999": "127.0.0.1:@@DEAD@@"}),
                          modules=["proxy", "proxy_http"], subst=subst) as web:
            r = stack.get(web.url_for("/share/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 503, (r, web.logs_report())
            assert "Connection refused" in web.error_log_text(), web.logs_report()
        good_site = good / "apache" / "manila-api.conf"
        with stack.apache(tmp_path, _text(good_site, ini), modules=["proxy", "proxy_http"], subst=subst) as web:
            r = stack.get(web.url_for("/share/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 200, (r, web.logs_report())
            assert "GET /" in uw.log_text()


def test_wsg405_proxy_to_missing_unix_socket_gives_503(tmp_path):
    case = RULES / "proxy-target-unserved" / "bad_socket"
    site = case / "apache" / "heat-api.conf"
    assert _lint(case, "WSG405") == [("WSG405", "bad_socket/apache/heat-api.conf", _line_of(site, "ProxyPass"))]
    _need_apache("WSG405 proof")
    _need_uwsgi("WSG405 proof")

    subst = {"SOCK": str(tmp_path / "heat-api.sock"), "WANT": str(tmp_path / "heat-api.socket")}
    with stack.uwsgi(tmp_path, _ini(case / "uwsgi" / "heat-api-uwsgi.ini", {"/run/uwsgi/heat-api.sock": "@@SOCK@@"}),
                     subst), \
            stack.apache(tmp_path, _text(site, {"/run/uwsgi/heat-api.socket": "@@WANT@@"}),
                         modules=["proxy", "proxy_uwsgi"], subst=subst) as web:
        r = stack.get(web.url_for("/heat-api/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 503, (r, web.logs_report())
        assert "No such file or directory" in web.error_log_text(), web.logs_report()


# ---- WSG406 proxy-protocol-mismatch ----------------------------------------------------------

def test_wsg406_uwsgi_scheme_to_http_socket_fails(tmp_path):
    folder = RULES / "proxy-protocol-mismatch"
    bad = folder / "bad"
    site = bad / "apache" / "glance-api.conf"
    assert _lint(bad, "WSG406") == [("WSG406", "bad/apache/glance-api.conf", _line_of(site, "ProxyPass"))]
    _need_apache("WSG406 proof")
    _need_uwsgi("WSG406 proof")

    subst = {"UPORT": oracle.free_port()}
    repl = {"127.0.0.1:60999": "127.0.0.1:@@UPORT@@"}
    with stack.uwsgi(tmp_path, _ini(bad / "uwsgi" / "glance-api-uwsgi.ini", repl), subst) as uw, \
            stack.apache(tmp_path, _text(site, dict(repl, **{"127.0.0.1:9292": "127.0.0.1:@@PORT@@"})),
                         modules=["proxy", "proxy_uwsgi"], subst=subst) as web:
        r = stack.post_sized(web.url_for("/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status is not None and 500 <= r.status < 600, (r, web.logs_report())
        assert "invalid" in uw.log_text(), uw.logs_report()
        assert "POST /" not in uw.log_text()  # the app never ran


def test_wsg406_http_scheme_to_uwsgi_socket_gives_502(tmp_path):
    folder = RULES / "proxy-protocol-mismatch"
    bad = folder / "bad_http"
    site = bad / "apache" / "placement-api.conf"
    assert _lint(bad, "WSG406") == [("WSG406", "bad_http/apache/placement-api.conf", _line_of(site, "ProxyPass"))]
    _need_apache("WSG406 proof")
    _need_uwsgi("WSG406 proof")

    subst = {"UPORT": oracle.free_port()}
    repl = {"127.0.0.1:8778": "127.0.0.1:@@UPORT@@"}
    with stack.uwsgi(tmp_path, _ini(bad / "uwsgi" / "placement-api-uwsgi.ini", repl), subst) as uw, \
            stack.apache(tmp_path, _text(site, repl), modules=["proxy", "proxy_http"], subst=subst) as web:
        r = stack.get(web.url_for("/placement/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 502, (r, web.logs_report())
        assert "invalid request block size" in uw.log_text(), uw.logs_report()


@pytest.mark.parametrize("case", ["good", "good_http"])
def test_wsg406_matching_protocols_work(tmp_path, case):
    folder = RULES / "proxy-protocol-mismatch" / case
    assert _lint(folder, "WSG406") == []
    _need_apache("WSG406 proof")
    _need_uwsgi("WSG406 proof")

    subst = {"UPORT": oracle.free_port(), "SOCK": str(tmp_path / "app.sock")}
    repl = {"/run/uwsgi/heat-api.sock": "@@SOCK@@"} if case == "good" else {"127.0.0.1:60999": "127.0.0.1:@@UPORT@@"}
    ini = next((folder / "uwsgi").glob("*.ini"))
    site = next((folder / "apache").glob("*.conf"))
    path = "/heat-api/" if case == "good" else "/image/"
    modules = ["proxy", "proxy_uwsgi"] if case == "good" else ["proxy", "proxy_http", "env"]
    with stack.uwsgi(tmp_path, _ini(ini, repl), subst), \
            stack.apache(tmp_path, _text(site, repl), modules=modules, subst=subst) as web:
        r = stack.get(web.url_for(path), timeout=CLIENT_TIMEOUT)
        assert r.status == 200, (r, web.logs_report())
        r = stack.post_sized(web.url_for(path), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["bytes"] == MIB5, (r, web.logs_report())
