"""Nothing runs, nothing is fetched, nothing is written, nothing outside --root is opened.

The check runs in a subprocess under a Python audit hook (sys.addaudithook) that
records every open, directory listing, socket and process event; the real
CLI is then driven exactly as a user would.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

_RUNNER = r"""
import json, sys
events = []
state = {"on": True}
WATCH = ("open", "os.listdir", "os.scandir", "socket.", "subprocess.", "os.system", "os.exec",
         "os.posix_spawn", "os.spawn", "os.fork", "urllib.", "http.client", "ctypes.dlopen")
def hook(event, args):
    if state["on"] and event.startswith(WATCH):
        first = args[0] if args else None
        if isinstance(first, bytes):
            first = first.decode("utf-8", "surrogateescape")
        events.append([event, first if isinstance(first, (str, int)) else repr(first)[:200],
                       args[1] if event == "open" and len(args) > 1 else None,
                       args[2] if event == "open" and len(args) > 2 else None])
sys.addaudithook(hook)
import os
_real_exit = os._exit
def _dump_and_exit(code):  # main() ends the process with os._exit: record first
    state["on"] = False
    with open(os.environ["EVENTS"], "w") as fh:
        json.dump({"code": code, "events": events}, fh)
    _real_exit(code)
os._exit = _dump_and_exit
from wsgilint.cli import main
sys.argv = ["wsgilint"] + sys.argv[2:]
main()
"""


def _run(tmp: Path, args: list[str], cwd: Path) -> tuple[int, list, str]:
    runner = tmp / "runner.py"
    runner.write_text(_RUNNER)
    events = tmp / "events.json"
    proc = subprocess.run([sys.executable, str(runner), "x", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "EVENTS": str(events)})
    assert "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(events.read_text())
    return data["code"], data["events"], proc.stdout + proc.stderr


def _snapshot(top: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            st = os.lstat(p)
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else ""
            out[str(p)] = (st.st_mtime_ns, st.st_size, digest)
    return out


def _tree(tmp: Path) -> tuple[Path, Path, Path]:
    root = tmp / "root"
    outside = tmp / "outside"
    (root / "etc/apache2/conf-enabled").mkdir(parents=True)
    (root / "etc/uwsgi").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.conf").write_text("ServerName secret\n")
    marker = tmp / "MARKER"
    a = root / "etc/apache2"
    (a / "apache2.conf").write_text(
        f'ErrorLog "|/usr/bin/touch {marker}"\nCustomLog "|$/usr/bin/touch {marker}" combined\n'
        f"Include ../../../outside/secret.conf\nInclude {outside}/secret.conf\nInclude conf-enabled/*.conf\n"
        f"IncludeOptional /../../outside/*.conf\nServerName x\n")
    os.symlink(str(outside / "secret.conf"), a / "conf-enabled/abs.conf")
    os.symlink("../../../../outside/secret.conf", a / "conf-enabled/rel.conf")
    os.symlink("/etc/../../outside", a / "conf-enabled/dirlink")
    (root / "etc/uwsgi/app.ini").write_text(
        f"[uwsgi]\nmodule = x:app\nsocket = @(exec://touch {marker})\nchdir = $(touch {marker})\n"
        f"pidfile = `touch {marker}`\nini = @(http://127.0.0.1:9/x.ini)\nini = {outside}/x.ini\n"
        f"ini = ../../../outside/x.ini\nhttp-socket = :8080\n")
    (outside / "x.ini").write_text("[uwsgi]\nsocket = /outside\n")
    return root, outside, marker


def test_root_confines_runs_nothing_writes_nothing(tmp_path):
    root, outside, marker = _tree(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    before, cwd_before = _snapshot(root), _snapshot(cwd)
    code, events, output = _run(tmp_path, ["check", "--root", str(root), "-f", "concise", "--fail-on", "never"],
                                cwd)
    assert code == 0, output
    assert "ServerName" not in output or "secret" not in output
    assert not marker.exists()
    # nothing outside the root was opened or listed (the interpreter's own files aside)
    touched = [e for e in events if e[0] in ("open", "os.listdir", "os.scandir") and isinstance(e[1], str)]
    assert any(str(root) in e[1] for e in touched), "the monitor saw no config being opened"
    bad = [e for e in touched if os.path.realpath(e[1]).startswith(str(outside))]
    assert not bad, bad
    # read-only opens only, anywhere in the tree
    wflags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    writes = [e for e in events if e[0] == "open" and isinstance(e[1], str) and str(tmp_path) in e[1]
              and ((isinstance(e[2], str) and any(c in e[2] for c in "wax+"))
                   or (isinstance(e[3], int) and e[3] & wflags))]
    assert not writes, writes
    assert not [e for e in events if e[0].startswith(("socket.", "subprocess.", "os.system", "os.exec",
                                                       "os.posix_spawn", "os.spawn", "os.fork", "urllib."))]
    assert _snapshot(root) == before and _snapshot(cwd) == cwd_before


def test_without_root_still_runs_and_fetches_nothing(tmp_path):
    root, outside, marker = _tree(tmp_path)
    a = root / "etc/apache2/apache2.conf"
    before = _snapshot(tmp_path)
    code, events, output = _run(tmp_path, ["check", "-f", "concise", "--fail-on", "never", str(a),
                                           str(root / "etc/uwsgi/app.ini")], tmp_path)
    assert code == 0, output
    assert not marker.exists()
    # without --root, a path a config names outside the named paths is not read (issue 16 #4: no
    # host files unasked; `--root /` reads them): WSG012 names it instead (`ini = OUTSIDE/x.ini`);
    # symlinks inside the named tree are part of what was named (conf-enabled/abs.conf is read) ...
    assert not any(e[0] == "open" and isinstance(e[1], str) and e[1] == str(outside / "x.ini") for e in events)
    assert any(e[0] == "open" and isinstance(e[1], str) and e[1].startswith(str(outside)) for e in events)
    assert "WSG012" in output, output
    # ... but nothing is executed, fetched or written
    assert not [e for e in events if e[0].startswith(("socket.", "subprocess.", "os.system", "os.exec",
                                                       "os.posix_spawn", "os.spawn", "os.fork", "urllib."))]
    after = _snapshot(tmp_path)
    after.pop(str(tmp_path / "events.json"), None)
    before.pop(str(tmp_path / "runner.py"), None)
    after.pop(str(tmp_path / "runner.py"), None)
    assert after == before


def test_no_network_syscalls_under_strace(tmp_path):
    """The kernel's view: no socket() / connect() at all (skips without strace)."""
    import shutil

    import pytest

    if shutil.which("strace") is None:
        pytest.skip("strace not installed")
    root, _outside, marker = _tree(tmp_path)
    log = tmp_path / "strace.log"
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=network,execve", "-o", str(log), sys.executable,
                           "-m", "wsgilint", "check", "--root", str(root), "--fail-on", "never"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    if proc.returncode != 0 and "ptrace" in proc.stderr:
        pytest.skip(f"strace cannot trace here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    calls = [ln for ln in log.read_text().splitlines() if ln.strip()]
    execs = [c for c in calls if "execve(" in c]
    assert len(execs) == 1 and sys.executable.rsplit("/", 1)[-1] in execs[0], execs  # only python itself
    assert not [c for c in calls if "socket(" in c or "connect(" in c], calls
    assert not marker.exists()
