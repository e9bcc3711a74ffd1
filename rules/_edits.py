"""Edits that rules attach to findings, computed from the model's spans (rules read no files).

Each helper works on the text of a SourceFile as read (the text the spans index) and keeps
everything else byte for byte: an inserted line copies its neighbour's indentation and the
file's line end (CRLF stays CRLF), a replaced value keeps the quoting and spacing around it.
wsgilint.fix applies the edits (``--fix``, ``--diff``); tests/test_fix*.py measure them.
"""

from __future__ import annotations

from wsgilint.findings import Edit
from wsgilint.source import Span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from wsgilint.source import SourceFile


def line_bounds(source: "SourceFile", offset: int) -> tuple[int, int, int]:
    """(start, content end, next line's start) of the line holding ``offset``: the content end
    is before the line's ``\\r\\n`` or ``\\n``; the next line's start is len(text) on the last line."""
    text = source.text
    start = text.rfind("\n", 0, offset) + 1
    nl = text.find("\n", offset)
    if nl == -1:
        return start, len(text), len(text)
    end = nl - 1 if nl > start and text[nl - 1] == "\r" else nl
    return start, end, nl + 1


def line_end_of(source: "SourceFile", offset: int) -> str:
    """The line end of the line at ``offset`` (else the file's first, else "\\n")."""
    text = source.text
    nl = text.find("\n", offset)
    if nl == -1:
        nl = text.find("\n")
    if nl == -1:
        return "\n"
    return "\r\n" if nl > 0 and text[nl - 1] == "\r" else "\n"


def indent_of(source: "SourceFile", offset: int) -> str:
    """The leading blanks of the line holding ``offset``."""
    start, end, _ = line_bounds(source, offset)
    line = source.text[start:end]
    return line[: len(line) - len(line.lstrip(" \t"))]


def alone_on_line(span: Span, comment: str = "#") -> bool:
    """Is ``span`` the only thing on its line(s): blanks before it, blanks or a comment after it?"""
    text = span.source.text
    start, _, _ = line_bounds(span.source, span.start)
    if text[start:span.start].strip(" \t"):
        return False
    _, end, _ = line_bounds(span.source, max(span.start, span.end - 1))
    rest = text[span.end:end].strip(" \t")
    return not rest or rest.startswith(comment)


def insert_line_after(span: Span, line: str, safe: bool = True) -> Edit:
    """Insert ``line`` (without a line end) after the line where ``span`` ends, indented as the
    line where ``span`` starts, with the file's line end. At the end of a file without a final
    line end, the line is added after one (and the file still ends without one)."""
    source = span.source
    _, _, nxt = line_bounds(source, max(span.start, span.end - 1))
    indent = indent_of(source, span.start)
    eol = line_end_of(source, span.start)
    text = source.text
    if nxt == len(text) and not text.endswith("\n"):
        return Edit(Span(source, nxt, nxt), f"{eol}{indent}{line}", safe)
    return Edit(Span(source, nxt, nxt), f"{indent}{line}{eol}", safe)


def replace(span: Span, text: str, safe: bool = True) -> Edit:
    return Edit(span, text, safe)
