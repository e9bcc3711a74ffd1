"""Reading a long Include glob ahead in a forked child gives exactly what reading in place gives.

fsroot.FileSystem.prefetching forks a child that reads the glob's files while the
parent parses; read_bytes takes their bytes from a pipe. These tests drive it on
real files and check that the resolved configuration, the errors, the limits and
the order of reads are the same as without it, that the child is always reaped,
and that whatever goes wrong in the child falls back to reading in place.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wsgilint import fsroot
from wsgilint.fsroot import FileSystem, ReadError, ReadLimitError
from wsgilint.limits import Limits
from wsgilint.resolve import apache as apache_resolve

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is not available here")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _tree(tmp: Path, n: int = 40) -> Path:
    (tmp / "sites").mkdir()
    (tmp / "httpd.conf").write_text("ServerRoot %s\nServerName x\nIncludeOptional sites/*.conf\n" % tmp)
    for i in range(n):
        (tmp / "sites" / f"s{i:03d}.conf").write_text(
            f"<VirtualHost *:80>\n    ServerName s{i}.test\n    ProxyPass /api/ http://127.0.0.1:{8000 + i}/\n"
            f"</VirtualHost>\n")
    return tmp


def _forks(monkeypatch) -> list[int]:
    """Record the prefetch children started (their pids)."""
    started: list[int] = []
    real = fsroot._Prefetch.start.__func__

    def start(cls, *args):
        pf = real(cls, *args)
        if pf is not None:
            started.append(pf.pid)
        return pf

    monkeypatch.setattr(fsroot._Prefetch, "start", classmethod(start))
    return started


def _summary(cfg) -> list:
    def walk(d):
        return [(c.key, c.args, c.span.path, c.span.line, walk(c) if c.children is not None else None)
                for c in d.children]
    return [walk(cfg.tree), [(f.source.path, f.source.text, f.include_line) for f in cfg.files],
            [(x.code, x.message, x.span.path if x.span else x.path) for x in cfg.diagnostics]]


def _resolve(root: Path, prefetch_min: int, limits: Limits | None = None):
    fs = FileSystem(None, limits=limits)
    fs.prefetch_min = prefetch_min
    return apache_resolve.resolve(fs, str(root / "httpd.conf"))


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_same_configuration_with_and_without_prefetch(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    started = _forks(monkeypatch)
    ahead = _resolve(root, 1)
    assert len(started) == 1 and _reaped(started[0])
    inplace = _resolve(root, 10**9)
    assert len(started) == 1  # the second run did not fork
    assert _summary(ahead) == _summary(inplace)
    assert len(ahead.files) == 41


def test_below_the_threshold_nothing_is_forked(tmp_path, monkeypatch):
    root = _tree(tmp_path, 5)
    started = _forks(monkeypatch)
    _resolve(root, 6)
    assert started == []


def test_no_fork_while_other_threads_run(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    started = _forks(monkeypatch)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        cfg = _resolve(root, 1)
    finally:
        stop.set()
        t.join()
    assert started == [] and len(cfg.files) == 41


def test_files_that_change_after_the_glob_are_reported_as_in_place(tmp_path, monkeypatch):
    """Between the glob and the read: one file becomes a directory, one a FIFO, one is removed,
    one grows past max-file-bytes. The child refuses each (a fallback record) and read_bytes
    reports exactly what it reports without a prefetch."""
    root = _tree(tmp_path, 12)
    sites = root / "sites"
    real_glob = FileSystem.glob

    def glob_then_change(self, pattern):
        found = real_glob(self, pattern)
        if found and not (sites / "s001.conf").is_dir():
            (sites / "s001.conf").unlink()
            (sites / "s001.conf").mkdir()
            (sites / "s002.conf").unlink()
            os.mkfifo(sites / "s002.conf")
            (sites / "s003.conf").unlink()
            (sites / "s004.conf").write_text("ServerName " + "x" * 5000 + "\n")
        return found

    monkeypatch.setattr(FileSystem, "glob", glob_then_change)
    limits = Limits(max_file_bytes=4096)
    ahead = _summary(_resolve(root, 1, limits))
    # the same tree, changed before the run, read in place
    monkeypatch.setattr(FileSystem, "glob", real_glob)
    inplace_fs = FileSystem(None, limits=limits)
    inplace_fs.prefetch_min = 10**9
    globbed = real_glob(inplace_fs, str(sites / "*.conf"))
    assert len(globbed) == 11  # s003 is gone
    # what the in-place reader says about each changed file
    msgs = {}
    for name in ("s001.conf", "s002.conf", "s003.conf", "s004.conf"):
        fs = FileSystem(None, limits=limits)
        fs._kinds[str(sites / name)] = "file"  # as the glob had seen it
        fs._resolved[str(sites / name)] = str(sites / name)
        with pytest.raises(ReadError) as exc:
            fs.read_text(str(sites / name))
        msgs[name] = (type(exc.value), str(exc.value))
    diags = ahead[2]
    for name, (kind, msg) in msgs.items():
        assert (kind.code, msg, None) in [(c, m, None) for c, m, _ in diags], (name, msg, diags)
    assert msgs["s004.conf"][0] is ReadLimitError
    assert "is a directory" in msgs["s001.conf"][1] and "not a regular file" in msgs["s002.conf"][1]
    # every other file was read, in order
    assert [p for p, _, _ in ahead[1]][1:] == [f"{sites}/s{i:03d}.conf" for i in range(12) if i not in (1, 2, 3, 4)]


def test_out_of_order_reads_and_a_second_read(tmp_path):
    root = _tree(tmp_path, 30)
    fs = FileSystem(None)
    fs.prefetch_min = 1
    paths = fs.glob(str(root / "sites" / "*.conf"))
    with fs.prefetching(paths):
        pf = fs._prefetch
        assert pf is not None
        assert fs.read_bytes(paths[20]) == Path(paths[20]).read_bytes()  # 0..19 kept on the way
        assert len(pf.ready) == 20
        assert fs.read_bytes(paths[3]) == Path(paths[3]).read_bytes()
        assert fs.read_bytes(paths[3]) == Path(paths[3]).read_bytes()  # again: read in place
        assert fs.read_bytes(str(root / "httpd.conf")).startswith(b"ServerRoot")  # not in the list
        for p in paths:
            assert fs.read_bytes(p) == Path(p).read_bytes()
        pid = pf.pid
    assert fs._prefetch is None and _reaped(pid)


def test_a_child_that_dies_leaves_the_rest_to_be_read_in_place(tmp_path):
    root = _tree(tmp_path, 30)
    fs = FileSystem(None)
    fs.prefetch_min = 1
    paths = fs.glob(str(root / "sites" / "*.conf"))
    with fs.prefetching(paths):
        pf = fs._prefetch
        assert fs.read_bytes(paths[0]) == Path(paths[0]).read_bytes()
        os.kill(pf.pid, 9)
        os.waitpid(pf.pid, 0)
        for p in paths:  # whatever had reached the pipe, then in place
            assert fs.read_bytes(p) == Path(p).read_bytes()


def test_a_resolver_that_crashes_mid_glob_still_reaps_the_child(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    started = _forks(monkeypatch)
    monkeypatch.setattr(FileSystem, "prefetch_min", 1)
    real_load = apache_resolve._Resolver.load
    calls = {"n": 0}

    def load(self, *args):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("boom")
        return real_load(self, *args)

    monkeypatch.setattr(apache_resolve._Resolver, "load", load)
    with pytest.raises(RuntimeError, match="boom"):
        apache_resolve.resolve(FileSystem(None), str(root / "httpd.conf"))
    assert len(started) == 1 and _reaped(started[0])


_RUNNER = r"""
import json, os, sys
events = []
def hook(event, args):
    if event.startswith(("open", "os.", "subprocess.", "socket.")):
        a = [x if isinstance(x, (str, int)) else repr(x)[:80] for x in args[:3]]
        events.append([event, *a])
