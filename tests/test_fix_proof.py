"""Every fix is proven on the real servers (issue 19, item 4).

- The error rules' real-server proofs, with the fix applied by `wsgilint check --fix` (the real
  CLI, on a copy of the rule's bad fixture) instead of by hand: WSG201 (mod_wsgi answers 411 to a
  chunked upload before, 200 with every byte read after) and WSG301 (nginx answers 413 before,
  200 after; an unsafe fix, so `--fix --unsafe-fixes`) and WSG109 (uWSGI reads 0 bytes of a chunked
  upload with `chunked-input-limit = 64M` before, every byte after). WSG104 is shown through
  uWSGI's own `--show-config`: the fixed value is what uWSGI reads.
- Each fixed tree passes the servers' own checks: `apache2 -t`, `nginx -t`, and uWSGI's option
  check (`uwsgi --strict --ini FILE --hook-pre-jail exit:0`: an unknown or malformed option is
  fatal, and the instance exits before it binds or loads anything).
- The re-check after --fix has no finding of the rule (tests/test_fix.py checks the place too).

Missing binaries: loud skip, or failure with WSGILINT_REQUIRE_ORACLES=1 (tests/oracle.py).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import stack  # noqa: E402
from conftest import FIXTURES  # noqa: E402
from proofkit import fixture_text, need_apache, time_limit  # noqa: E402
from test_cli import run  # noqa: E402
from test_proof_nginx import GLANCE_SOCKET, SOCKET_INI, _need_servers, _site  # noqa: E402

RULES = FIXTURES / "rules"
MIB5 = 5 * 1024 * 1024
TEST_BUDGET = 120


@pytest.fixture(autouse=True)
def _time_bound():
    with time_limit(TEST_BUDGET):
        yield


def _fixed_copy(tmp_path: Path, folder: str, case: str, *opts: str) -> Path:
    """A copy of fixtures/rules/<folder>/<case> fixed by the real CLI; asserts the rule is gone after."""
    src = RULES / folder / case
    dst = tmp_path / "fixed" / case
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)
    rule = opts[opts.index("--select") + 1]
    doc = json.loads(run("check", case, "--format", "json", "--select", rule, cwd=dst.parent).stdout)
    fixable = {(f["path"], f["line"], f["message"]) for f in doc["findings"] if f.get("edits")}
    assert fixable
    proc = run("check", case, "--fix", "--format", "json", *opts, cwd=dst.parent)
    assert f"({rule}" in proc.stderr, proc.stderr
    left = {f["message"] for f in json.loads(proc.stdout)["findings"] if f["rule"] == rule}
    assert not {m for _p, _l, m in fixable} & left, proc.stdout  # the re-check: none of the fixed ones is left
    return dst


# ---- WSG201: 411 before, --fix, 200 after ---------------------------------------------------

REPL_201 = {"127.0.0.1:9292": "127.0.0.1:@@PORT@@", "/usr/bin/glance-wsgi-api": "@@APP_WSGI@@",
            "<Directory /usr/bin>": "<Directory @@APP_DIR@@>"}


def test_wsg201_fixed_by_fix_turns_411_into_200(tmp_path):
    bad = RULES / "modwsgi-chunked-request-off" / "bad.conf"
    fixed = _fixed_copy(tmp_path, "modwsgi-chunked-request-off", "bad.conf", "--select", "WSG201")
    assert "WSGIChunkedRequest On" in fixed.read_text() and "WSGIChunkedRequest" not in bad.read_text()
    need_apache("WSG201 fix proof", wsgi=True)
    with stack.apache(tmp_path, fixture_text(bad, REPL_201), modules=["wsgi"], name="before") as web:
        r = stack.post_chunked(web.url_for("/"), MIB5)
        assert r.status == 411, (r, web.logs_report())
    with stack.apache(tmp_path, fixture_text(fixed, REPL_201), modules=["wsgi"], name="after") as web:
        r = stack.post_chunked(web.url_for("/"), MIB5)
        assert r.status == 200 and r.json["bytes"] == MIB5, (r, web.logs_report())
        assert r.json["process_group"] == "glance-api", r  # still the fixture's daemon mode


@pytest.mark.parametrize("case,opts", [("bad.conf", ()), ("bad_off.conf", ("--unsafe-fixes",))])
def test_wsg201_fixed_sites_pass_apache2_t(tmp_path, case, opts):
    fixed = _fixed_copy(tmp_path, "modwsgi-chunked-request-off", case, "--select", "WSG201", *opts)
    need_apache("apache2 -t on a fixed site", wsgi=True)
    for name, path in (("before", RULES / "modwsgi-chunked-request-off" / case), ("after", fixed)):
        cfg = stack.write_apache_config(tmp_path, fixture_text(path, {"127.0.0.1:9292": "127.0.0.1:@@PORT@@"}),
                                        modules=["wsgi"], name=name)
        rc, out = stack.apache_configtest(cfg)
        assert rc == 0 and "Syntax OK" in out, (name, out)


# ---- WSG301: 413 before, --fix --unsafe-fixes, 200 after ------------------------------------

def test_wsg301_fixed_by_fix_turns_413_into_200(tmp_path):
    bad = RULES / "nginx-body-size-limit" / "bad" / "glance-api.conf"
    fixed = _fixed_copy(tmp_path, "nginx-body-size-limit", "bad", "--select", "WSG301", "--unsafe-fixes")
    _need_servers("WSG301 fix proof")
    with stack.uwsgi(tmp_path, SOCKET_INI, name="u1"), stack.nginx(tmp_path, _site(bad, GLANCE_SOCKET),
                                                                    name="before") as ng:
        assert stack.post_chunked(ng.url_for("/"), MIB5).status == 413
    with stack.uwsgi(tmp_path, SOCKET_INI, name="u2"), stack.nginx(
            tmp_path, _site(fixed / "glance-api.conf", GLANCE_SOCKET), name="after") as ng:  # runs nginx -t first
        for reply in (stack.post_sized(ng.url_for("/"), MIB5), stack.post_chunked(ng.url_for("/"), MIB5)):
            assert reply.status == 200 and reply.json["bytes"] == MIB5, reply


def test_wsg301_fixed_explicit_limit_passes_nginx_t(tmp_path):
    fixed = _fixed_copy(tmp_path, "nginx-body-size-limit", "bad_explicit.conf", "--select", "WSG301",
                        "--unsafe-fixes")
    oracle.nginx("nginx -t on a fixed site")
    assert nginx_t(tmp_path, fixed.read_text().replace("listen 80;", "listen 127.0.0.1:@@PORT@@;")) == (0, True)


def nginx_t(tmp_path: Path, site_text: str, name: str = "nt") -> tuple[int, bool]:
    """`nginx -t` on site_text inside tests/stack.py's http block; (rc, "test is successful" printed)."""
    root = tmp_path / name
    for d in ("logs", "run", "tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    full = {"ROOT": str(root), "PORT": oracle.free_port(), "TMP": str(tmp_path)}
    main = stack._NGINX_MAIN.replace("@@USER@@", "").replace("@@EXTRA_HTTP@@", "")
    (root / "nginx.conf").write_text(stack.render(main, full))
    (root / "site.conf").write_text(stack.render(site_text, full) + "\n")
    res = subprocess.run([oracle.nginx(), "-p", f"{root}/", "-c", str(root / "nginx.conf"), "-e",
                          str(root / "logs" / "stderr.log"), "-t"], capture_output=True, text=True, timeout=20,
                         stdin=subprocess.DEVNULL)
    return res.returncode, "test is successful" in res.stdout + res.stderr


# ---- uWSGI: the fixed inis pass uWSGI's own option check -------------------------------------

def uwsgi_strict(path: Path) -> tuple[int, str]:
    """`uwsgi --strict` on an ini (python3 plugin loaded): rc 0 when uWSGI accepts every option."""
    binary = oracle.uwsgi("uWSGI option check")
    plugins = oracle.uwsgi_plugin_dir("uWSGI option check")
    oracle.uwsgi_python_plugin("uWSGI option check")
    text = path.read_text(errors="replace")
    assert "@(exec://" not in text
    res = subprocess.run([binary, "--strict", "--plugins-dir", plugins, "--plugins", "python3", "--ini", path.name,
                          "--hook-pre-jail", "exit:0"], cwd=path.parent, capture_output=True, text=True,
                         timeout=30, env={"PATH": "/usr/bin:/bin", "LANG": "C"}, stdin=subprocess.DEVNULL)
    return res.returncode, res.stdout + res.stderr


UWSGI_CASES = [
    ("uwsgi-size-suffix", "bad.ini", ("--select", "WSG109")),
    ("uwsgi-inline-comment", "bad.ini", ("--select", "WSG104")),
    ("uwsgi-sigterm-reloads", "bad.ini", ("--select", "WSG115", "--unsafe-fixes")),
    ("uwsgi-buffer-size-small", "bad.ini", ("--select", "WSG107")),
    ("uwsgi-buffer-size-small", "bad_small.ini", ("--select", "WSG107")),
]


@pytest.mark.parametrize("folder,case,opts", UWSGI_CASES, ids=[f"{c[0]}/{c[1]}" for c in UWSGI_CASES])
def test_fixed_inis_pass_uwsgi_strict(tmp_path, folder, case, opts):
    fixed = _fixed_copy(tmp_path, folder, case, *opts)
    assert fixed.read_bytes() != (RULES / folder / case).read_bytes()
    rc, out = uwsgi_strict(RULES / folder / case)
    assert rc == 0, out  # accepted before ...
    rc, out = uwsgi_strict(fixed)
    assert rc == 0, out  # ... and after
    assert "[strict-mode]" not in out


def test_uwsgi_strict_is_a_real_check(tmp_path):
    ini = tmp_path / "x.ini"
    ini.write_text("[uwsgi]\nmodule = glance.wsgi.api:application\nbufer-size = 65535\n")
    rc, out = uwsgi_strict(ini)
    assert rc != 0 and "unknown config directive: bufer-size" in out


def test_wsg104_fix_changes_what_uwsgi_reads(tmp_path):
    """The fixed value is what uWSGI reads (--show-config), the comment is gone from it."""
    fixed = _fixed_copy(tmp_path, "uwsgi-inline-comment", "bad.ini", "--select", "WSG104")
    binary = oracle.uwsgi("uWSGI --show-config")
    res = subprocess.run([binary, "--ini", fixed.name, "--show-config", "--hook-pre-jail", "exit:0"],
                         cwd=fixed.parent, capture_output=True, text=True, timeout=30,
                         env={"PATH": "/usr/bin:/bin", "LANG": "C"}, stdin=subprocess.DEVNULL)
    out = res.stdout + res.stderr
    assert "socket = /run/uwsgi/glance-api.socket\n" in out, out
    assert "hook-master-start = unix_signal:15 gracefully_kill_them_all\n" in out, out
    assert "# glance" not in out.split(";uWSGI instance configuration", 1)[-1].split(";end of configuration")[0]


# ---- WSG109: a 64-byte chunked-input-limit before, --fix, the whole upload after --------------

def test_wsg109_fixed_by_fix_reads_the_whole_chunked_upload(tmp_path):
    from test_proof_catalog_uwsgi import ini

    body = "http-socket = 127.0.0.1:@@UPORT@@\nsocket-timeout = 2\nchunked-input-limit = 64M"
    src = tmp_path / "src" / "app-uwsgi.ini"
    src.parent.mkdir()
    src.write_text(ini(body))
    proc = run("check", src.name, "--fix", "--select", "WSG109", cwd=src.parent)
    assert "fixed 1 finding(s) in 1 file(s) (WSG109)" in proc.stderr, proc.stderr
    fixed = src.read_text()
    assert fixed == ini(body.replace("64M", "67108864"))
    oracle.uwsgi_http_plugin("WSG109 fix proof")
    for name, text, expect in (("before", ini(body), 0), ("after", fixed, 4 * 1024 * 1024)):
        with stack.uwsgi(tmp_path, text, {"UPORT": oracle.free_port()}, name=name) as u:
            r = stack.post_chunked(u.url + "/?mode=chunked", 4 * 1024 * 1024, chunk=64)
            assert r.status == 200 and r.json["bytes"] == expect, (name, r, u.logs_report())
