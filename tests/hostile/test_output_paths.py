"""Output paths (``--output``, ``--create-baseline``) never destroy what they point at.

Measured through the real CLI (``python3 -m wsgilint``) on nodes made in a temporary
directory: character devices (mknod 1:3, the numbers of /dev/null; needs root) and FIFOs
are written through and stay the same node; symlinks stay symlinks; regular files are
replaced atomically, keep their mode (and owner, as root), and new ones get 0666 & ~umask;
a directory, a block device or a missing directory is a one-line error with exit 2.
See wsgilint.output. Reproducer: ../shared/hostile/write-output-replaces-node/.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES
from oracle import missing

EXAMPLE = str(FIXTURES / "example")


def run(args, cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    pre = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([sys.executable, "-m", "wsgilint", "check", "--root", EXAMPLE, *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120, preexec_fn=pre)


def _ran(proc: subprocess.CompletedProcess) -> None:
    """The check ran to its end: exit 0/1 (the example has errors), no internal error."""
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr


def _one_line_error(proc: subprocess.CompletedProcess, option: str, reason: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"wsgilint: error: {option} "), lines[0]
    assert reason in lines[0], lines[0]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def _no_temp_left(d: Path) -> None:
    left = [p.name for p in d.iterdir() if p.name.startswith(".wsgilint-")]
    assert left == [], left


def _need_root(why: str) -> None:
    if os.geteuid() != 0:
        missing("root privileges (mknod of a device node in a temporary directory)", why)


def _null_node(d: Path, name: str = "null") -> Path:
    """A private character device with /dev/null's numbers (1:3)."""
    _need_root("--output onto a character device")
    node = d / name
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return node


def _is_null_node(node: Path, before: os.stat_result) -> None:
    st = os.lstat(node)
    assert stat.S_ISCHR(st.st_mode), f"{node} is no longer a character device: {stat.filemode(st.st_mode)}"
    assert (st.st_rdev, st.st_ino, stat.S_IMODE(st.st_mode)) == \
        (before.st_rdev, before.st_ino, stat.S_IMODE(before.st_mode))


@pytest.mark.parametrize("option", ["--output", "-o", "--create-baseline"])
def test_character_device_is_written_through_not_replaced(tmp_path, option):
    node = _null_node(tmp_path)
    before = os.lstat(node)
    proc = run(["-f", "json", option, "null"], tmp_path)
    _ran(proc)
    _is_null_node(node, before)
    assert os.major(os.lstat(node).st_rdev) == 1 and os.minor(os.lstat(node).st_rdev) == 3
    _no_temp_left(tmp_path)


def test_symlink_to_a_device_stays_a_symlink_and_the_device_stays(tmp_path):
    node = _null_node(tmp_path)
    before = os.lstat(node)
    (tmp_path / "link").symlink_to("null")
    (tmp_path / "link2").symlink_to(tmp_path / "link")  # a chain of two links
    _ran(run(["-o", "link2"], tmp_path))
    assert os.readlink(tmp_path / "link2") == str(tmp_path / "link")
    assert os.readlink(tmp_path / "link") == "null"
    _is_null_node(node, before)
    _no_temp_left(tmp_path)


