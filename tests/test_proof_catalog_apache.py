"""Real-server proofs for the catalog rules of sections A, B and E (WSG206-WSG216, WSG407-WSG409).

Every error rule (WSG206, WSG211, WSG214, WSG407, WSG408), and the warnings/infos whose docs
quote a measured behaviour (WSG207, WSG210, WSG215, WSG216), follow the same steps:
  1. lint the rule's bad fixture and assert the finding (id, file, line);
  2. run that same configuration on real servers (tests/stack.py) with only socket paths,
     ports and script paths swapped for the harness's, and assert the failure;
  3. run the good fixture the same way and assert it works;
  4. lint the good fixture and assert the rule is silent.

Missing binaries: loud skip, or failure with WSGILINT_REQUIRE_ORACLES=1 (tests/oracle.py).
Each test is bounded (SIGALRM, TEST_BUDGET) on top of the harness's own timeouts, and the
harness stops every server it started, by pid, on exit.
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
from proofkit import fixture_text as _text, need_apache as _need_apache, need_uwsgi as _need_uwsgi, time_limit  # noqa: E402

from wsgilint.targets import Targets
from wsgilint import engine, knowledge, pipeline, registry  # noqa: E402

RULES = FIXTURES / "rules"
MIB5 = 5 * 1024 * 1024
GIB = 1024 * 1024 * 1024
OVER_1GIB = GIB + 64 * 1024 * 1024  # 1.0625 GiB: just over the default LimitRequestBody
TEST_BUDGET = 120  # seconds per test, servers included
CLIENT_TIMEOUT = 15.0
BIG_TIMEOUT = 90.0  # a full 1 GiB+ body through Apache


@pytest.fixture(autouse=True)
def _time_bound():
    with time_limit(TEST_BUDGET):
        yield


# ---- helpers ------------------------------------------------------------------------------

def _line_of(path: Path, needle: str) -> int:
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} occurs {len(lines)} times in {path}"
    return lines[0]


def _lint(case: Path, rule_id: str, release: str | None = None) -> list[tuple[str, str, int]]:
    result = check([case], cwd=case.parent, select=[rule_id], release=release)
    return [(f.rule.id, f.path, f.line) for f in result.findings]


def _lint_httpd(case: Path, rule_id: str, httpd: str) -> list[tuple[str, str, int]]:
    opts = pipeline.CheckOptions(paths=[str(case)], cwd=str(case.parent),
                                 targets=Targets.given(httpd=httpd),
                                 engine=engine.EngineOptions(selected=registry.select([rule_id])))
    return [(f.rule.id, f.path, f.line) for f in pipeline.run(opts).findings]


def _vhost_port(text: str) -> str:
    """Every `<VirtualHost *:N>` onto the harness's port (the harness writes the Listen)."""
    text = re.sub(r"(?m)^Listen \d+\s*$", "", text)
    return re.sub(r"<VirtualHost \*:\d+>", "<VirtualHost *:@@PORT@@>", text)


# The distributions' main config denies the file system and grants only some trees
# (Debian apache2.conf); the harness's own httpd.conf has no access rules at all.
DISTRO_ACCESS = """\
<Directory />
    AllowOverride None
    Require all denied
</Directory>
"""


# ---- WSG206 modwsgi-process-group-undefined -------------------------------------------------

