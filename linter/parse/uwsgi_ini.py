"""Parse uWSGI ini text into ordered entries, as uWSGI's core/ini.c reads it.

Whole-line ``;``/``#`` comments only (an inline ``#`` is part of the value), keys
and values stripped of surrounding whitespace, a line without ``=`` is a bare key
with an empty value, quotes are not removed, repeated keys are all kept in order.
"""

from __future__ import annotations

from wsgilint.limits import DEFAULT as DEFAULT_LIMITS
from wsgilint.limits import Limits
from wsgilint.parse.syntax import SyntaxProblem
from wsgilint.source import SourceFile

_WS = " \t\r\f\v"


class Entry:
    """One ``key = value`` line of an ini section, with exact offsets."""

    __slots__ = ("section", "key", "value", "source", "start", "end", "key_end", "value_start")

    def __init__(self, section, key, value, source, start, end, key_end, value_start):
        self.section = section
        self.key = key
        self.value = value
        self.source = source
        self.start = start
        self.end = end
        self.key_end = key_end
        self.value_start = value_start

    def __repr__(self) -> str:
        return f"Entry([{self.section}] {self.key!r} = {self.value!r})"


class ParsedIni:
    __slots__ = ("source", "entries", "sections", "comments", "problems")

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.entries: list[Entry] = []
        self.sections: list[tuple[str, int, int]] = []
        self.comments: list[tuple[int, int, str]] = []
        self.problems: list[SyntaxProblem] = []

    def section_entries(self, name: str) -> list[Entry]:
        return [e for e in self.entries if e.section == name]


def parse(text: str, path: str = "<string>", source: SourceFile | None = None,
          limits: Limits | None = None) -> ParsedIni:
    """Parse ini text; never raises on bad input. Over-long lines are skipped (max-line-length)."""
    src = source or SourceFile(path, text, "uwsgi")
    out = ParsedIni(src)
    limits = limits or DEFAULT_LIMITS
    max_line = limits.max_line_length
    if text.count("\n") > limits.max_lines:
        out.problems.append(SyntaxProblem(0, min(len(text), 1), f"more than {limits.max_lines} lines (max-lines); "
                                          f"file not parsed", code="limit-exceeded"))
        return out
    section: str | None = None
    pos = 0
    n = len(text)
    find = text.find
    while pos < n:
        nl = find("\n", pos)
        end = n if nl == -1 else nl
        line_start = pos
        pos = end + 1
        if end - line_start > max_line:
            out.problems.append(SyntaxProblem(line_start, end, f"line longer than {max_line} characters "
                                              f"(max-line-length); skipped", code="limit-exceeded"))
            continue
        line = text[line_start:end]
        stripped = line.lstrip(_WS)
        if not stripped:
            continue
        lead = len(line) - len(stripped)
        start = line_start + lead
        body = stripped.rstrip(_WS)
        if body[0] in ";#":
            out.comments.append((start, start + len(body), body))
            continue
        if body[0] == "[":
            close = body.find("]")
            if close == -1:
                out.problems.append(SyntaxProblem(start, start + len(body), f"section header {body!r} has no closing ']'"))
                section = body[1:]
            else:
                section = body[1:close]
            out.sections.append((section, start, start + len(body)))
            continue
        eq = body.find("=")
        if eq == -1:
            key, value = body, ""
            key_end = start + len(body)
            value_start = key_end
        else:
            key = body[:eq].rstrip(_WS)
            vraw = body[eq + 1 :]
            value = vraw.lstrip(_WS)
            key_end = start + len(key)
            value_start = start + eq + 1 + (len(vraw) - len(value))
        if section is None:
            out.problems.append(SyntaxProblem(start, start + len(body),
                                              f"'{key}' is outside any [section]; uWSGI ignores it", code="uwsgi-no-section"))
            continue
        out.entries.append(Entry(section, key, value, src, start, start + len(body), key_end, value_start))
    return out
