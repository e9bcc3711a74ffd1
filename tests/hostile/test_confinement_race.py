"""--root confinement holds while another process rewrites the tree (issue 20 item 2).

wsgilint resolves config paths inside the root itself and hands the kernel only single
names relative to directory descriptors it vetted (linter/fsroot.py, _dirfd). These
tests swap a directory inside the root for a symlink to a directory outside it, holding
a canary, and check that the canary is never read: a racing test (a thread swapping
with renameat2(RENAME_EXCHANGE) while a subprocess checks the tree again and again under
a Python audit hook and an os.open/os.scandir wrapper that reads each descriptor's real
path in /proc/self/fd), and deterministic ones (one swap at a chosen moment; symlinks
in the middle of a path; ``..`` after a symlink).
Reproducer of the original defect: ../shared/hostile/escape-toctou-dir-swap/.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from wsgilint.fsroot import MAX_DIR_FDS, FileSystem, ReadError

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 and /proc/self/fd are Linux")

CANARY = "CANARY_7f3e91_OUTSIDE_ROOT"
N_FILES = 40  # files in the swapped directory, each included once, between padding files
AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "renameat2"):
        pytest.skip("this libc has no renameat2")
    return libc


def _exchange(libc, a: Path, b: Path) -> None:
    """Swap two names atomically (renameat2 RENAME_EXCHANGE)."""
    if libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        if err in (errno.ENOSYS, errno.EINVAL):
            pytest.skip(f"renameat2(RENAME_EXCHANGE) unsupported here: {os.strerror(err)}")
        raise OSError(err, os.strerror(err))


def _tree(tmp: Path) -> tuple[Path, Path]:
    """root/d (a directory) and root/dlink (a symlink to outside/, absolute), swapped by the tests.

    apache2.conf includes /d/fNN.conf and /pad/pNN.conf alternately: each /d include is
    one more chance to read through a directory that was swapped since it was first seen.
    Outside, the same names hold `Include /CANARY...`, which a finding would quote.
    """
    root, outside = tmp / "root", tmp / "outside"
    (root / "etc/apache2").mkdir(parents=True)
    (root / "d").mkdir()
    (root / "pad").mkdir()
    outside.mkdir()
    lines = ["ServerName x"]
    for i in range(N_FILES):
        (root / "d" / f"f{i:02d}.conf").write_text("Timeout 30\n")
        (outside / f"f{i:02d}.conf").write_text(f"Include /{CANARY}_{i}\n")
        (root / "pad" / f"p{i:02d}.conf").write_text("KeepAlive On\n" * 50)
        lines += [f"Include /d/f{i:02d}.conf", f"Include /pad/p{i:02d}.conf"]
    (outside / "only-outside.conf").write_text(f"Include /{CANARY}\n")
    (root / "etc/apache2/apache2.conf").write_text("\n".join(lines) + "\n")
    os.symlink(str(outside), root / "dlink")
    return root, outside


_RUNNER = r"""
import json, os, re, sys, time
root, outside, canary, iterations, seconds, n_files = sys.argv[1:7]
iterations, seconds, n_files = int(iterations), float(seconds), int(n_files)
bad = []        # every open or listing that landed outside the root
counts = {"abs": 0, "rel": 0, "fds": 0}

def outside_root(real):
    return real is not None and real != root and not real.startswith(root + "/") and (
        real == outside or real.startswith(outside + "/"))

def hook(event, args):
    # the path string each open hands the kernel
    if event != "open" or not args or not isinstance(args[0], (str, bytes)):
        return
    path = os.fsdecode(args[0])
    if path.startswith("/"):
        counts["abs"] += 1
        if outside_root(os.path.realpath(path)):
            bad.append(["open", path, os.path.realpath(path)])
    else:
        counts["rel"] += 1
        if "/" in path or path == "..":  # a relative path that crosses a directory
            bad.append(["relative open crossing a directory", path, None])
sys.addaudithook(hook)

def where(fd):
    try:
        return os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        return None

_open, _scandir = os.open, os.scandir
def checked_open(path, flags, mode=0o777, *, dir_fd=None):
    # what the kernel actually opened: the descriptor's real path
    fd = _open(path, flags, mode, dir_fd=dir_fd)
    counts["fds"] += 1
    real = where(fd)
    if outside_root(real):
        bad.append(["fd", os.fsdecode(path) if isinstance(path, (str, bytes)) else path, real])
    return fd
