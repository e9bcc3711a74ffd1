"""Real-server proofs for the rules about how a launcher (systemd unit, Debian's init script) breaks
a uWSGI deployment.

uWSGI runs the way the fixture's unit runs it (ExecStart's words: ``uwsgi --ini INI --die-on-term``),
with /run mapped under tmp_path (the state after a reboot: /run is a tmpfs, empty but for what
systemd, tmpfiles.d or an init script creates), behind nginx on 127.0.0.1. Not reproduced here:
the unit's User= (the test runs uWSGI as the test's user).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import stack  # noqa: E402
from conftest import FIXTURES  # noqa: E402
from lintrun import check  # noqa: E402
from proofkit import need_uwsgi, runnable_ini, time_limit  # noqa: E402

pytestmark = pytest.mark.oracle

SOCKET_DIR = FIXTURES / "rules" / "uwsgi-socket-dir-not-created"
INI = "etc/keystone/keystone-uwsgi.ini"


def _lint(case, rule_id):
    result = check([case], cwd=case.parent, select=[rule_id], root=case)
    return [f for f in result.findings if f.rule.id == rule_id]


def _site(sock) -> str:
    return ("server {\n    listen 127.0.0.1:@@PORT@@;\n"
            f"    location / {{ include @@PARAMS@@; uwsgi_pass unix:{sock}; }}\n}}\n")


def _params(tmp_path):
    p = tmp_path / "uwsgi_params"
    p.write_text("uwsgi_param REQUEST_METHOD $request_method;\nuwsgi_param QUERY_STRING $query_string;\n"
                 "uwsgi_param CONTENT_LENGTH $content_length;\nuwsgi_param CONTENT_TYPE $content_type;\n"
                 "uwsgi_param REQUEST_URI $request_uri;\nuwsgi_param PATH_INFO $document_uri;\n"
                 "uwsgi_param SERVER_PROTOCOL $server_protocol;\nuwsgi_param SERVER_NAME $server_name;\n"
                 "uwsgi_param SERVER_PORT $server_port;\nuwsgi_param REMOTE_ADDR $remote_addr;\n")
    os.chmod(p, 0o644)
    return p


def test_socket_dir_not_created_fails_after_reboot_and_runtime_directory_fixes_it(tmp_path):
    need_uwsgi("WSG123 proof")
    oracle.nginx("WSG123 proof")
    bad, good = SOCKET_DIR / "bad", SOCKET_DIR / "good"
    found = _lint(bad, "WSG123")
    assert len(found) == 1 and "nothing in this tree creates /run/keystone" in found[0].message, found
    assert _lint(good, "WSG123") == []
    assert "RuntimeDirectory=keystone" in (good / "etc/systemd/system/keystone.service").read_text()
    assert "RuntimeDirectory" not in (bad / "etc/systemd/system/keystone.service").read_text()

    run = tmp_path / "run"  # /run after a reboot: empty
    run.mkdir()
    os.chmod(tmp_path, 0o755)
    stack.open_up(tmp_path)
    sock = run / "keystone" / "keystone.sock"
    repl = {"/run/keystone/keystone.sock": str(sock), "[uwsgi]": "[uwsgi]\nplugins = python3"}
    ini_text = runnable_ini(bad / INI, repl)
    params = _params(tmp_path)
    with time_limit(90):
        # The unit's ExecStart, after a reboot: nothing made /run/keystone.
        ini = tmp_path / "bad.ini"
        ini.write_text(ini_text.replace("@@APP_PY@@", str(stack.stage_app(tmp_path) / "app.py")))
        res = subprocess.run([oracle.uwsgi(), "--ini", str(ini), "--die-on-term"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
        assert res.returncode == 1, res.stdout
        assert "bind(): No such file or directory [core/socket.c line" in res.stdout, res.stdout
        assert not (run / "keystone").exists()  # uWSGI does not create the directory
        with stack.nginx(tmp_path, _site(sock), {"PARAMS": str(params)}) as ng:
            reply = stack.request("GET", ng.url_for("/"))
            assert reply.status == 502, reply  # nothing listens: the service is down
        assert params.exists()

        # The fix: RuntimeDirectory=keystone makes /run/keystone before ExecStart (systemd.exec(5)).
        (run / "keystone").mkdir()
        with stack.uwsgi(tmp_path, ini_text, extra_args=["--die-on-term"], name="uwsgi-good"), \
                stack.nginx(tmp_path, _site(sock), {"PARAMS": str(params)}) as ng:
            reply = stack.request("GET", ng.url_for("/"))
            assert reply.status == 200, reply


ENV_DIR = FIXTURES / "rules" / "uwsgi-env-var-unset"


def _run_unit_uwsgi(tmp_path, name, ini_text, environment, wait_for):
    """Start uWSGI as the fixture's unit does (`uwsgi --ini INI --die-on-term`) with the unit's
    environment only (systemd starts services in a clean one: $PATH, $LANG, Environment=); wait
    until ``wait_for`` (a unix socket path) accepts; return the process (stop it with stack.stop_process)."""
    import signal  # noqa: F401 - stop_process uses it
    import time

    root = tmp_path / name
    root.mkdir()
    os.chmod(root, 0o755)
    ini = root / "uwsgi.ini"
    ini.write_text(ini_text.replace("@@APP_PY@@", str(stack.stage_app(tmp_path) / "app.py")))
    env = {"PATH": "/usr/bin:/bin", "LANG": "C", **environment}
    proc = stack._start([oracle.uwsgi(), "--ini", str(ini), "--die-on-term"], root, root / "uwsgi.log", env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        path = str(wait_for(root))
        if os.path.exists(path) and stack._can_connect(path):
            return proc, root
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    stack.stop_process(proc)
    raise AssertionError(f"uwsgi did not listen on {wait_for(root)}:\n{(root / 'uwsgi.log').read_text()}")


def test_env_var_unset_socket_binds_the_literal_name_and_environment_fixes_it(tmp_path):
    need_uwsgi("WSG124 proof")
    oracle.nginx("WSG124 proof")
    bad, good = ENV_DIR / "bad", ENV_DIR / "good"
    found = _lint(bad, "WSG124")
    assert len(found) == 1 and found[0].severity.name == "ERROR" and "KEYSTONE_SOCKET" in found[0].message, found
    assert _lint(good, "WSG124") == []
    unit = (bad / "etc/systemd/system/keystone.service").read_text()
    assert "Environment=KEYSTONE_WORKERS=4\n" in unit and "KEYSTONE_SOCKET" not in unit

    run = tmp_path / "run" / "keystone"  # RuntimeDirectory=keystone
    run.mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    stack.open_up(tmp_path)
    sock = run / "keystone.sock"  # where the web server connects (the value the unit should set)
    ini_text = runnable_ini(bad / INI, {"[uwsgi]": "[uwsgi]\nplugins = python3"})
    params = _params(tmp_path)
    with time_limit(90):
        # The unit's environment: KEYSTONE_WORKERS only. uWSGI binds "$(KEYSTONE_SOCKET)" in its cwd.
        proc, root = _run_unit_uwsgi(tmp_path, "uwsgi-bad", ini_text, {"KEYSTONE_WORKERS": "4"},
                                     lambda r: r / "$(KEYSTONE_SOCKET)")
        try:
            assert "bound to UNIX address $(KEYSTONE_SOCKET)" in (root / "uwsgi.log").read_text()
            assert not sock.exists()
            with stack.nginx(tmp_path, _site(sock), {"PARAMS": str(params)}) as ng:
                reply = stack.request("GET", ng.url_for("/"))
                assert reply.status == 502, reply
        finally:
            stack.stop_process(proc)
        # The fix: the good fixture's Environment= sets KEYSTONE_SOCKET.
        good_unit = (good / "etc/systemd/system/keystone.service").read_text()
        assert "KEYSTONE_SOCKET=/run/keystone/keystone.sock" in good_unit
        proc, root = _run_unit_uwsgi(tmp_path, "uwsgi-good", ini_text,
                                     {"KEYSTONE_WORKERS": "4", "KEYSTONE_SOCKET": str(sock)}, lambda r: sock)
        try:
            with stack.nginx(tmp_path, _site(sock), {"PARAMS": str(params)}) as ng:
                reply = stack.request("GET", ng.url_for("/"))
                assert reply.status == 200, reply
        finally:
            stack.stop_process(proc)
