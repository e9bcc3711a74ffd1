"""Problems found while reading and resolving configuration, kept as data."""

from __future__ import annotations

from dataclasses import dataclass, field

from wsgilint.source import Span


@dataclass
class Diagnostic:
    """A reading/resolution problem. ``code`` names the rule that reports it."""

    code: str
    message: str
    span: Span | None = None
    path: str | None = None
    related: list[tuple[Span, str]] = field(default_factory=list)
