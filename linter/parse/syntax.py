"""Syntax problems found while parsing, kept as data (the pipeline turns them into findings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyntaxProblem:
    """A parse-level problem at a character offset in one file."""

    start: int
    end: int
    message: str
    code: str = "parse-error"
