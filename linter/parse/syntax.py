"""Syntax problems found while parsing, kept as data (the pipeline turns them into findings)."""

from __future__ import annotations


from wsgilint.source import SourceFile
from wsgilint.record import FrozenRecord, set_field


class SyntaxProblem(FrozenRecord):
    """A parse-level problem at a character offset in one file."""

    start: int
    end: int
    message: str
    code: str

    def __init__(self, start, end, message, code="parse-error") -> None:
        set_field(self, 'start', start)
        set_field(self, 'end', end)
        set_field(self, 'message', message)
        set_field(self, 'code', code)


class ParsedFile:
    """One parsed file (Apache or nginx): top-level nodes, comments ``(start, end, text)``, problems."""

    __slots__ = ("source", "nodes", "comments", "problems")

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.nodes: list = []
        self.comments: list[tuple[int, int, str]] = []
        self.problems: list[SyntaxProblem] = []
