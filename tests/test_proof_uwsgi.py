"""Real-server proofs for the error-level reading and uWSGI rules.

For each rule: lint the rule's bad fixture (fixtures/rules/<name>/bad*), show
that the real server (apache2 -t, uwsgi) fails the way the rule says, then
show that the good fixture works on the real server and lints clean for that
rule.  The last tests check that every good fixture of these rules is
accepted by the real server's own config check.

Servers come from tests/stack.py (127.0.0.1 / unix sockets under tmp_path,
stopped by pid on exit); binaries from tests/oracle.py (loud skip, or failure
with WSGILINT_REQUIRE_ORACLES=1).  Every subprocess has a timeout.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import stack  # noqa: E402
from conftest import FIXTURES  # noqa: E402
from lintrun import check  # noqa: E402

RULES = FIXTURES / "rules"
MIB5 = 5 * 1024 * 1024
CMD_TIMEOUT = 15.0
FRAGMENT_MODULES = ["proxy", "proxy_uwsgi", "proxy_http", "env"]



# ---- helpers -------------------------------------------------------------------


def lint(case: Path, rule_id: str, **kw) -> list:
    """Findings of one rule on a fixture case, as (path relative to the rule folder, line, col, message)."""
    result = check([case], cwd=case.parent, select=[rule_id], **kw)
    return [(f.path, f.line, f.column, f.message) for f in result.findings if f.rule.id == rule_id]


def copy_tree(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst


def apache_t_tree(tree: Path) -> tuple[int, str]:
    """`apache2 -d TREE -f TREE/apache2.conf -t` (the tree is a trimmed /etc/apache2 with relative paths)."""
    binary = oracle.apache2("apache2 -t on a fixture tree")
    res = subprocess.run([binary, "-d", str(tree), "-f", str(tree / "apache2.conf"), "-t"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=CMD_TIMEOUT, stdin=subprocess.DEVNULL)
    return res.returncode, res.stdout


def apache_t_fragment(fragment: Path, tmp_path: Path) -> tuple[int, str, Path]:
    """`apache2 -t` on a site fragment included from the harness's httpd.conf; returns (rc, output, site path)."""
    oracle.apache2("apache2 -t on a fixture fragment")
    text = fragment.read_bytes().decode("latin-1")
    cfg = stack.write_apache_config(tmp_path, text, modules=FRAGMENT_MODULES)
    rc, out = stack.apache_configtest(cfg, timeout=CMD_TIMEOUT)
    return rc, out, cfg.site


def uwsgi_show_config(ini: Path) -> tuple[int, str]:
    """`uwsgi --ini INI --show-config --hook-pre-jail exit:0` in the ini's directory (binds nothing)."""
    binary = oracle.uwsgi("uwsgi --show-config on a fixture")
    oracle.uwsgi_python_plugin("uwsgi --show-config on a fixture")
    res = subprocess.run([binary, "--ini", ini.name, "--show-config", "--hook-pre-jail", "exit:0"],
                         cwd=str(ini.parent), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=CMD_TIMEOUT, stdin=subprocess.DEVNULL)
    return res.returncode, res.stdout


def shown_options(show_config_output: str) -> list:
    """(key, value) lines between `[uwsgi]` and `;end of configuration` in --show-config output."""
    m = re.search(r"^\[uwsgi\]\n(.*?)^;end of configuration", show_config_output, re.M | re.S)
    assert m, show_config_output
    out = []
    for line in m.group(1).splitlines():
        key, _, value = line.partition(" = ")
        out.append((key, value))
    return out


def runnable(ini_text: str, **repl) -> str:
    """A fixture ini made runnable on loopback: the app is tests/app, addresses are the test's own."""
    text = re.sub(r"^module = .*$", "wsgi-file = @@APP_PY@@", ini_text, flags=re.M)
    for old, new in repl.items():
        text = text.replace(old, new)
    return text


# ---- WSG101 uwsgi-router-chunked-input -----------------------------------------------


def test_wsg101_router_without_chunked_input_reads_zero_bytes(tmp_path):
    folder = RULES / "uwsgi-router-chunked-input"
    bad, good = folder / "bad.ini", folder / "good.ini"
    hits = lint(bad, "WSG101")
    assert [(p, line) for p, line, _, _ in hits] == [("bad.ini", 4)], hits
    assert bad.read_text().splitlines()[3].startswith("http = "), "line 4 is the router"
    assert lint(good, "WSG101") == []

    oracle.uwsgi_http_plugin("WSG101 proof")
    for case, expect in ((bad, 0), (good, MIB5)):
        text = runnable(case.read_text(), **{"127.0.0.1:60999": "127.0.0.1:@@UPORT@@",
                                             "socket-timeout = 30": "socket-timeout = 2",
                                             "processes = 4": "processes = 1"})
        with stack.uwsgi(tmp_path, text, {"UPORT": oracle.free_port()}, name=case.stem) as uw:
            r = stack.post_chunked(uw.url + "/", MIB5)
            assert r.status == 200, r  # the client is told all is well either way
            assert r.json["how"] == "uwsgi.chunked_read", r
            assert r.json["bytes"] == expect, r
            if expect == 0:
                assert "unable to receive chunked part" in (r.json["error"] or ""), r
            else:
                assert r.json["error"] is None, r


