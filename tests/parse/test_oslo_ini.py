"""Unit tests of the oslo.config ini parser, and a differential check against oslo.config itself."""

from __future__ import annotations

import pytest

from wsgilint.parse.oslo_ini import parse

CASES = {
    "basic": "[DEFAULT]\ndebug = true\n[oslo_middleware]\nenable_proxy_headers_parsing=True\n",
    "colon": "[DEFAULT]\nkey: value = x\nother = a:b\n",
    "quotes": "[DEFAULT]\na = \"quoted\"\nb = 'single'\nc = \"mismatch'\nd = \"\n",
    "continuation": "[DEFAULT]\nhosts = a\n  b\n\tc\nnext = 1\n",
    "indented_comment_is_value": "[DEFAULT]\nx = 1\n  # not a comment\n",
    "comments": "# top\n; semi\n[DEFAULT]\n#key = no\nkey = yes # stays\n",
    "repeat": "[DEFAULT]\nk = 1\nk = 2\n[DEFAULT]\nk = 3\n",
    "blank_ends_value": "[s]\na = 1\n\n b\n",
    "crlf": "[DEFAULT]\r\nk = v\r\n",
    "empty_value": "[DEFAULT]\nk =\n",
    "no_separator": "[DEFAULT]\njust a line\nk = v\n",
    "bad_section": "[DEFAULT\nk = v\n",
}


def _ours(text: str):
    res = parse(text)
    return [(e.section, e.key, e.value) for e in res.entries], bool(res.problems)


def test_positions_and_values():
    text = "[DEFAULT]\n  \nkey = v1\n  more\n[oslo_middleware]\nenable_proxy_headers_parsing = 'true'\n"
    res = parse(text)
    e1, e2 = res.entries
    assert (e1.section, e1.key, e1.value) == ("DEFAULT", "key", "v1\nmore")
    assert res.source.position(e1.start) == (3, 1)
    assert text[e1.start:e1.end] == "key = v1\n  more"
    assert (e2.section, e2.key, e2.value) == ("oslo_middleware", "enable_proxy_headers_parsing", "true")
    assert [s[0] for s in res.sections] == ["DEFAULT", "oslo_middleware"]
    assert not res.problems


def test_problems_do_not_stop_parsing():
    res = parse("k = outside\n[DEFAULT]\nnot an assignment\n= v\nok = 1\n")
    msgs = [p.message for p in res.problems]
    assert any("outside any [section]" in m for m in msgs)
    assert any("No ':' or '='" in m for m in msgs)
    assert any("Key cannot be empty" in m for m in msgs)
    assert ("DEFAULT", "ok", "1") in [(e.section, e.key, e.value) for e in res.entries]


def test_unexpected_continuation():
    res = parse("[DEFAULT]\n\n   indented first\n")
    assert [p.message.split(" (")[0] for p in res.problems] == ["Unexpected continuation line"]


def test_whole_line_comments_only():
    res = parse("[DEFAULT]\nkey = yes # stays\n")
    assert res.entries[0].value == "yes # stays"


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_oslo_config(name):
    """oslo.config's own iniparser (when installed) yields the same assignments, or refuses the same files."""
    try:
        from oslo_config import iniparser
    except ImportError:
        pytest.skip("ORACLE MISSING: oslo.config not installed (pip install oslo.config) - differential test skipped")

    class Recorder(iniparser.BaseParser):
        def __init__(self):
            self.section = None
            self.out = []

        def new_section(self, section):
            self.section = section

        def assignment(self, key, value):
            self.out.append((self.section, key, "\n".join(value)))

    text = CASES[name]
    rec = Recorder()
    try:
        rec.parse(text.splitlines(True))
        refused = False
    except iniparser.ParseError:
        refused = True
    ours, problems = _ours(text)
    assert problems == refused, f"oslo.config refused={refused}, wsgilint problems={problems}"
    if not refused:
        assert ours == rec.out
