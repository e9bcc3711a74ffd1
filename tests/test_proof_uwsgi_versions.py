"""Real-server proofs of the version-dependent uWSGI rules, on two uWSGI builds (issue 13 item 5).

Each proof runs on every build in oracle.UWSGI_FLAVOURS: Debian 12's apt uWSGI
2.0.21 (python3 plugin) and a current 2.0.x built from PyPI by
scripts/install-deps.sh (oracle.UWSGI_PIP_VERSION, Python compiled in). A
missing build skips loudly, and fails under WSGILINT_REQUIRE_ORACLES=1. Each
proof shows the behaviour on the server where it exists and its absence where
it does not, then runs `wsgilint check --uwsgi-version <that build's version>`
on the same ini: the rule fires where the server misbehaves and is quiet where
it does not.

Version facts, each with its source (unbit/uwsgi, tags as in the repository):
- Python threads on by default since 2.0.27: unbit/uwsgi@1caea16d "core/uwsgi:
  set enable threads by default" (in 2.0.26..2.0.27; master 896ee575);
  2.0.27:core/init.c sets `uwsgi.has_threads = 1`, 2.0.26:core/init.c does not.
- `harakiri-graceful-timeout`: in tag 2.0.22 (@e7d3eda131):core/uwsgi.c, not 2.0.21 (@0d1c793465).
- `max-requests-delta`: in tag 2.0.29 (@ae7ecb01e8):core/uwsgi.c, not 2.0.28.
The tests below measure each of these on the servers.

Cost (2 cores, measured): 10 tests in ~12 s; the pip build itself 28-67 s, once (install-deps.sh).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import oracle
import pytest
import stack

THREADS_DEFAULT_ON_SINCE = (2, 0, 27)  # unbit/uwsgi@1caea16d (tag 2.0.27)
OPTION_ADDED = {  # option -> first 2.0.x release whose option table has it
    "harakiri-graceful-timeout": (2, 0, 22),  # unbit/uwsgi 2.0.22:core/uwsgi.c
    "max-requests-delta": (2, 0, 29),         # unbit/uwsgi 2.0.29:core/uwsgi.c
}
CMD_TIMEOUT = 60.0


@pytest.fixture(params=oracle.UWSGI_FLAVOURS)
def uwsgi_bin(request) -> oracle.UwsgiBinary:
    """Each uWSGI build in turn (skips loudly / fails under WSGILINT_REQUIRE_ORACLES=1 when absent)."""
    return oracle.uwsgi_binary(request.param, "version-dependent uWSGI proof")


def wsgilint_findings(ini: Path, version: str, select: str) -> list:
    """The JSON findings of `wsgilint check --uwsgi-version VERSION --select SELECT ini`."""
    res = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--uwsgi-version", version,
                          "--select", select, "--format", "json", "--fail-on", "never", str(ini)],
                         cwd=str(ini.parent), capture_output=True, text=True, timeout=CMD_TIMEOUT,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, (res.returncode, res.stdout[-2000:], res.stderr[-2000:])
    return json.loads(res.stdout)["findings"]


def wsgilint_ids(ini: Path, version: str, select: str) -> list:
    """(rule, line) of every finding of `wsgilint check --uwsgi-version VERSION --select SELECT ini`."""
    return [(f["rule"], f["line"]) for f in wsgilint_findings(ini, version, select)]


# ---- WSG114 uwsgi-python-threads-off ------------------------------------------------------


def ticker_ini(binary: oracle.UwsgiBinary) -> str:
    """The app ticks every 50 ms in a thread; no enable-threads, no threads: WSG114's case."""
    return ("[uwsgi]\n%s\nhttp-socket = 127.0.0.1:@@UPORT@@\nwsgi-file = @@APP_DIR@@/ticker.py\n"
            "master = true\nprocesses = 1\nlazy-apps = true\n" % binary.ini_plugins())


