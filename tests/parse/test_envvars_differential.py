"""The plain-assignment reader of Debian's envvars against the pyparsing grammar (issue 16 item 10).

wsgilint.parse.envvars reads a plain ``[export] NAME=WORD`` line with one regular expression
and leaves every other line to the pyparsing grammar of shell quoting (the parser it had
before). Here both read the same inputs: every envvars file in fixtures/ and ../shared/corpus
and a list of variants seen in Debian's and Ubuntu's envvars and in edited ones. The plain
reader must give what the grammar gives on every line it takes, a whole file must read the
same with the plain reader on and off, and a stock Debian envvars must not import pyparsing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wsgilint.parse import envvars

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"

VARIANTS = [
    "export APACHE_RUN_USER=www-data",
    "export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid",
    "export APACHE_LOG_DIR=/var/log/apache2${SUFFIX}",
    "export LANG=C",
    "export LANG",
    "APACHE_ULIMIT_MAX_FILES='ulimit -n 65536'",
    "export APACHE_LYNX='www-browser -dump'",
    "#export APACHE_ARGUMENTS=''",
    "export APACHE_ARGUMENTS=-DFOREGROUND",
    "APACHE_RUN_DIR=/run/apache2; # trailing",
    "APACHE_RUN_DIR=/run/apache2 ;",
    "export A=x#not-a-comment",
    "A=",
    "A= spaced",
    "export   TABBED=\tvalue",
    "A=$",
    "A=$1",
    "A=${B##x}",
    "A=${B:-default}",
    'A="quoted $B"',
    "A=esc\\ aped",
    "A=`id -u`",
    "A=$(id -u)",
    "A=x y",
    "A=a,b:c@d%e+f=g.h-i_j/k",
    "exportX=1",
    "export=1",
    "1A=x",
    "A=$B$C${D}e",
    "A=ä",
    "A=*.conf",
]


def _envvars_files() -> list[Path]:
    found = sorted(ROOT.joinpath("fixtures").rglob("envvars*"))
    if SHARED.joinpath("corpus").is_dir():
        found += sorted(SHARED.joinpath("corpus").rglob("envvars*"))
    return [p for p in found if p.is_file()]


def _lines() -> list[str]:
    lines = list(VARIANTS)
    for path in _envvars_files():
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def test_there_are_real_envvars_files():
    assert any(p.parts[-4:-1] == ("example", "etc", "apache2") for p in _envvars_files())


@pytest.mark.parametrize("line", sorted(set(_lines())))
def test_plain_reader_agrees_with_the_grammar(line):
    plain = envvars._plain(line)
    if plain is None:
        return  # the grammar's line
    grammar = envvars._grammar_line(line)
    assert grammar is not None, f"the plain reader took a line the grammar refuses: {line!r}"
    env = {"SUFFIX": "-x", "B": "b", "C": "c", "D": "d"}

    def value(parts):
        return "".join(p[1] if p[0] == "lit" else env.get(p[1], "") if not p[2] else "" for p in parts)

    assert plain[0] == grammar[0]
    assert value(plain[1]) == value(grammar[1]), line


def test_the_plain_reader_takes_the_stock_lines():
    for line in ("export APACHE_RUN_USER=www-data", "export APACHE_LOG_DIR=/var/log/apache2$SUFFIX",
                 "export LANG=C", "APACHE_RUN_DIR=/run/apache2; # c"):
        assert envvars._plain(line) is not None, line
    for line in ("A='q'", 'A="q"', "A=${B##x}", "A= x", "A=`x`", "A=\\x"):
        assert envvars._plain(line) is None, line


@pytest.mark.parametrize("path", _envvars_files(), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_whole_files_read_the_same_with_the_grammar_alone(path, monkeypatch):
    text = path.read_text(encoding="utf-8", errors="replace")
    both = envvars.parse_envvars(text)
    monkeypatch.setattr(envvars, "_plain", lambda line: None)  # the pyparsing parser as it was
    assert envvars.parse_envvars(text) == both


def test_variants_read_the_same_with_the_grammar_alone(monkeypatch):
    text = "\n".join(VARIANTS) + "\n"
    both = envvars.parse_envvars(text)
    monkeypatch.setattr(envvars, "_plain", lambda line: None)
    assert envvars.parse_envvars(text) == both


def test_stock_debian_envvars_does_not_import_pyparsing():
    example = ROOT / "fixtures" / "example" / "etc" / "apache2" / "envvars"
    code = ("import sys\nfrom wsgilint.parse.envvars import parse_envvars\n"
            f"env = parse_envvars(open({str(example)!r}).read())\n"
            "assert env['APACHE_LOG_DIR'] == '/var/log/apache2', env\n"
            "print('pyparsing' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
    quoted = subprocess.run([sys.executable, "-c", "import sys\nfrom wsgilint.parse.envvars import parse_envvars\n"
                             "assert parse_envvars('A=\"x y\"\\n') == {'A': 'x y'}\n"
                             "print('pyparsing' in sys.modules)\n"], capture_output=True, text=True, timeout=60)
    assert quoted.stdout.strip() == "True", quoted.stderr  # quoting is the grammar's
