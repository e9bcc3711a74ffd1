"""Unit tests of the uWSGI ini parser and resolver (no uWSGI binary needed)."""

from __future__ import annotations

from pathlib import Path

from wsgilint.fsroot import FileSystem
from wsgilint.parse.uwsgi_ini import parse
from wsgilint.resolve.uwsgi import resolve


def opts(path: Path):
    return [(o.key, o.value) for o in resolve(FileSystem(), str(path)).options]


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_entry_positions():
    text = "; c\n[uwsgi]\n  socket   =  /run/a.sock\nmaster\n"
    res = parse(text)
    e1, e2 = res.entries
    assert (e1.section, e1.key, e1.value) == ("uwsgi", "socket", "/run/a.sock")
    assert res.source.position(e1.start) == (3, 3)
    assert res.source.position(e1.value_start) == (3, 15)
    assert text[e1.start:e1.key_end] == "socket"
    assert text[e1.value_start:e1.end] == "/run/a.sock"
    assert (e2.key, e2.value) == ("master", "")
    assert res.source.position(e2.start) == (4, 1)
    assert res.sections == [("uwsgi", 4, 11)]


def test_repeated_keys_kept_in_order_and_comments_whole_line_only():
    res = parse("[uwsgi]\nenv = A=1\n# comment\n;another\nenv = B=2 # kept\nenv = C=3 ; kept too\n")
    assert [(e.key, e.value) for e in res.entries] == [("env", "A=1"), ("env", "B=2 # kept"), ("env", "C=3 ; kept too")]
    assert len(res.comments) == 2


def test_crlf_and_bare_key_and_quotes_kept():
    res = parse('[uwsgi]\r\nmaster\r\nname = "a b"\r\n')
    assert [(e.key, e.value) for e in res.entries] == [("master", ""), ("name", '"a b"')]


def test_entries_outside_section_are_problems():
    res = parse("socket = x\n[uwsgi]\nk = v\n")
    assert [e.key for e in res.entries] == ["k"]
    assert res.problems and res.problems[0].code == "uwsgi-no-section"


def test_placeholder_takes_first_value(tmp_path):
    p = write(tmp_path, "a.ini", "[uwsgi]\nx = one\nx = two\ny = %(x)\nz = %(y)-%(x)\n")
    assert opts(p) == [("x", "one"), ("x", "two"), ("y", "one"), ("z", "one-one")]


def test_undefined_placeholder_and_env_stay_literal(tmp_path, monkeypatch):
    monkeypatch.setenv("WSGILINT_TEST_ENV", "expanded")
    p = write(tmp_path, "a.ini", "[uwsgi]\nsocket = /tmp/%(nope).sock\nenv = X=$(WSGILINT_TEST_ENV)\n")
    cfg = resolve(FileSystem(), str(p))
    assert [(o.key, o.value) for o in cfg.options] == [("socket", "/tmp/%(nope).sock"),
                                                       ("env", "X=$(WSGILINT_TEST_ENV)")]
    assert [o.dynamic for o in cfg.options] == [False, True]


def test_ini_include_inlined_in_place(tmp_path):
    write(tmp_path, "base.ini", "[uwsgi]\nb = 1\n[other]\no = 2\n")
    p = write(tmp_path, "a.ini", "[uwsgi]\nfirst = 0\nini = base.ini\nini = base.ini:other\nlast = %(b)\n")
    cfg = resolve(FileSystem(), str(p))
    assert [(o.key, o.value) for o in cfg.options] == [
        ("first", "0"), ("ini", "base.ini"), ("b", "1"), ("ini", "base.ini:other"), ("o", "2"), ("last", "1")]
    assert [Path(f.path).name for f in cfg.files] == ["a.ini", "base.ini", "base.ini"]


def test_missing_ini_include_is_a_diagnostic(tmp_path):
    p = write(tmp_path, "a.ini", "[uwsgi]\nini = nope.ini\n")
    cfg = resolve(FileSystem(), str(p))
    assert [d.code for d in cfg.diagnostics] == ["include-not-found"]


def test_for_endfor_line_major(tmp_path):
    p = write(tmp_path, "a.ini", "[uwsgi]\nfor = a b\nenv = X_%(_)=1\nmount = /%(_)=%(_).py\nendfor =\nafter = 1\n")
    assert opts(p) == [("env", "X_a=1"), ("env", "X_b=1"), ("mount", "/a=a.py"), ("mount", "/b=b.py"),
                       ("after", "1")]


def test_if_blocks_are_marked_conditional(tmp_path):
    p = write(tmp_path, "a.ini", "[uwsgi]\nif-env = X\na = 1\nendif =\nifdir = /tmp\nb = 2\nendif =\nc = 3\n")
    cfg = resolve(FileSystem(), str(p))
    # ifdir is uWSGI's dash-less alias of if-dir; the logic keys themselves are not options.
    assert [(o.key, o.conditional) for o in cfg.options] == [("a", True), ("b", True), ("c", False)]


def test_magic_variables(tmp_path):
    d = tmp_path / "app"
    d.mkdir()
    p = write(d, "svc.ini", "[uwsgi]\nm = %d|%n|%s|%e|%c|%%\n")
    assert opts(p) == [("m", f"{d}/|svc|svc.ini|ini|app|%")]


def test_exec_is_never_run(tmp_path):
    marker = tmp_path / "marker"
    p = write(tmp_path, "a.ini", f"[uwsgi]\nfoo = @(exec://touch {marker})\nini = @(exec://touch {marker})\n"
                                 f"bar = @({marker})\n")
    cfg = resolve(FileSystem(), str(p))
    assert not marker.exists()
    assert all(o.dynamic for o in cfg.options)
    assert cfg.options[0].value == f"@(exec://touch {marker})"
