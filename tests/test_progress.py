"""Progress on stderr: only on a terminal, only for trees of a few hundred files."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def _tree(tmp_path, n):
    (tmp_path / "sites").mkdir()
    lines = ["Include sites/*.conf"]
    (tmp_path / "httpd.conf").write_text("\n".join(lines) + "\n")
    for i in range(n):
        (tmp_path / "sites" / f"s{i:04d}.conf").write_text(f"ServerAlias s{i}.example\n")
    return tmp_path


def _run_with_tty_stderr(args, cwd):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "wsgilint", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    return proc.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_on_a_terminal_for_big_trees(tmp_path):
    tree = _tree(tmp_path, 450)
    rc, out, err = _run_with_tty_stderr(["check", str(tree), "--format", "json"], tmp_path)
    assert rc == 0
    assert "read 400 files" in err
    assert "read" not in out  # the report itself stays clean


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    tree = _tree(tmp_path, 450)
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", str(tree), "--format", "json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stderr == ""


def test_no_progress_for_small_trees(tmp_path):
    tree = _tree(tmp_path, 20)
    rc, _, err = _run_with_tty_stderr(["check", str(tree), "--format", "json"], tmp_path)
    assert rc == 0
    assert "read" not in err
