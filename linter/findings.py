"""Severities, rule metadata, what rules return (Hit) and what users see (Finding)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    from wsgilint.source import Span


class Severity(enum.IntEnum):
    """Finding severity; higher is worse."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls[value.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or info)") from None


ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO
# A plain lookup: Enum.name goes through a descriptor that is slow on hot paths.
_LABELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


@dataclass(frozen=True)
class Rule:
    """A rule's identity, documentation and check function."""

    id: str
    name: str
    severity: Severity
    summary: str
    fix: str
    references: tuple[str, ...]
    check: Callable[..., Iterable["Hit"]]
    docs: str = ""
    applies_to: tuple[str, ...] = ()


@dataclass(slots=True)
class Related:
    """Another place that explains a finding (the other end of a link, an include)."""

    span: "Span"
    message: str


@dataclass(slots=True)
class Hit:
    """What a rule reports: where, what, and optionally a different severity."""

    span: "Span | None"
    message: str
    severity: Severity | None = None
    fix: str | None = None
    service: str | None = None
    related: list[Related] = field(default_factory=list)
    path: str | None = None  # for findings about a file that could not be read


@dataclass(slots=True)
class Finding:
    """A hit after the engine applied the rule's metadata and the user's options."""

    # Slots (here and in Hit/Related): 20k findings are read field by field by the sort,
    # suppressions and reporters. engine.make_finding passes the fields in this order.
    rule: Rule
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int
    fix: str
    service: str | None
    related: list[Related]
    span: "Span | None"
    _extra: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def extra(self) -> dict[str, Any]:
        """Per-finding data of baselines and reporters (context, fingerprint).

        Made on first use: most findings never need one (20k findings: 31.5 -> 28.7 ms, 1.3 MB less).
        """
        extra = self._extra
        if extra is None:
            extra = self._extra = {}
        return extra

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule.id)