def test_fifo_is_written_through_to_its_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:  # blocks until the CLI opens the FIFO for writing
            got.append(fh.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    proc = run(["-f", "json", "-o", "pipe"], tmp_path)
    if t.is_alive():  # the CLI never opened the FIFO: release the reader, then fail below
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    t.join(10)
    _ran(proc)
    assert got and json.loads(got[0])["tool"]["name"] == "wsgilint", got
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    _no_temp_left(tmp_path)


def test_symlink_to_proc_self_fd_1_writes_to_our_stdout(tmp_path):
    """The /dev/stdout idiom (/dev/stdout -> /proc/self/fd/1), on a private link."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    proc = run(["-f", "json", "--output", "stdout"], tmp_path)
    _ran(proc)
    assert json.loads(proc.stdout)["tool"]["name"] == "wsgilint"
    assert os.readlink(link) == "/proc/self/fd/1"
    _no_temp_left(tmp_path)


def test_dev_stdout_appended_to_a_file_keeps_what_was_there(tmp_path):
    """`wsgilint check -o /dev/stdout >> log`: the report goes to the shell's own descriptor
    (append mode kept), the log file is neither truncated nor replaced."""
    (tmp_path / "stdout").symlink_to("/proc/self/fd/1")
    log = tmp_path / "log"
    log.write_text("earlier line\n")
    inode = os.lstat(log).st_ino
    with open(log, "ab") as fh:
        proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--root", EXAMPLE, "-f", "json",
                               "-o", "stdout"], cwd=tmp_path, stdout=fh, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, NO_COLOR="1"), timeout=120)
    _ran(proc)
    head, _, rest = log.read_text().partition("\n")
    assert head == "earlier line" and json.loads(rest)["tool"]["name"] == "wsgilint"
    assert os.lstat(log).st_ino == inode
    _no_temp_left(tmp_path)


def test_symlink_to_a_regular_file_replaces_the_file_and_keeps_the_link(tmp_path):
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "r.json"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    link = tmp_path / "r.json"
    link.symlink_to("reports/r.json")
    _ran(run(["-f", "json", "-o", "r.json"], tmp_path))
    assert os.readlink(link) == "reports/r.json"
    assert json.loads(target.read_text())["tool"]["name"] == "wsgilint"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    _no_temp_left(tmp_path)
    _no_temp_left(tmp_path / "reports")


def test_existing_file_keeps_its_mode_and_owner_and_is_replaced_atomically(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old\n")
    os.chmod(out, 0o640)
    owner = (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        owner = (4321, 4322)
        os.chown(out, *owner)
    old_inode = os.lstat(out).st_ino
    for option in ("--output", "--create-baseline"):
        _ran(run(["-f", "json", option, "report.json"], tmp_path))
        st = os.lstat(out)
        assert stat.S_ISREG(st.st_mode)
        assert stat.S_IMODE(st.st_mode) == 0o640, oct(st.st_mode)
        assert (st.st_uid, st.st_gid) == owner
        assert st.st_ino != old_inode, "a regular file is replaced by rename, not rewritten in place"
        assert json.loads(out.read_text())  # the whole report or baseline, valid JSON
        old_inode = st.st_ino
    _no_temp_left(tmp_path)


@pytest.mark.parametrize("umask,mode", [(0o027, 0o640), (0o022, 0o644), (0o077, 0o600)],
                         ids=["umask027", "umask022", "umask077"])
def test_new_file_gets_0666_minus_the_umask(tmp_path, umask, mode):
    _ran(run(["-o", "new.txt"], tmp_path, umask=umask))
    _ran(run(["--create-baseline", "base.json"], tmp_path, umask=umask))
    for name in ("new.txt", "base.json"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == mode, name


@pytest.mark.parametrize("option", ["--output", "--create-baseline"])
def test_missing_directory_is_a_one_line_error(tmp_path, option):
    proc = run([option, "no/such/dir/r.json"], tmp_path)
    _one_line_error(proc, option, "no such directory: no/such/dir")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--output", "--create-baseline"])
def test_directory_is_refused_and_never_replaced(tmp_path, option):
    d = tmp_path / "reports"
    d.mkdir()
    (d / "keep").write_text("x")
    (tmp_path / "dirlink").symlink_to("reports")
    for name in ("reports", "dirlink", str(d)):
        proc = run([option, name], tmp_path)
        _one_line_error(proc, option, "is a directory")
        assert os.path.isdir(d) and not os.path.islink(d) and sorted(os.listdir(d)) == ["keep"]
    assert os.readlink(tmp_path / "dirlink") == "reports"
    _no_temp_left(tmp_path)


def test_block_device_is_refused(tmp_path):
    _need_root("--output onto a block device")
    node = tmp_path / "blk"
    # 240: LANANA's block major for local/experimental use: no real disk behind it
    os.mknod(node, 0o600 | stat.S_IFBLK, os.makedev(240, 0))
    before = os.lstat(node)
    proc = run(["-o", "blk"], tmp_path)
    _one_line_error(proc, "--output", "is a block device")
    st = os.lstat(node)
    assert stat.S_ISBLK(st.st_mode) and (st.st_rdev, st.st_ino) == (before.st_rdev, before.st_ino)
    _no_temp_left(tmp_path)


def test_control_characters_in_the_path_are_escaped_in_the_error(tmp_path):
    proc = run(["-o", "no\x1b[2J/r.json"], tmp_path)
    _one_line_error(proc, "--output", "no such directory")
    assert "\x1b" not in proc.stderr and "\\x1b[2J" in proc.stderr