def checked_scandir(path="."):
    real = where(path) if isinstance(path, int) else os.path.realpath(path)
    if outside_root(real):
        bad.append(["scandir", path if isinstance(path, (str, int)) else repr(path), real])
    return _scandir(path)
os.open, os.scandir = checked_open, checked_scandir

from wsgilint import pipeline
runs = leaks = saw_swapped = saw_dir = 0
in_d = re.compile(r"(^|/)d/f[0-9][0-9]\.conf$").search  # shown relative to the cwd (the root)
deadline = time.monotonic() + seconds
while runs < iterations and time.monotonic() < deadline:
    result = pipeline.run(pipeline.CheckOptions(paths=[], root=root, cwd=root))
    runs += 1
    shown = repr(result.findings) + repr(result.files)
    if canary in shown:
        leaks += 1
    read_from_d = sum(1 for path, _ in result.files if in_d(path))
    if read_from_d < n_files:
        saw_swapped += 1  # this run met /d as the symlink (re-anchored: not found)
    else:
        saw_dir += 1  # read every /d file while the swaps went on
print(json.dumps({"runs": runs, "leaks": leaks, "saw_swapped": saw_swapped, "saw_dir": saw_dir, "bad": bad[:20],
                  "n_bad": len(bad), "counts": counts}))