def test_wsg206_undefined_process_group_gives_500(tmp_path):
    folder = RULES / "modwsgi-process-group-undefined"
    bad, bad_vhost, good = folder / "bad.conf", folder / "bad_vhost.conf", folder / "good.conf"
    assert _lint(bad, "WSG206") == [("WSG206", "bad.conf", _line_of(bad, "WSGIProcessGroup"))]
    assert _lint(bad_vhost, "WSG206") == [("WSG206", "bad_vhost.conf", _line_of(bad_vhost, "WSGIScriptAlias"))]
    assert _lint(good, "WSG206") == []
    assert _lint(folder / "good_global.conf", "WSG206") == []
    _need_apache("WSG206 proof", wsgi=True)

    repl = {"/var/www/keystone/keystone.wsgi": "@@APP_WSGI@@", "<Directory /var/www/keystone>": "<Directory @@APP_DIR@@>"}
    with stack.apache(tmp_path, _vhost_port(_text(bad, repl)), modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 500, (r, web.logs_report())
        assert "No WSGI daemon process called 'keystone' has been configured" in web.error_log_text()

    # Defined in the other VirtualHost (another ServerName): private to it. With process-group=
    # httpd refuses the configuration outright; with WSGIProcessGroup every request gets 500.
    cfg = stack.write_apache_config(tmp_path, _vhost_port(_text(bad_vhost, repl)), ["wsgi"], name="apache-t")
    rc, out = stack.apache_configtest(cfg)
    assert rc != 0 and "WSGI process group not accessible" in out, out
    via_directive = _vhost_port(_text(bad_vhost, dict(repl, **{
        " process-group=keystone-public application-group=%{GLOBAL}":
            "\n    WSGIProcessGroup keystone-public\n    WSGIApplicationGroup %{GLOBAL}"})))
    with stack.apache(tmp_path, via_directive, modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), headers={"Host": "admin.example.org"}, timeout=CLIENT_TIMEOUT)
        assert r.status == 500, (r, web.logs_report())
        assert "Daemon process called 'keystone-public' cannot be accessed by this WSGI application" \
            in web.error_log_text(), web.logs_report()

    with stack.apache(tmp_path, _vhost_port(_text(good, repl)), modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 200, (r, web.logs_report())
        assert r.json["process_group"] == "keystone-public", r

    # A daemon outside any VirtualHost is usable from the vhost (the rule's good_global case).
    good_global = _text(folder / "good_global.conf", {"/var/www/keystone/keystone.wsgi": "@@APP_WSGI@@"})
    with stack.apache(tmp_path, _vhost_port(good_global), modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), headers={"Host": "admin.example.org"}, timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["process_group"] == "keystone-public", (r, web.logs_report())


# ---- WSG207 modwsgi-daemon-unused (warning; its docs quote this measurement) ---------------

def test_wsg207_daemon_without_applying_group_runs_embedded(tmp_path):
    folder = RULES / "modwsgi-daemon-unused"
    bad, good = folder / "bad.conf", folder / "good.conf"
    assert _lint(bad, "WSG207") == [("WSG207", "bad.conf", _line_of(bad, "WSGIDaemonProcess"))]
    assert _lint(good, "WSG207") == []
    _need_apache("WSG207 proof", wsgi=True)

    repl = {"/usr/local/bin/ironic-api-wsgi": "@@APP_WSGI@@", "<Directory /usr/local/bin>": "<Directory @@APP_DIR@@>",
            "user=stack group=stack ": ""}
    with stack.apache(tmp_path, _vhost_port(_text(bad, repl)), modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 200, (r, web.logs_report())
        assert r.json["process_group"] == "", r  # embedded in Apache's worker: the daemon is unused

    with stack.apache(tmp_path, _vhost_port(_text(good, repl)), modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["process_group"] == "ironic", (r, web.logs_report())


# ---- WSG210 modwsgi-script-dir-not-granted (warning; its docs quote this measurement) -------

def test_wsg210_script_dir_not_granted_gives_403(tmp_path):
    folder = RULES / "modwsgi-script-dir-not-granted"
    bad, good = folder / "bad.conf", folder / "good.conf"
    assert _lint(bad, "WSG210") == [("WSG210", "bad.conf", _line_of(bad, "WSGIScriptAlias"))]
    assert _lint(good, "WSG210") == []
    _need_apache("WSG210 proof", wsgi=True)

    repl = {"/usr/local/bin/heat-api-app": "@@APP_WSGI@@"}
    with stack.apache(tmp_path, _vhost_port(_text(bad, repl)), modules=["wsgi"], extra_global=DISTRO_ACCESS) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 403, (r, web.logs_report())
        assert "AH01630: client denied by server configuration" in web.error_log_text()

    good_text = _text(good, dict(repl, **{"<Directory /usr/local/bin>": "<Directory @@APP_DIR@@>"}))
    with stack.apache(tmp_path, _vhost_port(good_text), modules=["wsgi"], extra_global=DISTRO_ACCESS) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["process_group"] == "heat-api", (r, web.logs_report())


# ---- WSG211 limit-request-body-upload ---------------------------------------------------------

def test_wsg211_default_limit_request_body_refuses_large_upload_through_mod_wsgi(tmp_path):
    folder = RULES / "limit-request-body-upload"
    bad, good = folder / "bad.conf", folder / "good.conf"
    assert _lint(bad, "WSG211") == [("WSG211", "bad.conf", _line_of(bad, "WSGIScriptAlias"))]
    assert _lint(good, "WSG211") == []
    assert _lint_httpd(bad, "WSG211", "2.4.53") == []  # before 2.4.54 the default was unlimited
    assert _lint_httpd(bad, "WSG211", "2.4.54") != []
    _need_apache("WSG211 proof", wsgi=True)

    repl = {"/var/www/glance/glance.wsgi": "@@APP_WSGI@@", "<Directory /var/www/glance>": "<Directory @@APP_DIR@@>"}
    with stack.apache(tmp_path, _vhost_port(_text(bad, repl)), modules=["wsgi"]) as web:
        r = stack.post_sized(web.url_for("/"), OVER_1GIB, timeout=CLIENT_TIMEOUT)
        assert r.status == 413, (r, web.logs_report())
        small = stack.post_sized(web.url_for("/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert small.status == 200 and small.json["bytes"] == MIB5, small  # why casual tests pass

    with stack.apache(tmp_path, _vhost_port(_text(good, repl)), modules=["wsgi"]) as web:
        r = stack.post_sized(web.url_for("/"), OVER_1GIB, timeout=BIG_TIMEOUT)
        assert r.status == 200, (r, web.logs_report())
        assert r.json["bytes"] == OVER_1GIB, r


def test_wsg211_limit_applies_to_mod_proxy_uwsgi_not_to_mod_proxy_http(tmp_path):
    folder = RULES / "limit-request-body-upload"
    bad = folder / "bad_glance.conf"
    assert _lint(bad, "WSG211") == [("WSG211", "bad_glance.conf", _line_of(bad, "LimitRequestBody 114688"))]
    assert _lint(folder / "good_proxy_http.conf", "WSG211") == []
    _need_apache("WSG211 proof")
    _need_uwsgi("WSG211 proof")

    subst = {"SOCK": str(tmp_path / "glance.sock"), "UPORT": oracle.free_port()}
    sock_ini = "[uwsgi]\nplugins = python3\nsocket = @@SOCK@@\nwsgi-file = @@APP_PY@@\nmaster = true\nprocesses = 1\n"
    http_ini = "[uwsgi]\nplugins = python3\nhttp-socket = 127.0.0.1:@@UPORT@@\nwsgi-file = @@APP_PY@@\n" \
               "master = true\nprocesses = 1\n"
    site = _vhost_port(_text(bad, {"/run/uwsgi/glance-api.socket": "@@SOCK@@"}))
    with stack.uwsgi(tmp_path, sock_ini, subst, name="uwsgi-sock") as uw, \
            stack.apache(tmp_path, site, modules=["proxy", "proxy_uwsgi"], subst=subst) as web:
        r = stack.post_sized(web.url_for("/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 413, (r, web.logs_report())
        assert "POST" not in uw.log_text()

    # The fix for mod_proxy_uwsgi: LimitRequestBody 0.
    site_fixed = site.replace("LimitRequestBody 114688", "LimitRequestBody 0")
    with stack.uwsgi(tmp_path, sock_ini, subst, name="uwsgi-sock-fixed"), \
            stack.apache(tmp_path, site_fixed, modules=["proxy", "proxy_uwsgi"], subst=subst) as web:
        r = stack.post_sized(web.url_for("/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["bytes"] == MIB5, (r, web.logs_report())

    # mod_proxy_http forwards the body whatever LimitRequestBody says (explicit here, and the
    # 1 GiB default in good_proxy_http.conf): caveats.md W9 overstates it, the server wins.
    good = _text(folder / "good_proxy_http.conf", {"127.0.0.1:60999": "127.0.0.1:@@UPORT@@"})
    with stack.uwsgi(tmp_path, http_ini, subst, name="uwsgi-http"), \
            stack.apache(tmp_path, "LimitRequestBody 114688\n" + good, modules=["proxy", "proxy_http", "env"],
                         subst=subst) as web:
        r = stack.post_sized(web.url_for("/image/"), MIB5, timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["bytes"] == MIB5, (r, web.logs_report())
    with stack.uwsgi(tmp_path, http_ini, subst, name="uwsgi-http-default"), \
            stack.apache(tmp_path, good, modules=["proxy", "proxy_http", "env"], subst=subst) as web:
        r = stack.post_sized(web.url_for("/image/"), OVER_1GIB, timeout=BIG_TIMEOUT)
        assert r.status == 200 and r.json["bytes"] == OVER_1GIB, (r, web.logs_report())


# ---- WSG214 proxy-worker-shared -----------------------------------------------------------------

# Each instance gets its own buffer-size, which the test app reports: the answer says which
# uWSGI served the request (no race with log flushing).
KS_MARK, NOVA_MARK = "8192", "16384"


def _two_uwsgi(tmp_path, subst):
    ini = "[uwsgi]\nplugins = python3\nsocket = @@%s@@\nwsgi-file = @@APP_PY@@\nmaster = true\nprocesses = 1\n" \
          "buffer-size = %s\n"
    return (stack.uwsgi(tmp_path, ini % ("SOCKA", KS_MARK), subst, name="uwsgi-keystone"),
            stack.uwsgi(tmp_path, ini % ("SOCKB", NOVA_MARK), subst, name="uwsgi-nova"))


def test_wsg214_shared_worker_sends_second_route_to_first_socket(tmp_path):
    folder = RULES / "proxy-worker-shared"
    bad, prefix, good = folder / "bad.conf", folder / "bad_prefix.conf", folder / "good.conf"
    assert _lint(bad, "WSG214") == [("WSG214", "bad.conf", _line_of(bad, "ProxyPass /compute"))]
    assert _lint(prefix, "WSG214") == [("WSG214", "bad_prefix.conf", _line_of(prefix, "nova-api.sock"))]
    assert _lint(good, "WSG214") == []
    assert _lint(folder / "good_vhosts.conf", "WSG214") == []
    _need_apache("WSG214 proof")
    _need_uwsgi("WSG214 proof")

    subst = {"SOCKA": str(tmp_path / "ks.sock"), "SOCKB": str(tmp_path / "nova.sock")}
    repl = {"/run/uwsgi/keystone.sock": "@@SOCKA@@", "/run/uwsgi/nova-api.sock": "@@SOCKB@@"}
    mods = ["proxy", "proxy_uwsgi"]

    # httpd's own check shows the sharing at LogLevel info (the harness's main config sets it).
    cfg = stack.write_apache_config(tmp_path, _text(bad, repl), mods, subst=subst, name="apache-t")
    rc, out = stack.apache_configtest(cfg)
    assert rc == 0 and "AH01145: Sharing worker" in out, out
    cfg = stack.write_apache_config(tmp_path, _text(good, repl), mods, subst=subst, name="apache-t-good")
    rc, out = stack.apache_configtest(cfg)
    assert rc == 0 and "AH01145" not in out, out
    # Two VirtualHosts do not share (LogLevel info inside each vhost, before its ProxyPass).
    vh = _vhost_port(_text(folder / "good_vhosts.conf", repl)).replace(
        "<VirtualHost *:@@PORT@@>", "<VirtualHost *:@@PORT@@>\n    LogLevel info")
    cfg = stack.write_apache_config(tmp_path, vh, mods, subst=subst, name="apache-t-vhosts")
    rc, out = stack.apache_configtest(cfg)
    assert rc == 0 and "AH01145" not in out, out
    one_vhost = "<VirtualHost *:@@PORT@@>\n    LogLevel info\n" + _text(bad, repl) + "</VirtualHost>\n"
    cfg = stack.write_apache_config(tmp_path, one_vhost, mods, subst=subst, name="apache-t-onevhost")
    rc, out = stack.apache_configtest(cfg)
    assert rc == 0 and "AH01145" in out, out  # the control: the same lines in one vhost do share

    ua, ub = _two_uwsgi(tmp_path, subst)
    with ua, ub:
        for case in (bad, prefix):
            with stack.apache(tmp_path, _vhost_port(_text(case, repl)), modules=mods, subst=subst) as web:
                r = stack.get(web.url_for("/compute/"), timeout=CLIENT_TIMEOUT)
                assert r.status == 200, (r, web.logs_report())
                assert r.json["buffer_size"] == KS_MARK, (case, r)  # nova's route served by keystone's uWSGI
        with stack.apache(tmp_path, _text(good, repl), modules=mods, subst=subst) as web:
            r = stack.get(web.url_for("/compute/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 200 and r.json["buffer_size"] == NOVA_MARK, (r, web.logs_report())
            r = stack.get(web.url_for("/identity/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 200 and r.json["buffer_size"] == KS_MARK, (r, web.logs_report())


# ---- WSG407 wsgi-script-removed -------------------------------------------------------------------

def test_wsg407_removed_script_gives_404_and_own_wsgi_file_works(tmp_path):
    folder = RULES / "wsgi-script-removed"
    bad, good = folder / "bad.conf", folder / "good.conf"
    assert _lint(bad, "WSG407") == [("WSG407", "bad.conf", _line_of(bad, "WSGIScriptAlias"))]
    assert _lint(bad, "WSG407", release="2025.1") == []  # keystone 27.x still ships it
    assert _lint(good, "WSG407") == []
    _need_apache("WSG407 proof", wsgi=True)

    # What an upgraded host looks like: the bin directory is there, the console script is not.
    bindir = tmp_path / "usr-bin"
    bindir.mkdir()
    stack.open_up(bindir)
    repl = {"/usr/bin/keystone-wsgi-public": str(bindir / "keystone-wsgi-public"),
            "<Directory /usr/bin>": f"<Directory {bindir}>"}
    with stack.apache(tmp_path, _vhost_port(_text(bad, repl)), modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 404, (r, web.logs_report())
        assert "Target WSGI script not found or unable to stat" in web.error_log_text(), web.logs_report()

    repl = {"/var/www/keystone/keystone.wsgi": "@@APP_WSGI@@", "<Directory /var/www/keystone>": "<Directory @@APP_DIR@@>"}
    with stack.apache(tmp_path, _vhost_port(_text(good, repl)), modules=["wsgi"]) as web:
        r = stack.get(web.url_for("/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["process_group"] == "keystone-public", (r, web.logs_report())


def test_wsg407_removed_wsgi_file_leaves_uwsgi_without_app(tmp_path):
    folder = RULES / "wsgi-script-removed"
    bad, good = folder / "bad_uwsgi.ini", folder / "good_uwsgi.ini"
    assert _lint(bad, "WSG407") == [("WSG407", "bad_uwsgi.ini", _line_of(bad, "wsgi-file"))]
    assert _lint(good, "WSG407") == []
    _need_uwsgi("WSG407 proof")

    subst = {"UPORT": oracle.free_port()}
    base = {"127.0.0.1:60999": "127.0.0.1:@@UPORT@@"}
    gone = str(tmp_path / "gone" / "glance-wsgi-api")  # the upgraded host: no such file
    bad_ini = _text(bad, dict(base, **{"/usr/local/bin/glance-wsgi-api": gone}))
    bad_ini = bad_ini.replace("[uwsgi]\n", "[uwsgi]\nplugins = python3\n", 1)
    with stack.uwsgi(tmp_path, bad_ini, subst, name="uwsgi-gone") as uw:
        r = stack.get(f"http://127.0.0.1:{subst['UPORT']}/", timeout=CLIENT_TIMEOUT)
        assert r.status == 500, (r, uw.logs_report())
        assert "no app loaded" in uw.log_text(), uw.logs_report()

    good_ini = re.sub(r"(?m)^module\s*=.*$", "wsgi-file = @@APP_PY@@", _text(good, base))
    good_ini = good_ini.replace("[uwsgi]\n", "[uwsgi]\nplugins = python3\n", 1)
    with stack.uwsgi(tmp_path, good_ini, subst, name="uwsgi-module") as uw:
        r = stack.get(f"http://127.0.0.1:{subst['UPORT']}/", timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["server"] == "uwsgi", (r, uw.logs_report())


# ---- WSG408 neutron-start-time-missing ---------------------------------------------------------

PROBE = '''\
import json
import uwsgi


def application(environ, start_response):
    value = uwsgi.opt.get("start-time")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    body = json.dumps({"start_time": value}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
'''


def test_wsg408_uwsgi_has_no_start_time_unless_the_ini_sets_it(tmp_path):
    folder = RULES / "neutron-start-time-missing"
    bad, good = folder / "bad.ini", folder / "good.ini"
    assert _lint(bad, "WSG408") == [("WSG408", "bad.ini", _line_of(bad, "module"))]
    assert _lint(bad, "WSG408", release="2024.2") == []  # neutron 25.x: not required yet
    assert _lint(good, "WSG408") == []
    _need_uwsgi("WSG408 proof")

    probe_dir = tmp_path / "probe"
    probe_dir.mkdir()
    (probe_dir / "probe.py").write_text(PROBE)
    os.chmod(probe_dir / "probe.py", 0o644)
    stack.open_up(probe_dir)
    subst = {"UPORT": oracle.free_port()}

    def runnable(path: Path) -> str:
        # neutron's API is replaced by a probe that shows what neutron would read; the unix
        # socket becomes an http-socket so the test can ask it directly (start-time does not
        # depend on the socket type).
        text = _text(path, {"socket = /run/uwsgi/neutron-api.socket": "http-socket = 127.0.0.1:@@UPORT@@"})
        return re.sub(r"(?m)^module\s*=.*$", f"wsgi-file = {probe_dir / 'probe.py'}", text)

    with stack.uwsgi(tmp_path, runnable(bad), subst, name="uwsgi-neutron-bad") as uw:
        r = stack.get(f"http://127.0.0.1:{subst['UPORT']}/", timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json == {"start_time": None}, (r, uw.logs_report())

    with stack.uwsgi(tmp_path, runnable(good), subst, name="uwsgi-neutron-good") as uw:
        r = stack.get(f"http://127.0.0.1:{subst['UPORT']}/", timeout=CLIENT_TIMEOUT)
        assert r.status == 200, (r, uw.logs_report())
        value = r.json["start_time"]
        assert value is not None and value.isdigit() and int(value) > 1_500_000_000, r  # %t: unix time, seconds


# ---- WSG215 proxy-unix-socket-permissions (warning; its docs quote this measurement) -------

def test_wsg215_socket_without_chmod_is_refused_to_apaches_user(tmp_path):
    folder = RULES / "proxy-unix-socket-permissions"
    bad, good = folder / "bad", folder / "good"
    ini = bad / "uwsgi" / "keystone-uwsgi.ini"
    assert _lint(bad, "WSG215") == [("WSG215", "bad/uwsgi/keystone-uwsgi.ini", _line_of(ini, "socket ="))]
    assert _lint(good, "WSG215") == []
    if os.geteuid() != 0:
        pytest.skip("needs root: Apache's children must run as another user (nobody) than uWSGI")
    _need_apache("WSG215 proof")
    _need_uwsgi("WSG215 proof")

    # Run as root, the harness chowns sockets to Apache's user unless the ini sets chown-socket,
    # chmod-socket or uid; `uid = root` (a no-op for a root uWSGI, as under systemd) turns that off
    # so the socket keeps uWSGI's own owner and umask, as in the fixture.
    subst = {"SOCK": str(tmp_path / "keystone.sock")}
    repl = {"/run/uwsgi/keystone.sock": "@@SOCK@@"}

    def runnable(path: Path) -> str:
        text = re.sub(r"(?m)^module\s*=.*$", "wsgi-file = @@APP_PY@@", _text(path, repl))
        return text + "uid = root\n"

    site = _text(bad / "apache" / "keystone.conf", repl)
    mods = ["proxy", "proxy_uwsgi"]
    with stack.uwsgi(tmp_path, runnable(ini), subst, name="uwsgi-bad"), \
            stack.apache(tmp_path, site, modules=mods, subst=subst) as web:
        mode = os.stat(subst["SOCK"]).st_mode & 0o777
        assert mode & 0o002 == 0, oct(mode)  # not writable by others
        r = stack.get(web.url_for("/identity/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 503, (r, web.logs_report())
        assert "(13)Permission denied: AH02454" in web.error_log_text(), web.logs_report()

    with stack.uwsgi(tmp_path, runnable(good / "uwsgi" / "keystone-uwsgi.ini"), subst, name="uwsgi-good"), \
            stack.apache(tmp_path, site, modules=mods, subst=subst) as web:
        r = stack.get(web.url_for("/identity/"), timeout=CLIENT_TIMEOUT)
        assert r.status == 200 and r.json["server"] == "uwsgi", (r, web.logs_report())


# ---- WSG216 apache-header-limit-below-buffer (info; its docs quote this measurement) ---------

def test_wsg216_apache_rejects_large_header_before_uwsgi_sees_it(tmp_path):
    folder = RULES / "apache-header-limit-below-buffer"
    bad, good = folder / "bad", folder / "good"
    assert _lint(bad, "WSG216") == [("WSG216", "bad/apache/keystone.conf", 1)]
    assert _lint(good, "WSG216") == []
    _need_apache("WSG216 proof")
    _need_uwsgi("WSG216 proof")

    subst = {"SOCK": str(tmp_path / "keystone.sock")}
    repl = {"/run/uwsgi/keystone.sock": "@@SOCK@@"}
    ini = re.sub(r"(?m)^module\s*=.*$", "wsgi-file = @@APP_PY@@", _text(bad / "uwsgi" / "keystone-uwsgi.ini", repl))
    token = {"X-Auth-Token": "t" * 9000}
    mods = ["proxy", "proxy_uwsgi"]
    with stack.uwsgi(tmp_path, ini, subst, name="uwsgi-keystone") as uw:
        with stack.apache(tmp_path, _text(bad / "apache" / "keystone.conf", repl), modules=mods, subst=subst) as web:
            r = stack.get(web.url_for("/identity/"), headers=token, timeout=CLIENT_TIMEOUT)
            assert r.status == 400, (r, web.logs_report())
            assert "AH00561: Request header exceeds LimitRequestFieldSize: X-Auth-Token" in web.error_log_text()
            assert "GET /identity/" not in uw.log_text()
        with stack.apache(tmp_path, _text(good / "apache" / "keystone.conf", repl), modules=mods, subst=subst) as web:
            r = stack.get(web.url_for("/identity/"), headers=token, timeout=CLIENT_TIMEOUT)
            assert r.status == 200 and r.json["token_len"] == 9000, (r, web.logs_report())