def test_wsg114_thread_stalls_between_requests_only_before_2_0_27(tmp_path, uwsgi_bin):
    threads_on = uwsgi_bin.version_tuple >= THREADS_DEFAULT_ON_SINCE
    with stack.uwsgi(tmp_path, ticker_ini(uwsgi_bin), {"UPORT": oracle.free_port()},
                     name="ticker", binary=uwsgi_bin) as u:
        first = int(stack.get(u.url + "/?0").body)
        time.sleep(1.0)  # idle: no request holds the worker; ~20 ticks if the thread runs
        second = int(stack.get(u.url + "/?0").body)
        during = int(stack.get(u.url + "/?0.5").body) - second  # a request in progress lets it run
        log = u.log_text()
        ini = u.ini
    assert "Starting uWSGI %s" % uwsgi_bin.version in log, stack.tail(log)  # the build we meant
    if threads_on:
        assert "Python threads support is disabled" not in log, stack.tail(log)
        assert second - first >= 10, (uwsgi_bin, first, second)
    else:
        assert "Python threads support is disabled" in log, stack.tail(log)
        assert second - first <= 2, (uwsgi_bin, first, second)
    assert during >= 5, (uwsgi_bin, second, during)  # the thread exists and runs in the worker
    # and wsgilint, told that build's version, on the very ini the server ran
    hits = wsgilint_findings(ini, uwsgi_bin.version, "WSG114")
    if threads_on:
        assert hits == [], hits
    else:
        assert [(f["rule"], f["line"]) for f in hits] == [("WSG114", 4)], hits
        assert "uWSGI %s" % uwsgi_bin.version in hits[0]["message"], hits  # names the version it judged


# ---- WSG117 uwsgi-unknown-option: options added after 2.0.21 -------------------------------


def strict_ini(binary: oracle.UwsgiBinary, option: str) -> str:
    return ("[uwsgi]\n%s\nstrict = true\nhttp-socket = 127.0.0.1:@@UPORT@@\nwsgi-file = @@APP_PY@@\n"
            "master = true\nprocesses = 1\n%s = 5\n" % (binary.ini_plugins(), option))


@pytest.mark.parametrize("option", sorted(OPTION_ADDED))
def test_wsg117_strict_server_knows_option_only_from_its_release(tmp_path, uwsgi_bin, option):
    added = OPTION_ADDED[option]
    text = strict_ini(uwsgi_bin, option)
    refusal = "[strict-mode] unknown config directive: %s" % option
    if uwsgi_bin.version_tuple >= added:
        with stack.uwsgi(tmp_path, text, {"UPORT": oracle.free_port()}, name="strict",
                         binary=uwsgi_bin) as u:
            assert stack.get(u.url + "/").status == 200
            log = u.log_text()
        assert "Starting uWSGI %s" % uwsgi_bin.version in log and refusal not in log, stack.tail(log)
    else:
        with pytest.raises(stack.StackError) as err:
            with stack.uwsgi(tmp_path, text, {"UPORT": oracle.free_port()}, name="strict",
                             binary=uwsgi_bin):
                pass
        assert "exited with status" in str(err.value) and refusal in str(err.value), str(err.value)
    # and wsgilint, told that build's version, on the very ini the server ran or refused
    hits = wsgilint_findings(tmp_path / "strict" / "uwsgi.ini", uwsgi_bin.version, "WSG117")
    if uwsgi_bin.version_tuple >= added:
        assert hits == [], hits
    else:
        assert [(f["rule"], f["line"]) for f in hits] == [("WSG117", 8)], hits
        assert "uWSGI %s" % uwsgi_bin.version in hits[0]["message"], hits
        assert "added in %s" % ".".join(map(str, added)) in hits[0]["message"], hits


@pytest.mark.parametrize("typo", ["enabled-threads", "enable_threads"])
def test_strict_mode_refuses_typos_on_every_build(tmp_path, uwsgi_bin, typo):
    """Version-independent half of WSG117's proof, on both builds: a typo is unknown to each."""
    path = tmp_path / "typo.ini"
    path.write_text("[uwsgi]\n%s\nstrict = true\n%s = 1\n" % (uwsgi_bin.ini_plugins(), typo))
    out = subprocess.run([uwsgi_bin.path, "--ini", str(path), "--hook-pre-jail", "exit:0"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=CMD_TIMEOUT,
                         stdin=subprocess.DEVNULL, cwd=str(tmp_path)).stdout
    assert "[strict-mode] unknown config directive: %s" % typo in out, out
    assert [r for r, _ in wsgilint_ids(path, uwsgi_bin.version, "WSG117")] == ["WSG117"]
