"""Syntax problems found while parsing, kept as data (the pipeline turns them into findings)."""

from __future__ import annotations

from dataclasses import dataclass

from wsgilint.source import SourceFile


@dataclass(frozen=True)
class SyntaxProblem:
    """A parse-level problem at a character offset in one file."""

    start: int
    end: int
    message: str
    code: str = "parse-error"


class ParsedFile:
    """One parsed file (Apache or nginx): top-level nodes, comments ``(start, end, text)``, problems."""

    __slots__ = ("source", "nodes", "comments", "problems")

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.nodes: list = []
        self.comments: list[tuple[int, int, str]] = []
        self.problems: list[SyntaxProblem] = []
