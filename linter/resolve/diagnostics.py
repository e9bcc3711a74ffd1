"""Problems found while reading and resolving configuration, kept as data."""

from __future__ import annotations


from wsgilint.source import Span
from wsgilint.record import FACTORY, Record


class Diagnostic(Record):
    """A reading/resolution problem. ``code`` names the rule that reports it."""

    code: str
    message: str
    span: Span | None
    path: str | None
    related: list[tuple[Span, str]]

    def __init__(self, code, message, span=None, path=None, related=FACTORY) -> None:
        self.code = code
        self.message = message
        self.span = span
        self.path = path
        self.related = [] if related is FACTORY else related
