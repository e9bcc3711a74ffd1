"""Nothing from a configuration or a file name reaches a terminal or a CI log raw, in any format.

The escape-sequence and non-UTF-8 classes of ../shared/notes/adversarial.md (#24, #32-#35):
one helper (wsgilint.report.escape) for every format and stderr. Measured through the real
CLI (``python3 -m wsgilint``) with a strict UTF-8 stdout (PYTHONIOENCODING=utf-8:strict, as a
CI runner's may be), on a tree whose file names and values hold ESC/OSC 8 sequences, CR/LF,
bidi overrides, zero-width characters and a byte that is not UTF-8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from wsgilint.report import escape

UNSAFE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cs")
FORMATS = ("text", "concise", "github", "json", "sarif", "gitlab", "junit")
OSC8 = "\x1b]8;;http://evil.example/\x1b\\CLICK\x1b]8;;\x1b\\"


def _raw_unsafe(text: str) -> list[str]:
    return sorted({c for c in text if c != "\t" and c != "\n" and unicodedata.category(c) in UNSAFE_CATEGORIES})


def test_escape_table_covers_every_unsafe_character_of_this_python():
    """_UNSAFE is written out by code point; it must hold every Cc (but tab), Cf, Zl, Zp and Cs
    character of the running Python's Unicode database (a newer one adding some fails here)."""
    missing = [f"U+{cp:04X}" for cp in range(0x110000)
               if chr(cp) != "\t" and unicodedata.category(chr(cp)) in UNSAFE_CATEGORIES
               and escape._UNSAFE.match(chr(cp)) is None]
    assert missing == []


@pytest.mark.parametrize("raw,shown", [
    ("\x1b[2J", "\\x1b[2J"), ("a\rb\nc", "a\\x0db\\x0ac"), ("\x9b", "\\x9b"), ("\u202egnp", "\\u202egnp"),
    ("x\u200by\ufeff", "x\\u200by\\ufeff"), ("\u2028", "\\u2028"), ("bad\udcff", "bad\\xff"),
    ("\U000e0041", "\\U000e0041"), ("tab\tkept é", "tab\tkept é"),
])
def test_visible_escapes_each_kind(raw, shown):
    assert escape.visible(raw) == shown
    assert _raw_unsafe(escape.visible(raw)) == []


def test_json_text_keeps_values_and_breaks_no_line():
    value = "a\u2028b\u202e\x85\U000e0041\udcff"
    encoded = escape.json_text(json.dumps({"v": value}, ensure_ascii=False))
    assert encoded.encode("utf-8")  # strict: no lone surrogate left
    assert _raw_unsafe(encoded) == [] and "\n" not in encoded
    assert json.loads(encoded)["v"] == value.replace("\udcff", "\\xff")


def _tree(root: Path) -> None:
    """A file name with ESC and a non-UTF-8 byte, and values with CR, OSC 8, bidi, zero-width."""
    apache = root / "etc" / "apache2"
    (apache / "sites-enabled").mkdir(parents=True)
    (apache / "apache2.conf").write_text(
        "ServerName x\nIncludeOptional sites-enabled/*.conf\n"
        f"Include \"a\r::error title=pwned::injected via CR\"\nInclude /etc/\u202egnp.evil\u202c\u200b\u2028x.conf\n")
    name = os.fsencode(str(apache / "sites-enabled")) + b"/bad\xff\x1b[2Jname.conf"
    with open(name, "wb") as fh:
        fh.write(f"Include missing{OSC8}\x1b[31m.conf\n".encode())
    nginx = root / "etc" / "nginx"
    nginx.mkdir(parents=True)
    (nginx / "nginx.conf").write_text(
        'events {}\nhttp {\n include "x\\n::warning file=README.md::injected by nginx.conf";\n}\n')


def _run(args, cwd: Path, **env) -> subprocess.CompletedProcess:
    full = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8:strict", **env)
    return subprocess.run([sys.executable, "-m", "wsgilint", *args], cwd=cwd, capture_output=True, env=full,
                          timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_on_a_strict_utf8_stdout(tmp_path, fmt):
    _tree(tmp_path / "tree")
    proc = _run(["check", "--root", "tree", "-f", fmt, "--fail-on", "never"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    out = proc.stdout.decode("utf-8")  # strict: raises on a raw 0xff byte
    assert _raw_unsafe(out) == []
    lines = out.split("\n")
    if fmt in ("json", "sarif", "gitlab"):
        doc = json.loads(out)
        if fmt != "sarif":  # sarif names the file by URI only (below)
            assert "\\\\xff" in out  # the text \xff for the byte (JSON-escaped backslash)
        if fmt == "json":
            paths = [f["path"] for f in doc["files"]]
            assert any(p.endswith("bad\\xff\x1b[2Jname.conf") for p in paths), paths  # the value, decoded
        if fmt == "sarif":
            uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]
                    for loc in r["locations"]]
            assert any("bad%FF%1B%5B2Jname.conf" in u for u in uris), uris
    else:
        assert "bad\\xff\\x1b[2Jname.conf" in out
        if fmt == "junit":  # well-formed XML (tests/report/test_report_junit.py validates the schema)
            import xml.etree.ElementTree as ET

            assert ET.fromstring(out).tag == "testsuites"
        if fmt == "github":
            # each line is one of our commands: nothing a config wrote starts a line
            assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines if line)
            assert "\\x0d::error title=pwned" in out
        else:
            assert not any(line.startswith("::") for line in lines), [l for l in lines if l.startswith("::")]
            assert "injected via CR" in out and "injected by nginx.conf" in out


def test_stderr_error_lines_are_escaped(tmp_path):
    bad = tmp_path / "t"
    bad.mkdir()
    (bad / "\x1b]0;PWNED\x07\x1b[2Jred.ini").write_bytes(b"[uwsgi]\n\x00\n")
    proc = _run(["check", "--root", "t", "/"], tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "PWNED" in err
    assert _raw_unsafe(err) == [] and err.count("\n") == 1
    cfg = tmp_path / "c"
    cfg.mkdir()
    (cfg / ".git").mkdir()
    (cfg / ".wsgilint.toml").write_text('root = "\\u001b]0;PWNED\\u0007\\u202e"\n')
    proc = _run(["check"], cfg)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "PWNED" in err and "\\x1b]0;PWNED\\x07\\u202e" in err
    assert _raw_unsafe(err) == []


def test_baseline_round_trips_a_non_utf8_name(tmp_path):
    _tree(tmp_path / "tree")
    made = _run(["check", "--root", "tree", "--create-baseline", "bl.json"], tmp_path)
    assert made.returncode == 0, made.stderr
    data = (tmp_path / "bl.json").read_bytes()
    data.decode("utf-8")  # strict
    assert _raw_unsafe(data.decode()) == []
    again = _run(["check", "--root", "tree", "--baseline", "bl.json", "-f", "json"], tmp_path)
    assert again.returncode == 0, again.stdout
    assert json.loads(again.stdout)["findings"] == []  # every finding, the non-UTF-8 file's too, matched
