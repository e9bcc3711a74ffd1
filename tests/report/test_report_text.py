"""The text reporter: colour through rich's styles, terminal-safe text, tab-aware carets."""

from __future__ import annotations

import io
import re

from _reportlib import golden_result
from conftest import PROJECT
from lintrun import check

from wsgilint.report import text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _render(result, color):
    buf = io.StringIO()
    text.render(result, buf, color=color, fail_on="warning")
    return buf.getvalue()


def test_colour_output_is_the_plain_output_with_rich_styles():
    result = golden_result()
    plain = _render(result, False)
    coloured = _render(result, True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31merror\x1b[0m" in coloured  # rich's "bold red" for errors
    assert "\x1b[32mfix:\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_no_color_environment_turns_colour_off(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in _render(golden_result(), None)


def _tree(tmp_path, line: str):
    site = tmp_path / "apache2" / "sites-enabled"
    site.mkdir(parents=True)
    (tmp_path / "apache2" / "apache2.conf").write_text("IncludeOptional sites-enabled/*.conf\n")
    (site / "a.conf").write_text(line + "\n", encoding="utf-8")
    return check([tmp_path / "apache2"], cwd=PROJECT, select=("WSG001",))


def test_control_characters_from_a_config_never_reach_the_terminal(tmp_path):
    result = _tree(tmp_path, "<Location /\x1b]0;owned\x07\x1b[2J>")
    assert result.findings, "an unclosed section is a parse error"
    for color in (False, True):
        out = _render(result, color)
        assert "\x07" not in out and "]0;owned" not in ANSI.sub("", out).replace("\\x1b]0;owned", "")
        assert "\\x1b]0;owned\\x07" in out


def test_caret_follows_expanded_tabs(tmp_path):
    result = _tree(tmp_path, "\t<Location /x>")
    out = _render(result, False).splitlines()
    src = next(i for i, line in enumerate(out) if line.startswith("     1 |"))
    shown, caret = out[src], out[src + 1]
    assert "\t" not in shown
    assert caret.index("^") == shown.index("<")
    assert caret.count("^") == len("<Location /x>")


def test_a_big_report_written_in_pieces_is_the_same_text(tmp_path, monkeypatch):
    sites = tmp_path / "sites"
    sites.mkdir()
    (tmp_path / "httpd.conf").write_text(f"ServerRoot {tmp_path}\nIncludeOptional sites/*.conf\n")
    for i in range(200):
        (sites / f"s{i:03d}.conf").write_text(
            f"<VirtualHost *:80>\nProxyPass /api/ unix:/run/s{i}.sock|uwsgi://s{i}/\nSetEnv proxy-sendcl 1\n"
            f"</VirtualHost>\n")
    result = check([tmp_path], cwd=tmp_path)
    assert len(result.findings) >= 400
    monkeypatch.setattr(text, "_FLUSH_LINES", 50)

    class Writes(io.StringIO):
        count = 0

        def write(self, s):
            Writes.count += 1
            return super().write(s)

    pieces = Writes()
    text.render(result, pieces, color=False, fail_on="warning")
    assert Writes.count > 10
    monkeypatch.setattr(text, "_FLUSH_LINES", 10**9)
    assert pieces.getvalue() == _render(result, False)