# ---- WSG104 uwsgi-inline-comment ---------------------------------------------------


def test_wsg104_inline_comment_becomes_part_of_the_value(tmp_path):
    folder = RULES / "uwsgi-inline-comment"
    bad, good = folder / "bad.ini", folder / "good.ini"
    hits = lint(bad, "WSG104")
    assert [(line, col) for _, line, col, _ in hits] == [(3, 39), (6, 15), (9, 61)], hits
    assert lint(good, "WSG104") == []

    # --show-config: uWSGI keeps the comment text in each value
    rc, out = uwsgi_show_config(bad)
    assert rc == 0, out
    opts = dict(shown_options(out))
    assert opts["socket"] == "/run/uwsgi/glance-api.socket # glance", out
    assert opts["processes"] == "4 ; one per core", out
    assert opts["hook-master-start"] == "unix_signal:15 gracefully_kill_them_all\t# graceful stop", out
    rc, out = uwsgi_show_config(good)
    assert rc == 0, out
    opts = dict(shown_options(out))
    assert opts["socket"] == "/run/uwsgi/glance-api.socket"
    assert opts["processes"] == "4"

    # running it (hook line left out): the socket uWSGI binds is "<path> # glance", not <path>
    sock = str(tmp_path / "glance.sock")
    for case, bound, absent in ((bad, sock + " # glance", sock), (good, sock, sock + " # glance")):
        text = runnable(case.read_text(), **{"/run/uwsgi/glance-api.socket": "@@SOCK@@",
                                             "processes = 4": "processes = 1"})
        text = re.sub(r"^hook-master-start = .*$", "", text, flags=re.M)
        with stack.uwsgi(tmp_path, text, {"SOCK": sock}, name=case.stem) as uw:
            assert os.path.exists(bound), uw.logs_report()
            assert not os.path.exists(absent), uw.logs_report()
            assert "uwsgi socket 0 bound to UNIX address %s fd" % bound in uw.log_text(), uw.logs_report()
        for p in (sock, sock + " # glance"):
            if os.path.exists(p):
                os.unlink(p)

    # running it with the hook: the comment is passed to unix_signal and the hook fails,
    # which makes uWSGI destroy the whole instance right after spawning its workers
    hook_ok = 'running "unix_signal:15 gracefully_kill_them_all" (master-start)'
    text = stack.render(runnable(bad.read_text(), **{"/run/uwsgi/glance-api.socket": str(tmp_path / "hook.sock"),
                                                     "processes = 4": "processes = 1"}),
                        {"APP_PY": str(stack.stage_app(tmp_path) / "app.py")})
    out = run_until_log(text, tmp_path / "hook-bad", "FATAL hook failed")
    assert 'running "unix_signal:15 gracefully_kill_them_all\t# graceful stop" (master-start)' in out, out
    assert 'unable to find function "gracefully_kill_them_all\t# graceful stop"' in out, out
    assert "FATAL hook failed, destroying instance" in out, out
    assert hook_ok not in out
    text = runnable(good.read_text(), **{"/run/uwsgi/glance-api.socket": "@@SOCK@@",
                                         "processes = 4": "processes = 1"})
    with stack.uwsgi(tmp_path, text, {"SOCK": str(tmp_path / "hook-good.sock")}, name="hook-good") as uw:
        deadline = time.monotonic() + 10
        while hook_ok not in uw.log_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert hook_ok in uw.log_text(), uw.logs_report()
        assert "FATAL" not in uw.log_text(), uw.logs_report()
        assert uw.proc.poll() is None, uw.logs_report()


def run_until_log(ini_text: str, workdir: Path, marker: str, timeout: float = 15.0) -> str:
    """Run `uwsgi --ini` until `marker` shows in its output (bounded), then stop its process group; return the log."""
    binary = oracle.uwsgi("uWSGI run until a log line")
    workdir.mkdir(parents=True)
    (workdir / "uwsgi.ini").write_text(ini_text)
    log = workdir / "uwsgi.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "--ini", "uwsgi.ini"], cwd=str(workdir), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while marker not in log.read_text(errors="replace") and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        stack.stop_process(proc, signal.SIGINT, 2.0)  # after a failed hook the master hangs: SIGKILL follows
    return log.read_text(errors="replace")


