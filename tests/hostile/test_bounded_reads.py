"""Files wsgilint's own settings name (baseline, stdin; config files in test_config_trust.py)
are read with a cap, never from a FIFO or a device, and whatever they hold ends in a result
or one line, exit 2 (../shared/notes/adversarial.md #27-#29, #31; wsgilint.readcap).

Run through the real CLI. Special files are real: /dev/zero, FIFOs made with mkfifo, sparse
files; the endless stdin is a real pipe fed by a thread.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wsgilint import readcap


def _tree(root: Path) -> Path:
    (root / "tree" / "etc" / "apache2").mkdir(parents=True)
    (root / "tree" / "etc" / "apache2" / "apache2.conf").write_text("ServerName x\nInclude missing.conf\n")
    return root


def _run(args, cwd: Path, stdin=subprocess.DEVNULL, tmpdir: Path | None = None, timeout=60):
    env = dict(os.environ, NO_COLOR="1")
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run([sys.executable, "-m", "wsgilint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout, stdin=stdin)


def _one_line_error(proc) -> str:
    assert proc.returncode == 2, proc.stdout[:300] + proc.stderr[:300]
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 400 and "internal error" not in lines[0], proc.stderr[:500]
    return lines[0]


def _special(tmp_path: Path, kind: str) -> str:
    p = tmp_path / f"{kind}.json"
    if kind == "zero":
        p.symlink_to("/dev/zero")  # what a cloned repository can commit as its baseline
    elif kind == "fifo":
        os.mkfifo(p)  # no writer: an open without O_NONBLOCK, or a read, would block forever
    elif kind == "dir":
        p.mkdir()
    elif kind == "huge":
        with open(p, "wb") as fh:
            fh.truncate(readcap_limit() + 1)
    return p.name


def readcap_limit() -> int:
    from wsgilint import baseline

    return baseline.MAX_BYTES


@pytest.mark.parametrize("kind,says", [("zero", "a character device"), ("fifo", "a FIFO"), ("dir", "a directory"),
                                       ("huge", "larger than 256 MiB")])
def test_baseline_special_or_huge_file_is_one_line(tmp_path, kind, says):
    _tree(tmp_path)
    line = _one_line_error(_run(["check", "--root", "tree", "--baseline", _special(tmp_path, kind)], tmp_path,
                                timeout=20))
    assert says in line


@pytest.mark.parametrize("content,says", [
    ('{"version":1,"findings":' + "[" * 100000 + "]" * 100000 + "}", "nested too deeply"),
    ('{"version":1' + "0" * 5000 + ',"findings":[]}', "version 1 expected"),
    ('{"version":1,"findings":[{"rule":"WSG003","x":"' + "A" * 100000 + '"}]}', "entry #1: 'path' is missing"),
    ('{"version":1,"findings":[{"rule":"WSG003","path":["a"]}]}', "'path' is a list, a string expected"),
    ('{"version":1,"findings":[7]}', "entry #1: an object expected"),
    ('{"version":1,"findings":[]', "invalid JSON"),
], ids=["deep", "bigint", "malformed", "path-list", "entry-int", "truncated"])  # short ids: PYTEST_CURRENT_TEST is in the env
def test_hostile_baseline_json_is_one_short_line(tmp_path, content, says):
    _tree(tmp_path)
    (tmp_path / "b.json").write_text(content)
    line = _one_line_error(_run(["check", "--root", "tree", "--baseline", "b.json"], tmp_path))
    assert says in line


def test_a_good_baseline_still_works(tmp_path):
    """The control for the cases above: the capped reader reads a real baseline."""
    _tree(tmp_path)
    assert _run(["check", "--root", "tree", "--create-baseline", "b.json"], tmp_path).returncode == 0
    proc = _run(["check", "--root", "tree", "--baseline", "b.json", "-f", "json"], tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []


def _endless(write_end: int, stop: threading.Event) -> None:
    with os.fdopen(write_end, "wb") as fh:
        chunk = b"y\n" * 32768
        try:
            while not stop.is_set():
                fh.write(chunk)
        except (BrokenPipeError, OSError):
            pass


def test_endless_stdin_is_capped(tmp_path):
    r, w = os.pipe()
    stop = threading.Event()
    feeder = threading.Thread(target=_endless, args=(w, stop), daemon=True)
    feeder.start()
    try:
        with os.fdopen(r, "rb") as stdin:
            proc = _run(["check", "-", "--stdin-filename", "a.conf", "--limit", "max-file-bytes=100000"], tmp_path,
                        stdin=stdin, tmpdir=tmp_path, timeout=30)
    finally:
        stop.set()
    line = _one_line_error(proc)
    assert "stdin: more than 100000 bytes" in line
    assert not list(tmp_path.glob("wsgilint-stdin-*"))


def test_stdin_within_the_cap_is_checked(tmp_path):
    with open(tmp_path / "in.conf", "wb") as fh:
        fh.write(b"ServerName x\nInclude missing.conf\n")
    with open(tmp_path / "in.conf", "rb") as stdin:
        proc = _run(["check", "-", "--stdin-filename", "etc/apache2/apache2.conf", "-f", "json",
                     "--limit", "max-file-bytes=100000"], tmp_path, stdin=stdin, tmpdir=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert any(f["rule"] == "WSG003" for f in json.loads(proc.stdout)["findings"])
    assert not list(tmp_path.glob("wsgilint-stdin-*"))


@pytest.mark.parametrize("name", ["a" * 300, "d/" + "b" * 256 + "/c.conf", "x/" * 600 + "c.conf"],
                         ids=["long-file", "long-dir", "long-total"])
def test_a_stdin_filename_the_file_system_cannot_hold_is_one_line(tmp_path, name):
    with open(tmp_path / "in.conf", "wb") as fh:
        fh.write(b"ServerName x\n")
    with open(tmp_path / "in.conf", "rb") as stdin:
        proc = _run(["check", "-", "--stdin-filename", name], tmp_path, stdin=stdin, tmpdir=tmp_path)
    assert "--stdin-filename" in _one_line_error(proc)
    assert not list(tmp_path.glob("wsgilint-stdin-*"))


def test_readcap_reads_a_regular_file_to_its_end_and_not_past_the_cap(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x" * 1000)
    assert readcap.read_regular(str(p), 1000) == b"x" * 1000
    with pytest.raises(readcap.CapError, match="larger than 999 bytes"):
        readcap.read_regular(str(p), 999)
    with pytest.raises(readcap.CapError, match="cannot read"):
        readcap.read_regular(str(tmp_path / "missing"), 10)