sys.addaudithook(hook)
from wsgilint import fsroot
fsroot.FileSystem.prefetch_min = 1
def close(self):  # let the child finish and record its events (close() would SIGKILL it)
    self.pipe.close()
    os.waitpid(self.pid, 0)
fsroot._Prefetch.close = close
_real_exit = os._exit
def record(code):
    with open(os.environ["EVENTS"] + "." + str(os.getpid()), "w") as fh:
        json.dump(events, fh)
    _real_exit(code)
os._exit = record
from wsgilint.cli import main
sys.argv = ["wsgilint"] + sys.argv[1:]
main()
"""


def test_the_child_only_opens_the_globbed_files_read_only(tmp_path):
    """Under an audit hook in both processes: the child opens the globbed files read-only
    and does nothing else (no exec, no socket, no other file); the parent forks once."""
    (tmp_path / "t").mkdir()
    root = _tree(tmp_path / "t")
    runner = tmp_path / "runner.py"
    runner.write_text(_RUNNER)
    events = tmp_path / "events"
    proc = subprocess.run([sys.executable, str(runner), "check", "--format", "json", "--fail-on", "never",
                           str(root)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "EVENTS": str(events)})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    dumps = {int(p.name.rsplit(".", 1)[1]): json.loads(p.read_text()) for p in tmp_path.glob("events.*")}
    assert len(dumps) == 2, dumps.keys()  # the check and its one prefetch child
    # the child inherited the parent's list up to the fork; what follows is its own
    parent = max(dumps, key=lambda pid: len(dumps[pid]))
    child = next(pid for pid in dumps if pid != parent)
    assert [e[0] for e in dumps[parent]].count("os.fork") == 1
    fork_at = next(i for i, e in enumerate(dumps[child]) if e[0] == "os.fork")
    assert dumps[child][:fork_at + 1] == dumps[parent][:fork_at + 1]
    child_new = dumps[child][fork_at + 1:]
    child_new = [e for e in child_new if not (e[0] == "open" and str(e[1]).startswith(str(events)))]  # the runner's
    opened = [e for e in child_new if e[0] == "open"]
    assert sorted(e[1] for e in opened) == sorted(str(p) for p in (root / "sites").glob("*.conf"))
    wflags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    assert all(isinstance(e[3], int) and not e[3] & wflags for e in opened), opened
    assert not [e for e in child_new if e[0] != "open"], child_new  # no exec, no socket, nothing else
    assert not [e for e in dumps[parent] if e[0].startswith(("os.exec", "os.posix_spawn", "subprocess.",
                                                             "socket."))]
    assert len(json.loads(proc.stdout)["findings"]) >= 40  # the check itself still ran on every site