# ---- WSG001 parse-error --------------------------------------------------------------


def test_wsg001_mismatched_section_fails_apache_t(tmp_path):
    folder = RULES / "parse-error"
    hits = lint(folder / "bad", "WSG001")
    assert [(p, line, msg) for p, line, _, msg in hits] == [
        ("bad/sites-enabled/glance-api.conf", 9, "Expected </Location> but saw </VirtualHost>")], hits
    assert lint(folder / "good", "WSG001") == []

    rc, out = apache_t_tree(copy_tree(folder / "bad", tmp_path / "b"))
    assert rc != 0, out
    assert re.search(r"Syntax error on line 9 of \S+/sites-enabled/glance-api\.conf: "
                     r"Expected </Location> but saw </VirtualHost>", out), out
    rc, out = apache_t_tree(copy_tree(folder / "good", tmp_path / "g"))
    assert rc == 0 and "Syntax OK" in out, out


@pytest.mark.parametrize("case, line, httpd_says", [
    ("bad_unclosed.conf", 3, "<VirtualHost> was not closed."),
    ("bad_noclose.conf", 2, "<VirtualHost> directive missing closing '>'"),
])
def test_wsg001_fragment_fails_apache_t(tmp_path, case, line, httpd_says):
    folder = RULES / "parse-error"
    hits = lint(folder / case, "WSG001")
    assert [(p, ln) for p, ln, _, _ in hits] == [(case, line)], hits
    assert hits[0][3] == httpd_says, "same wording as httpd"
    rc, out, site = apache_t_fragment(folder / case, tmp_path)
    assert rc != 0, out
    assert "line %d of %s" % (line, site) in out, out
    assert httpd_says in out, out
    rc, out, _ = apache_t_fragment(folder / "good.conf", tmp_path)
    assert rc == 0, out
    assert lint(folder / "good.conf", "WSG001") == []


# ---- WSG003 include-not-found ----------------------------------------------------


@pytest.mark.parametrize("case, httpd_says", [
    ("bad", r"Include/IncludeOptional: No matches for the wildcard '\*\.conf' in '\S+/sites-enabled', failing"),
    ("bad_file", r"Could not open configuration file \S+/sites-enabled/glance-api\.conf: No such file or directory"),
])
def test_wsg003_include_without_match_fails_apache_t(tmp_path, case, httpd_says):
    folder = RULES / "include-not-found"
    good = "good" if case == "bad" else "good_file"
    hits = lint(folder / case, "WSG003")
    assert [(p, line) for p, line, _, _ in hits] == [(case + "/apache2.conf", 22)], hits
    assert lint(folder / good, "WSG003") == []

    rc, out = apache_t_tree(copy_tree(folder / case, tmp_path / "b"))
    assert rc != 0, out
    assert re.search(r"Syntax error on line 22 of \S+/apache2\.conf: " + httpd_says, out), out
    rc, out = apache_t_tree(copy_tree(folder / good, tmp_path / "g"))
    assert rc == 0 and "Syntax OK" in out, out


# ---- WSG005 include-cycle ------------------------------------------------------------


def test_wsg005_include_cycle_fails_apache_t(tmp_path):
    folder = RULES / "include-cycle"
    hits = lint(folder / "bad", "WSG005")
    assert [(p, line) for p, line, _, _ in hits] == [("bad/apache2.conf", 21)], hits
    pair = lint(folder / "bad_pair", "WSG005")
    assert sorted((p, line) for p, line, _, _ in pair) == [
        ("bad_pair/sites-enabled/glance-api.conf", 10), ("bad_pair/sites-enabled/keystone.conf", 2)], pair
    assert lint(folder / "good", "WSG005") == []

    # httpd prints the whole include chain into one fixed-size message buffer, so the
    # final "recursion" text only shows when the paths are short: copy to a short dir.
    short = Path(tempfile.mkdtemp(prefix="wc", dir="/tmp"))
    try:
        rc, out = apache_t_tree(copy_tree(folder / "bad", short))
        assert rc != 0, out
        assert out.count("Syntax error on line 21 of %s/bad/apache2.conf" % short) > 100, out[-2000:]
        assert out.rstrip().endswith("Exceeded maximum include depth of 128, There appears to be a recursion."), \
            out[-2000:]
        rc, out = apache_t_tree(copy_tree(folder / "bad_pair", short))
        assert rc != 0, out
        # glance-api.conf:10 -> keystone.conf:2 -> glance-api.conf:10 ... (message truncated by httpd)
        assert out.count("Syntax error on line 10 of %s/bad_pair/sites-enabled/glance-api.conf" % short) > 20, out
        assert out.count("Syntax error on line 2 of %s/bad_pair/sites-enabled/keystone.conf" % short) > 20, out
    finally:
        shutil.rmtree(short, ignore_errors=True)
    rc, out = apache_t_tree(copy_tree(folder / "good", tmp_path / "good"))
    assert rc == 0 and "Syntax OK" in out, out


