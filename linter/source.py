"""Source files and spans: offsets into unmodified text, turned into lines at the edge."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from wsgilint.record import FrozenRecord


class SourceFile:
    """One file as read: its display path, its decoded text and a table of line starts."""

    # ``parsed``: the parse of ``text`` a resolver made with the default limits (None: not kept),
    # walked again by wsgilint.context instead of a second parse (bench/README.md, 2026-12-02, issue 17 part 2).
    __slots__ = ("path", "text", "kind", "_starts", "_lookups", "parsed")

    def __init__(self, path: str, text: str, kind: str = "") -> None:
        self.path = path
        self.text = text
        self.kind = kind
        self._starts: list[int] | None = None
        self._lookups = 0
        self.parsed = None

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            # Line starts from the lengths of "\n"-terminated lines (C-speed, unlike a find loop).
            lines = self.text.split("\n")
            starts = [0]
            starts.extend(accumulate(len(line) + 1 for line in lines[:-1]))
            self._starts = starts
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based (line, column) of a character offset."""
        if self._starts is None:
            # Most files get one or two lookups (a finding, its related note): counting
            # newlines in C beats building the line table. Build it from the 9th lookup.
            self._lookups += 1
            if self._lookups <= 8:
                text = self.text
                return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        starts = self._line_starts()
        idx = bisect_right(starts, offset) - 1
        return idx + 1, offset - starts[idx] + 1

    def locate(self, start: int, end: int) -> tuple[int, int, int]:
        """Return the 1-based (line, column, end line) of the span ``start``..``end``.

        ``end_line`` is the line of the span's last character (of ``start`` when empty);
        counted from ``line`` rather than looked up again (one call per finding).
        """
        if self._starts is None and self._lookups < 8:  # position(start), inlined: once per finding
            self._lookups += 1
            text = self.text
            line, col = text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        else:
            line, col = self.position(start)
        last = end - 1
        return line, col, (line + self.text.count("\n", start, last) if last > start else line)

    def line_text(self, line: int) -> str:
        """Return the text of a 1-based line, without its line end."""
        starts = self._line_starts()
        if line < 1 or line > len(starts):
            return ""
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def __repr__(self) -> str:
        return f"SourceFile({self.path!r})"


class Span(FrozenRecord):
    """A range of characters in one source file."""

    source: SourceFile
    start: int
    end: int

    __slots__ = ('source', 'start', 'end')

    def __init__(self, source: SourceFile, start: int, end: int) -> None:
        # Frozen: the generated __init__ sets each field through object.__setattr__; the
        # slots' own setters are cheaper (330 -> 215 ns; ~40k spans on the 10k-vhost tree).
        _set_source(self, source)
        _set_start(self, start)
        _set_end(self, end)

    # Written out (not Record's field loops): spans are dict keys and set members in rules.
    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Span:
            return NotImplemented
        return (self.source, self.start, self.end) == (other.source, other.start, other.end)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.source, self.start, self.end))

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def line(self) -> int:
        return self.source.position(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.position(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.source.position(max(self.start, self.end - 1))[0]

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]

    def __repr__(self) -> str:
        line, col = self.source.position(self.start)
        return f"Span({self.path}:{line}:{col})"


_set_source, _set_start, _set_end = Span.source.__set__, Span.start.__set__, Span.end.__set__
