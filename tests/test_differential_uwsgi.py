"""Differential tests: wsgilint's resolved uWSGI options must equal what uWSGI parses.

The oracle is ``uwsgi --ini FILE --show-config --hook-pre-jail exit:0`` run with the
file's directory as cwd: it prints the options it read and exits before binding
anything. Files containing ``@(exec://`` are never given to uWSGI (it would run them).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import oracle
from conftest import CORPUS
from wsgilint.fsroot import FileSystem
from wsgilint.resolve.uwsgi import resolve

# Lines uWSGI adds itself (or echoes as bookkeeping) that wsgilint does not report as options.
ORACLE_ONLY_KEYS = {"ini", "show-config", "hook-pre-jail", "for", "endfor"}
_ENV = re.compile(r"\$\(")


def uwsgi_options(path: Path, logfile: Path | None = None, plugins: str = "") -> list[tuple[str, str]]:
    binary = oracle.uwsgi("differential uWSGI tests")
    text = path.read_text(errors="replace")
    assert "@(exec://" not in text, "refusing to run uWSGI on a file with @(exec://"
    pre = ["--plugins", plugins] if plugins else []
    p = subprocess.run([binary, *pre, "--ini", path.name, "--show-config", "--hook-pre-jail", "exit:0"],
                       cwd=path.parent, capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "LANG": "C"})
    out = p.stdout + p.stderr
    if logfile is not None and logfile.exists():  # logto sends --show-config there
        out += logfile.read_text(errors="replace")
    m = re.search(r"^;uWSGI instance configuration\n\[uwsgi\]\n(.*?)^;end of configuration$", out, re.S | re.M)
    assert m, f"uwsgi printed no configuration (rc={p.returncode}):\n{out}"
    opts = []
    lines = m.group(1).splitlines()
    if plugins:
        assert lines[0] == f"plugins = {plugins}", lines[0]
        lines = lines[1:]  # our own command-line option
    for line in lines:
        key, sep, value = line.partition(" = ")
        assert sep, line
        if key not in ORACLE_ONLY_KEYS:
            opts.append((key, value))
    return opts


def wsgilint_options(path: Path) -> list[tuple[str, str]]:
    cfg = resolve(FileSystem(), str(path))
    return [(o.key, o.value) for o in cfg.options if o.key not in ORACLE_ONLY_KEYS]


SMALL = {
    "repeats_and_first_value": (
        "[uwsgi]\nmyvar = one\nmyvar = two\nval = %(myvar)\nharakiri = 30\nharakiri = 60\n"
        "after = %(harakiri)\n", {}),
    "bare_key_and_inline_hash": (
        "[uwsgi]\nmaster\nenv = A=b # not a comment\nhook-master-start = unix_signal:15\t# graceful\n"
        "  spaced   =   v  w  \nempty =\neq = a=b=c\nquoted = \"a b\"\n", {}),
    "comments_and_sections": (
        "; top comment\n# another\n[other]\nnever = 1\n[uwsgi]\n; inside\nkept = 1\n# x = 2\n[more]\nno = 3\n", {}),
    "ini_include": (
        "[uwsgi]\nfirst = 1\nini = base.ini\nini = base.ini:other\nfrom-base = %(base-only)\nlast = 2\n",
        {"base.ini": "[uwsgi]\nbase-only = yes\nmyvar = base\n[other]\nother-key = 1\n"}),
    "for_endfor": (
        "[uwsgi]\nfor = a b c\nenv = X_%(_)=1\nmount = /%(_)=app_%(_).py\nendfor =\nafter = 1\n", {}),
    "undefined_placeholders": (
        "[uwsgi]\nsocket = /tmp/%(nope).sock\nenv = X=$(WSGILINT_SURELY_UNDEFINED)\n", {}),
    "magic_vars": ("[uwsgi]\nmagic = %d|%n|%s|%e|%c|%p|%%\nchdir = %d\n", {}),
    "placeholder_of_magic": ("[uwsgi]\nbase = %d\nsock = %(base)app.sock\n", {}),
    "crlf": ("[uwsgi]\r\nsocket = /tmp/x.sock\r\nmaster\r\nenv = A=b # c\r\n", {}),
}


def _write(tmp_path: Path, name: str) -> Path:
    text, extra = SMALL[name]
    d = tmp_path / "cfg"
    d.mkdir()
    for rel, t in extra.items():
        (d / rel).write_bytes(t.encode())
    p = d / f"{name}.ini"
    p.write_bytes(text.encode())
    return p


@pytest.mark.parametrize("name", sorted(SMALL))
def test_small_ini_matches_uwsgi(name, tmp_path):
    path = _write(tmp_path, name)
    assert wsgilint_options(path) == uwsgi_options(path)


def test_exec_is_never_run(tmp_path):
    marker = tmp_path / "marker"
    p = tmp_path / "x.ini"
    p.write_text(f"[uwsgi]\nfoo = @(exec://touch {marker})\nini = @(exec://touch {marker})\n")
    cfg = resolve(FileSystem(), str(p))
    assert not marker.exists()
    assert [o.dynamic for o in cfg.options] == [True, True]


def _corpus_inis(corpus: Path) -> list[str]:
    templates = set()
    for line in (corpus / "SOURCES.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and "TEMPLATE" in cells[3]:
            templates.add(cells[1])
    return [str(p.relative_to(corpus)) for p in sorted(corpus.rglob("*.ini"))
            if str(p.relative_to(corpus)) not in templates]


_CORPUS_FILES = _corpus_inis(CORPUS) if CORPUS.is_dir() else ["<corpus absent>"]

# Known, understood differences: uWSGI evaluates if-*/endif blocks at parse time;
# wsgilint keeps every branch (marked conditional) on purpose.
KNOWN_CONDITIONAL = {"uwsgi/examples/logic.ini"}
# uWSGI refuses these without a plugin loaded first on the command line (routes are parsed at once).
NEEDS_PLUGIN = {
    "uwsgi/t/routing/limiter.ini": "router_cache",
}
# Options uWSGI acts on while parsing (opening a log file); pointed at a temp file on both sides.
_SIDE_EFFECT = re.compile(r"^(\s*(?:logto|logto2|daemonize|daemonize2)\s*=).*$", re.M)


@pytest.mark.parametrize("rel", _CORPUS_FILES)
def test_corpus_ini_matches_uwsgi(rel, corpus, tmp_path):
    oracle.uwsgi("differential uWSGI tests")
    src = corpus / rel
    text = src.read_text(errors="replace")
    if "@(exec://" in text:
        pytest.skip("contains @(exec://; never given to uWSGI")
    path = tmp_path / src.name
    log = tmp_path / "log.txt"
    path.write_text(_SIDE_EFFECT.sub(lambda m: m.group(1) + " " + str(log), text))
    theirs = uwsgi_options(path, log, NEEDS_PLUGIN.get(rel, ""))
    if rel in KNOWN_CONDITIONAL:
        # Compare what is outside if-*/endif blocks: uWSGI evaluates them, wsgilint keeps both ways.
        ours = [(o.key, o.value) for o in resolve(FileSystem(), str(path)).options
                if not o.conditional and o.key not in ORACLE_ONLY_KEYS]
        assert ours == _outside_logic(theirs)
        return
    ours = wsgilint_options(path)
    assert len(ours) == len(theirs), (ours, theirs)
    for o, t in zip(ours, theirs):
        assert o[0] == t[0] and _same_value(o[1], t[1]), (o, t)


_LOGIC = re.compile(r"^(if-.*|ifenv|ifexists|ifplugin|ifdir)$")
# Magic variables only known at run time (%t = unix time, %h = hostname, ...): wsgilint keeps them literal.
_RUNTIME_MAGIC = re.compile(r"%[tThkuUgGjiVv]")


def _outside_logic(opts):
    out, depth = [], 0
    for k, v in opts:
        if _LOGIC.match(k):
            depth += 1
        elif k in ("endif", "end-if"):
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append((k, v))
    return out


def _same_value(ours: str, theirs: str) -> bool:
    if ours == theirs:
        return True
    if not _RUNTIME_MAGIC.search(ours):
        return False
    pattern = "".join(".*" if _RUNTIME_MAGIC.fullmatch(p) else re.escape(p)
                      for p in re.split(r"(%[tThkuUgGjiVv])", ours))
    return re.fullmatch(pattern, theirs) is not None
