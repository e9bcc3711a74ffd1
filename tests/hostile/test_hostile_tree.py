"""A hostile tree: every case ends cleanly, in seconds, with a finding (never a traceback or a hang)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lintrun import check

BUDGET = 20.0  # seconds per case; each measured case takes well under this


def _names(result) -> set[str]:
    return {f.rule.name for f in result.findings}


def _timed(paths, **kw):
    t0 = time.monotonic()
    result = check(paths, **kw)
    took = time.monotonic() - t0
    assert took < BUDGET, f"took {took:.1f}s"
    return result


def _apache(tmp: Path, text: str | bytes, name: str = "apache2.conf") -> Path:
    d = tmp / "apache2"
    d.mkdir(exist_ok=True)
    p = d / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_self_include(tmp_path):
    p = _apache(tmp_path, "ServerName x\nInclude apache2.conf\n")
    r = _timed([p], cwd=tmp_path)
    hits = [f for f in r.findings if f.rule.name == "include-cycle"]
    assert len(hits) == 1 and hits[0].line == 2


def test_include_cycle_pair(tmp_path):
    p = _apache(tmp_path, "Include a.conf\n")
    (p.parent / "a.conf").write_text("Include b.conf\n")
    (p.parent / "b.conf").write_text("Include a.conf\n")
    r = _timed([p], cwd=tmp_path)
    assert [f.rule.name for f in r.findings].count("include-cycle") == 1


def test_symlink_loop_file(tmp_path):
    p = _apache(tmp_path, "Include loop.conf\nIncludeOptional l1.conf\n")
    os.symlink("loop.conf", p.parent / "loop.conf")
    os.symlink("l2.conf", p.parent / "l1.conf")
    os.symlink("l1.conf", p.parent / "l2.conf")
    r = _timed([p], cwd=tmp_path)
    assert {"include-not-found"} <= _names(r) or {"file-unreadable"} <= _names(r)


@pytest.mark.parametrize("links", [1, 3])
def test_directory_symlink_to_dot(tmp_path, links):
    p = _apache(tmp_path, "Include conf.d/\n")
    conf = p.parent / "conf.d"
    conf.mkdir()
    (conf / "a.conf").write_text("ServerName a\n")
    for i in range(links):
        os.symlink(".", conf / f"self{i}")
    r = _timed([p], cwd=tmp_path)
    cycles = [f for f in r.findings if f.rule.name == "include-cycle"]
    assert 1 <= len(cycles) <= links
    # a.conf is read once, not once per loop turn
    assert sum(1 for path, _ in r.files if path.endswith("a.conf")) == 1


def test_uwsgi_ini_cycle(tmp_path):
    a, b = tmp_path / "a.ini", tmp_path / "b.ini"
    a.write_text("[uwsgi]\nmodule = x:app\nini = b.ini\n")
    b.write_text("[uwsgi]\nini = a.ini\n")
    r = _timed([a], cwd=tmp_path)
    assert [f.rule.name for f in r.findings].count("include-cycle") == 1


def test_binary_nul(tmp_path):
    p = _apache(tmp_path, "Include bin.conf\n")
    (p.parent / "bin.conf").write_bytes(b"ServerName x\n\x00\x01\x02\xff" * 100)
    r = _timed([p], cwd=tmp_path)
    assert "file-unreadable" in _names(r)


def test_latin1_bom_crlf(tmp_path):
    p = _apache(tmp_path, "Include l1.conf\nInclude bom.conf\n")
    (p.parent / "l1.conf").write_bytes("ServerAdmin caf\u00e9@example.org\r\n".encode("latin-1"))
    (p.parent / "bom.conf").write_bytes(b"\xef\xbb\xbfServerName x\r\nTimeout 300\r\n")
    r = _timed([p], cwd=tmp_path)
    assert "not-utf8" in _names(r)
    assert "parse-error" in _names(r)  # httpd does not skip a BOM


def test_unterminated_and_stray(tmp_path):
    p = _apache(tmp_path, '<VirtualHost *:80\nServerName "unterminated\n</Location>\n</VirtualHost>\n'
                          '</Directory>\n<Location /x>\nProxyPass / "uwsgi://\n')
    r = _timed([p], cwd=tmp_path)
    assert "parse-error" in _names(r)


def test_nesting_20k(tmp_path):
    p = _apache(tmp_path, "<Location /x>\n" * 20000 + "ProxyPass / http://127.0.0.1:1/\n" + "</Location>\n" * 20000)
    r = _timed([p], cwd=tmp_path)
    assert "limit-exceeded" in _names(r)
    assert "parse-error" not in _names(r)


def test_nesting_20k_unclosed(tmp_path):
    p = _apache(tmp_path, "<IfModule x>\n" * 20000)
    r = _timed([p], cwd=tmp_path)
    assert {"limit-exceeded", "parse-error"} <= _names(r)


def test_5mb_line(tmp_path):
    p = _apache(tmp_path, "ServerName " + "x" * (5 * 1024 * 1024) + "\nTimeout 5\n")
    r = _timed([p], cwd=tmp_path)
    hit = [f for f in r.findings if f.rule.name == "limit-exceeded"]
    assert hit and hit[0].line == 1


def test_100k_continuation_lines(tmp_path):
    p = _apache(tmp_path, "ProxyPass /x \\\n" + "  arg \\\n" * 100_000 + "  http://127.0.0.1:1/\n")
    r = _timed([p], cwd=tmp_path)
    assert r.model.apache  # read, not skipped


def test_glob_40_levels(tmp_path):
    """40 wildcard levels over directory symlink loops (2^40 paths if symlinks were followed)."""
    p = _apache(tmp_path, "IncludeOptional " + "/".join(["*"] * 40) + "/*.conf\n"
                "Include d/" + "/".join(["*"] * 40) + "/*.conf\n")
    d = p.parent / "d"
    d.mkdir()
    os.symlink(".", d / "s1")
    os.symlink(".", d / "s2")
    (d / "x.conf").write_text("ServerName x\n")
    r = _timed([p], cwd=tmp_path, root=tmp_path)
    # httpd's intermediate wildcards skip symlinks: "No matches for the wildcard '*'" (see test_hostile_oracles)
    assert [(f.rule.name, f.line) for f in r.findings] == [("include-not-found", 2)]


def test_glob_real_directories_40_deep(tmp_path):
    p = _apache(tmp_path, "Include d/" + "/".join(["*"] * 40) + "/*.conf\n")
    deep = p.parent / "d" / "/".join(["a"] * 40)
    deep.mkdir(parents=True)
    (deep / "x.conf").write_text("ServerName x\n")
    r = _timed([p], cwd=tmp_path, root=tmp_path)
    assert r.findings == [] or "include-not-found" not in _names(r)
    assert any(path.endswith("x.conf") for path, _ in r.files)


def test_3m_line_file(tmp_path):
    p = _apache(tmp_path, "Listen 80\n" * 3_000_000)
    r = _timed([p], cwd=tmp_path)
    assert "limit-exceeded" in _names(r)


def test_placeholder_doubling_chain(tmp_path):
    ini = tmp_path / "a.ini"
    ini.write_text("[uwsgi]\nmodule = x:app\na = xx\n" + "a2 = %(a)%(a)\n"
                   + "".join(f"b{i} = %(b{i-1})%(b{i-1})%(b{i-1})%(b{i-1})\n" for i in range(1, 60)).replace(
                       "%(b0)", "%(a)") + "c = " + "%(b59)" * 10000 + "\n")
    r = _timed([ini], cwd=tmp_path)
    assert "limit-exceeded" in _names(r)


def test_exec_in_ini_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "MARKER"
    ini = tmp_path / "a.ini"
    ini.write_text(f"[uwsgi]\nmodule = x:app\nsocket = @(exec://touch {marker})\nchdir = $(touch {marker})\n"
                   f"ini = @(exec://touch {marker})\nini = exec://touch {marker}\n"
                   f"for = @(http://127.0.0.1:9/x)\nendfor =\n")
    _timed([ini], cwd=tmp_path)
    assert not marker.exists()


def test_whole_tree_cli(tmp_path):
    """All of it at once through the real CLI in a subprocess: exit 0/1, no traceback."""
    p = _apache(tmp_path, "Include apache2.conf\nInclude conf.d/\n" + "<Location /x>\n" * 20000
                + "ServerName " + "y" * 2_000_000 + "\n")
    conf = p.parent / "conf.d"
    conf.mkdir()
    os.symlink(".", conf / "self")
    (conf / "bin.conf").write_bytes(b"\x00" * 100)
    (conf / "l1.conf").write_bytes(b"ServerAdmin \xe9\n")
    (tmp_path / "a.ini").write_text("[uwsgi]\nini = a.ini\nsocket = @(exec://touch MARKER)\n")
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--root", str(tmp_path), "-f", "concise",
                           "/apache2/apache2.conf", "/a.ini"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    took = time.monotonic() - t0
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    for name in ("include-cycle", "limit-exceeded", "file-unreadable", "not-utf8"):
        assert name in proc.stdout, name
    assert not (tmp_path / "MARKER").exists()
    assert took < 60


def test_nginx_nesting_10k(tmp_path):
    p = tmp_path / "nginx.conf"
    p.write_text("http {\n" + "server {\n location / {\n" * 5000 + "}\n}\n" * 5000 + "}\n")
    result = _timed([p], cwd=tmp_path)
    assert [k for _, k in result.files] == ["nginx"]
    assert not [f for f in result.findings if f.rule.id == "WSG002"]
    # The innermost block is in the model: the tree was walked to the bottom, not cut.
    depth, node = 0, result.model.nginx[0].config.tree
    while node.children:
        node = node.children[-1]
        depth += 1
    assert depth == 1 + 2 * 5000
