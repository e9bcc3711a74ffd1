"""Severities, rule metadata, what rules return (Hit) and what users see (Finding)."""

from __future__ import annotations

import enum
from wsgilint.record import FACTORY, FrozenRecord, Record, set_field

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)

if TYPE_CHECKING:
    from typing import Any, Callable, Iterable

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


class Rule(FrozenRecord):
    """A rule's identity, documentation and check function."""

    id: str
    name: str
    severity: Severity
    summary: str
    fix: str
    references: tuple[str, ...]
    check: Callable[..., Iterable["Hit"]]
    docs: str
    fixable: str | None  # "safe" | "unsafe": the rule attaches edits (wsgilint.fix) that --fix applies

    def __init__(self, id, name, severity, summary, fix, references, check, docs="", fixable=None) -> None:
        set_field(self, 'id', id)
        set_field(self, 'name', name)
        set_field(self, 'severity', severity)
        set_field(self, 'summary', summary)
        set_field(self, 'fix', fix)
        set_field(self, 'references', references)
        set_field(self, 'check', check)
        set_field(self, 'docs', docs)
        set_field(self, 'fixable', fixable)


class Related(Record):
    """Another place that explains a finding (the other end of a link, an include)."""

    span: "Span"
    message: str

    __slots__ = ('span', 'message')

    def __init__(self, span, message) -> None:
        self.span = span
        self.message = message


class Edit(FrozenRecord):
    """A change to one source file that fixes a finding (wsgilint.fix applies it with --fix).

    ``span`` is a range of the model's SourceFile text (character offsets, as every span):
    its text is replaced by ``text``. An empty span inserts (a whole line, ending with the
    file's own line end, see wsgilint.edits). ``safe``: changes nothing but what the finding
    is about; unsafe edits (they change behaviour beyond it) need --unsafe-fixes.
    """

    span: "Span"
    text: str
    safe: bool

    __slots__ = ('span', 'text', 'safe')

    def __init__(self, span, text, safe=True) -> None:
        set_field(self, 'span', span)
        set_field(self, 'text', text)
        set_field(self, 'safe', safe)


class Hit(Record):
    """What a rule reports: where, what, and optionally a different severity."""

    span: "Span | None"
    message: str
    severity: Severity | None
    fix: str | None
    service: str | None
    related: list[Related]
    path: str | None  # for findings about a file that could not be read
    edits: tuple[Edit, ...]  # a mechanical fix, applied together (wsgilint.fix); () when none

    __slots__ = ('span', 'message', 'severity', 'fix', 'service', 'related', 'path', 'edits')

    def __init__(self, span, message, severity=None, fix=None, service=None, related=FACTORY, path=None,
                 edits=()) -> None:
        self.span = span
        self.message = message
        self.severity = severity
        self.fix = fix
        self.service = service
        self.related = [] if related is FACTORY else related
        self.path = path
        self.edits = edits


class Finding(Record):
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
    _extra: dict[str, Any] | None
    edits: tuple[Edit, ...]  # the hit's edits (wsgilint.fix): (), or edits applied together

    __slots__ = (
        'rule', 'severity', 'message', 'path', 'line', 'column', 'end_line', 'fix', 'service', 'related', 'span',
        '_extra', 'edits',
    )
    _not_shown = ('_extra', 'edits')
    _not_compared = ('_extra', 'edits')

    def __init__(self, rule, severity, message, path, line, column, end_line, fix, service, related, span,
                 _extra=None, edits=()) -> None:
        self.rule = rule
        self.severity = severity
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.fix = fix
        self.service = service
        self.related = related
        self.span = span
        self._extra = _extra
        self.edits = edits

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