# ---- WSG004 file-unreadable (NUL bytes) ------------------------------------------


def test_wsg004_nul_bytes_are_not_an_httpd_error(tmp_path):
    """WSG004 flags a binary (NUL-byte) include; httpd itself does NOT fail on it.

    Recorded as observed: `apache2 -t` says Syntax OK for the bad tree, so the
    finding is about wsgilint not being able to check the file, not about httpd
    refusing it (the rule's docs say so).
    """
    folder = RULES / "file-unreadable"
    hits = lint(folder / "bad", "WSG004")
    assert [(p, line) for p, line, _, _ in hits] == [("bad/apache2.conf", 21)], hits
    assert "NUL" in hits[0][3]
    assert lint(folder / "good", "WSG004") == []
    rc, out = apache_t_tree(copy_tree(folder / "bad", tmp_path / "bad"))
    assert rc == 0 and "Syntax OK" in out, out
    rc, out = apache_t_tree(copy_tree(folder / "good", tmp_path / "good"))
    assert rc == 0 and "Syntax OK" in out, out


# ---- WSG007 / WSG008: what the real servers do with the bad fixtures ------------------


def test_wsg007_undefined_variable_is_kept_literally_by_httpd(tmp_path):
    folder = RULES / "undefined-variable"
    assert [line for _, line, _, _ in lint(folder / "bad.conf", "WSG007")] == [5, 6]
    rc, out, _ = apache_t_fragment(folder / "bad.conf", tmp_path)
    assert "AH00111: Config variable ${APACHE_LOG_DIR} is not defined" in out, out
    assert rc != 0 and "${APACHE_LOG_DIR}/' for error log of vhost" in out, out
    rc, out, _ = apache_t_fragment(folder / "good.conf", tmp_path)
    assert rc == 0, out


def test_wsg008_options_uwsgi_never_reads(tmp_path):
    folder = RULES / "uwsgi-no-section"
    rc, out = uwsgi_show_config(folder / "bad.ini")
    assert rc == 0, out
    keys = [k for k, _ in shown_options(out)]
    assert "uwsgi-socket" not in keys and "chmod-socket" not in keys, out
    rc, out = uwsgi_show_config(folder / "bad_ini" / "keystone-public.ini")
    assert rc == 0, out
    keys = [k for k, _ in shown_options(out)]
    assert "processes" not in keys and "plugins" not in keys, out
    rc, out = uwsgi_show_config(folder / "good_ini" / "keystone-public.ini")
    assert rc == 0, out
    assert ("processes", "4") in shown_options(out), out


# ---- every good fixture of these rules passes the real config check ----------------

APACHE_RULES = ("parse-error", "include-not-found", "file-unreadable", "include-cycle", "not-utf8",
                "undefined-variable")
UWSGI_RULES = ("uwsgi-no-section", "uwsgi-router-chunked-input", "uwsgi-socket-timeout-short",
               "uwsgi-harakiri-short", "uwsgi-inline-comment", "uwsgi-workers-unset",
               "glance-tasks-under-uwsgi")


def _good_cases(rules):
    for rule in rules:
        folder = RULES / rule
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("good") and entry.suffix != ".args":
                yield pytest.param(entry, id="%s/%s" % (rule, entry.name))


@pytest.mark.parametrize("case", list(_good_cases(APACHE_RULES)))
def test_good_apache_fixture_passes_apache_t(tmp_path, case):
    if case.is_dir():
        rc, out = apache_t_tree(copy_tree(case, tmp_path / "t"))
    elif case.suffix == ".conf":
        rc, out, _ = apache_t_fragment(case, tmp_path)
    else:
        rc, out = uwsgi_show_config(case)
    assert rc == 0, out


@pytest.mark.parametrize("case", list(_good_cases(UWSGI_RULES)))
def test_good_uwsgi_fixture_passes_uwsgi(tmp_path, case):
    # A whole tree (a launcher fixture) holds its inis under etc/; the packaging's inherited files
    # (usr/share/uwsgi/conf/default.ini) are not instances of their own.
    inis = [case] if case.is_file() else sorted(p for p in case.rglob("*.ini") if "[uwsgi]" in p.read_text()
                                                and "usr/share" not in p.relative_to(case).as_posix())
    assert inis
    for ini in inis:
        rc, out = uwsgi_show_config(ini)
        assert rc == 0, out
        assert 'running "exit:0" (pre-jail)' in out, out
