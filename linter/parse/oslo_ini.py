"""Parse an OpenStack service config (oslo.config ini) the way oslo_config/iniparser.py reads it.

A line is stripped on the right only. Blank lines end a value; a line starting with a
space or tab continues the previous value (even when it looks like a comment);
``[name]`` starts a section; whole lines starting with ``#`` or ``;`` are comments;
otherwise the key ends at the first ``=`` or ``:`` (whichever comes first), key and
value are stripped, and one pair of matching surrounding quotes is removed. What
oslo.config refuses (ParseError, the service does not start) is recorded as a
problem and parsing goes on.
"""

from __future__ import annotations

from wsgilint.limits import DEFAULT as DEFAULT_LIMITS
from wsgilint.limits import Limits
from wsgilint.parse.syntax import SyntaxProblem
from wsgilint.source import SourceFile


class OsloEntry:
    """One assignment: section, key, value (continuation lines joined with newlines), offsets."""

    __slots__ = ("section", "key", "value", "source", "start", "end")

    def __init__(self, section: str, key: str, value: str, source: SourceFile, start: int, end: int) -> None:
        self.section = section
        self.key = key
        self.value = value
        self.source = source
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"OsloEntry([{self.section}] {self.key!r} = {self.value!r})"


class ParsedOslo:
    __slots__ = ("source", "entries", "sections", "problems")

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.entries: list[OsloEntry] = []
        self.sections: list[tuple[str, int, int]] = []  # (name as written, start, end)
        self.problems: list[SyntaxProblem] = []


def _split(line: str) -> tuple[str, str] | None:
    colon = line.find(":")
    equal = line.find("=")
    if colon < 0 and equal < 0:
        return None
    cut = equal if colon < 0 or (0 <= equal < colon) else colon
    key, value = line[:cut].strip(), line[cut + 1:].strip()
    if value and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value


def parse(text: str, path: str = "<string>", source: SourceFile | None = None,
          limits: Limits | None = None) -> ParsedOslo:
    """Parse oslo.config ini text; never raises on bad input."""
    src = source or SourceFile(path, text, "service")
    out = ParsedOslo(src)
    limits = limits or DEFAULT_LIMITS
    if text.count("\n") > limits.max_lines:
        out.problems.append(SyntaxProblem(0, min(len(text), 1), f"more than {limits.max_lines} lines (max-lines); "
                                          f"file not parsed", code="limit-exceeded"))
        return out
    section: str | None = None
    pending: list = []  # [key, [value lines], start, end] of the assignment being read

    def flush() -> None:
        if pending:
            key, values, start, end = pending
            if section is None:
                out.problems.append(SyntaxProblem(start, end, f"'{key}' is outside any [section] (oslo.config: "
                                                  f"NoSectionError at start-up)"))
            else:
                out.entries.append(OsloEntry(section, key, "\n".join(values), src, start, end))
            pending.clear()

    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl == -1 else nl
        start = pos
        pos = end + 1
        if end - start > limits.max_line_length:
            flush()
            out.problems.append(SyntaxProblem(start, end, f"line longer than {limits.max_line_length} characters "
                                              f"(max-line-length); skipped", code="limit-exceeded"))
            continue
        line = text[start:end].rstrip()
        if not line:
            flush()
            continue
        if line[0] in " \t":
            if pending:
                pending[1].append(line.lstrip())
                pending[3] = start + len(line)
            else:
                out.problems.append(SyntaxProblem(start, start + len(line), "Unexpected continuation line "
                                                  "(an indented line with no assignment before it)"))
            continue
        flush()
        if line[0] == "[":
            if not line.endswith("]"):
                out.problems.append(SyntaxProblem(start, start + len(line), "Invalid section (must end with ])"))
            elif len(line) <= 2:
                out.problems.append(SyntaxProblem(start, start + len(line), "Empty section name"))
            else:
                section = line[1:-1]
                out.sections.append((section, start, start + len(line)))
        elif line[0] in "#;":
            continue
        else:
            kv = _split(line)
            if kv is None:
                out.problems.append(SyntaxProblem(start, start + len(line), "No ':' or '=' found in assignment"))
            elif not kv[0]:
                out.problems.append(SyntaxProblem(start, start + len(line), "Key cannot be empty"))
            else:
                pending[:] = [kv[0], [kv[1]], start, start + len(line)]
    flush()
    return out