"""


def test_a_directory_swapped_for_a_symlink_during_checks_never_leaks(tmp_path):
    """A thread swaps root/d with a symlink to outside/ every ~0.3 ms while a subprocess
    checks the tree up to 200 times (at most 10 s). No run quotes the canary, no open
    hands the kernel an absolute path that resolves outside or a relative one that
    crosses a directory, and no descriptor opened or listed is outside the root.
    On the code before the fix the same test leaks (the canary is quoted, and the audit
    hook sees absolute opens under root/d that resolve into outside/)."""
    libc = _libc()
    root, outside = _tree(tmp_path)
    _exchange(libc, root / "d", root / "dlink")  # probe support before starting the thread
    _exchange(libc, root / "d", root / "dlink")
    stop = threading.Event()
    swaps = [0]
    errors: list[BaseException] = []

    def swapper():
        try:
            while not stop.is_set():
                _exchange(libc, root / "d", root / "dlink")
                swaps[0] += 1
                time.sleep(0.0003)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    t = threading.Thread(target=swapper, daemon=True)
    t.start()
    try:
        proc = subprocess.run([sys.executable, "-c", _RUNNER, str(root), str(outside.resolve()), CANARY,
                               "200", "10", str(N_FILES)], capture_output=True, text=True, timeout=120,
                              cwd=tmp_path)
    finally:
        stop.set()
        t.join(10)
        if (root / "d").is_symlink():
            _exchange(libc, root / "d", root / "dlink")
    assert not errors, errors
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["runs"] >= 5 and swaps[0] >= 100, (out, swaps)
    assert out["saw_swapped"] >= 1 and out["saw_dir"] >= 1, out  # the race really ran: both states met
    assert out["counts"]["fds"] >= out["runs"] * N_FILES, out  # the wrapper saw the reads
    assert out["leaks"] == 0, out
    assert out["n_bad"] == 0, out
    assert (root / "d").is_dir() and not (root / "d").is_symlink()


def _fs(root: Path) -> FileSystem:
    return FileSystem(str(root))


def test_one_swap_after_the_directory_was_opened_reads_the_snapshot(tmp_path):
    """The reproducer's sequence, deterministically: /d/f00.conf is read, then d is swapped
    for the symlink, then /d/f01.conf and a listing of /d: both come from the directory that
    was vetted (inside the root), never from outside/."""
    libc = _libc()
    root, outside = _tree(tmp_path)
    fs = _fs(root)
    assert fs.read_bytes("/d/f00.conf") == b"Timeout 30\n"
    _exchange(libc, root / "d", root / "dlink")
    try:
        assert (root / "d").is_symlink()
        assert fs.read_bytes("/d/f01.conf") == b"Timeout 30\n"
        assert "only-outside.conf" not in fs.listdir("/d") and "f05.conf" in fs.listdir("/d")
        assert not fs.exists("/d/only-outside.conf")
        # a fresh check meets the symlink first: re-anchored at the root, where nothing is
        fresh = _fs(root)
        with pytest.raises(ReadError):
            fresh.read_bytes("/d/f01.conf")
        assert fresh.listdir("/d") == [] and not fresh.exists("/d/only-outside.conf")
    finally:
        _exchange(libc, root / "d", root / "dlink")
        fs.close()


def test_a_file_swapped_for_a_symlink_after_resolve_is_not_followed(tmp_path):
    root, outside = _tree(tmp_path)
    fs = _fs(root)
    assert fs.is_file("/d/f03.conf")
    os.unlink(root / "d/f03.conf")
    os.symlink(str(outside / "f03.conf"), root / "d/f03.conf")
    with pytest.raises(ReadError) as exc:
        fs.read_bytes("/d/f03.conf")
    assert CANARY not in str(exc.value)


def test_symlinks_in_the_middle_of_a_path_are_re_anchored(tmp_path):
    """Absolute and climbing relative symlinks to outside/, in the middle of a path, resolve
    inside the root (as in a chroot): the same path under the root is read, never outside/."""
    root, outside = _tree(tmp_path)
    (outside / "conf").mkdir()
    (outside / "conf/x.conf").write_text(CANARY + "\n")
    inside = root / str(outside.resolve()).lstrip("/") / "conf"
    inside.mkdir(parents=True)
    (inside / "x.conf").write_text("ServerName inside\n")
    (root / "srv").mkdir()
    os.symlink(str(outside.resolve()), root / "srv/abs")  # absolute
    os.symlink("../../../../../../../../.." + str(outside.resolve()), root / "srv/up")  # climbing
    fs = _fs(root)
    for path in ("/srv/abs/conf/x.conf", "/srv/up/conf/x.conf"):
        assert fs.read_bytes(path) == b"ServerName inside\n", path
        assert fs.resolve(path) == str(inside / "x.conf")
        assert fs.listdir(path.rsplit("/", 1)[0]) == ["x.conf"]
    (inside / "x.conf").unlink()  # nothing inside: not found, and still nothing read outside
    fs = _fs(root)
    with pytest.raises(ReadError) as exc:
        fs.read_bytes("/srv/abs/conf/x.conf")
    assert CANARY not in str(exc.value) and not fs.exists("/srv/up/conf/x.conf")


def test_dotdot_after_a_symlink_stays_inside(tmp_path):
    """``..`` applies to where a symlink led (inside the root) and stops at the root."""
    root, outside = _tree(tmp_path)
    (root / "b/c").mkdir(parents=True)
    (root / "b/x.conf").write_text("ServerName b\n")
    (root / "a").mkdir()
    (root / "a/x.conf").write_text("ServerName a\n")  # the lexical answer, which a chroot does not give
    (root / "x.conf").write_text("ServerName top\n")
    os.symlink("/b/c", root / "a/link")
    os.symlink(str(outside.resolve()), root / "a/out")
    (outside.parent / "x.conf").write_text(CANARY + "\n")  # what `out/..` reaches on the host
    fs = _fs(root)
    assert fs.read_bytes("/a/link/../x.conf") == b"ServerName b\n"
    assert fs.read_bytes("/a/link/../../../../../x.conf") == b"ServerName top\n"
    with pytest.raises(ReadError) as exc:  # re-anchored: <root>/<tmp>/outside/.. holds nothing
        fs.read_bytes("/a/out/../x.conf")
    assert CANARY not in str(exc.value)
    assert fs.is_symlink("/a/link") and not fs.is_symlink("/a/x.conf")


def test_directory_descriptors_stay_bounded_and_are_released(tmp_path):
    """A check walking many directories keeps at most MAX_DIR_FDS descriptors open, and
    close() releases them all."""
    root = tmp_path / "root"
    n = MAX_DIR_FDS + 150
    for i in range(n):
        (root / f"d{i:04d}").mkdir(parents=True)
        (root / f"d{i:04d}/a.conf").write_text(f"n {i}\n")

    def held() -> int:  # descriptors of this process open on the root or under it
        n = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                real = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            n += real == str(root) or real.startswith(f"{root}/")
        return n

    fs = _fs(root)
    for i in range(n):
        assert fs.read_bytes(f"/d{i:04d}/a.conf") == f"n {i}\n".encode()
    assert 1 <= held() <= MAX_DIR_FDS, held()
    fs.close()
    assert held() == 0


def test_without_a_root_paths_are_opened_as_given(tmp_path):
    """No root (root = /): host paths, symlinks followed by the kernel, as before."""
    root, outside = _tree(tmp_path)
    fs = FileSystem(None)
    assert fs.read_bytes(str(root / "dlink/only-outside.conf")) == f"Include /{CANARY}\n".encode()
    assert fs.resolve(str(root / "dlink/f00.conf")) == str(outside.resolve() / "f00.conf")
