"""Inline suppressions: ``# wsgilint: ignore[ID, ...] reason`` comment lines.

Apache, nginx and uWSGI only have whole-line comments, so a suppression is a
comment line of its own:

- ``# wsgilint: ignore[WSG401, proxy-sendcl-ignored] reason`` silences those rules
  on the next directive; right after a section opener (``<VirtualHost ...>``,
  ``[uwsgi]``, ``server {``) it silences them for the whole section;
- ``# wsgilint: ignore-file[WSG204] reason`` silences them for the whole file.

``;`` works as the marker in uWSGI ini files and in OpenStack service configs (oslo.config
ini, /etc/<service>/*.conf). Every file of ``Deployment.sources`` is searched. A suppression
that silences nothing, names an unknown rule or cannot be read is reported as WSG009
(unused-suppression). wsgilint.pipeline.after_rules applies them, with the other filters.
"""

from __future__ import annotations

import re

from wsgilint import engine, registry
from wsgilint.context import Indexes
from wsgilint.findings import Hit
from wsgilint.record import FACTORY, Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)

if TYPE_CHECKING:
    from wsgilint.findings import Finding, Rule
    from wsgilint.model.types import Deployment
    from wsgilint.source import SourceFile

UNUSED_ID = "WSG009"
MARKER = "wsgilint:"
_LINE = {
    "apache": re.compile(r"^[ \t]*(#[ \t]*wsgilint:[^\r\n]*)", re.M),
    "uwsgi": re.compile(r"^[ \t]*([#;][ \t]*wsgilint:[^\r\n]*)", re.M),
}  # nginx: "#" only, like Apache
_BODY = re.compile(r"^[#;][ \t]*wsgilint:[ \t]*(ignore-file|ignore)[ \t]*\[([^\]]*)\][ \t]*(.*?)[ \t]*$")


class Suppression(Record):
    """One ``wsgilint: ignore[...]`` comment and what it covers."""

    source: "SourceFile"
    start: int
    end: int
    text: str
    file_wide: bool
    codes: list[str]  # as written
    rule_ids: dict[str, str]  # rule id -> code as written
    unknown: list[str]
    malformed: bool
    reason: str
    target: tuple[int, int] | None
    scope: str  # "directive" | "section" | "file"
    used: set[str]

    def __init__(self, source, start, end, text, file_wide=False, codes=FACTORY, rule_ids=FACTORY, unknown=FACTORY,
                 malformed=False, reason="", target=None, scope="directive", used=FACTORY) -> None:
        self.source = source
        self.start = start
        self.end = end
        self.text = text
        self.file_wide = file_wide
        self.codes = [] if codes is FACTORY else codes
        self.rule_ids = {} if rule_ids is FACTORY else rule_ids
        self.unknown = [] if unknown is FACTORY else unknown
        self.malformed = malformed
        self.reason = reason
        self.target = target
        self.scope = scope
        self.used = set() if used is FACTORY else used

    def covers(self, f: "Finding") -> bool:
        if f.rule.id not in self.rule_ids or self.target is None:
            return False
        if f.span is None:
            return self.file_wide and f.path == self.source.path
        if f.span.source.path != self.source.path:
            return False
        return self.target[0] <= f.span.start < self.target[1]


def _marked_sources(model: "Deployment") -> list["SourceFile"]:
    """The files the model was built from (``Deployment.sources``: Apache, nginx, uWSGI, inactive
    sites, inis nothing starts, service configs) that contain the marker."""
    return [s.source for s in model.sources if MARKER in s.source.text]


def collect(model: "Deployment", indexes: Indexes | None = None) -> list[Suppression]:
    """Every suppression comment in the files the model was built from, with its target."""
    indexes = indexes or Indexes()
    out: list[Suppression] = []
    for src in _marked_sources(model):
        # ini files (uWSGI, oslo.config service configs) take ";" comments too
        pattern = _LINE["uwsgi" if src.kind in ("uwsgi", "service") else "apache"]
        index = None
        for m in pattern.finditer(src.text):
            text = m.group(1).rstrip()
            sup = Suppression(src, m.start(1), m.start(1) + len(text), text)
            out.append(sup)
            body = _BODY.match(text)
            if body is None:
                sup.malformed = True
                continue
            sup.file_wide = body.group(1) == "ignore-file"
            sup.reason = body.group(3)
            sup.codes = [c.strip() for c in body.group(2).split(",") if c.strip()]
            for code in sup.codes:
                rule = registry.lookup(code)
                if rule is None:
                    sup.unknown.append(code)
                else:
                    sup.rule_ids[rule.id] = code
            if not sup.codes:
                sup.malformed = True
                continue
            if sup.file_wide:
                sup.target, sup.scope = (0, len(src.text) + 1), "file"
                continue
            index = index or indexes.get(src)
            section = index.section_opened_before(sup.start)
            if section is not None:
                sup.target, sup.scope = (section.start, section.close_end), "section"
                continue
            item = index.next_item(sup.end)
            if item is not None:
                sup.target = (item.start, max(item.end, item.start + 1))
    return out


def enabled(opts: "engine.EngineOptions", rule_id: str) -> bool:
    """Is ``rule_id`` selected and not ignored?"""
    return (opts.selected is None or rule_id in opts.selected) and rule_id not in opts.ignored


def apply(sups: list[Suppression], findings: list["Finding"], opts: "engine.EngineOptions") -> list["Finding"]:
    """Steps 1-3 of wsgilint.pipeline.after_rules: drop the findings suppressions cover and
    those of rules run only to judge a suppression, then report unused suppressions (WSG009)."""
    silenced = _silenced(sups, findings)
    kept = [f for i, f in enumerate(findings) if i not in silenced and enabled(opts, f.rule.id)]
    if enabled(opts, UNUSED_ID):
        rule = registry.lookup(UNUSED_ID)
        if rule is not None:
            for s in sups:
                hit = _unused_hit(s)
                if hit is not None:
                    kept.append(engine.make_finding(rule, hit))
            kept.sort(key=engine.SORT_KEY)
    return kept


def _silenced(sups: list[Suppression], findings: list["Finding"]) -> set[int]:
    """Indexes of the findings some suppression covers (``Suppression.covers``), marking each
    suppression used for the rule it silenced, in O((F + S) log S): findings and suppression
    targets are grouped by (file, rule) and swept by position, with a heap of the targets
    open at that position. Testing every finding against every comment was quadratic
    (20,000 pairs: 77 s, ../shared/hostile/superlinear-suppressions)."""
    import heapq

    ranges: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    whole: dict[tuple[str, str], list[Suppression]] = {}
    for n, sup in enumerate(sups):
        if sup.target is None:
            continue
        for rid in sup.rule_ids:
            ranges.setdefault((sup.source.path, rid), []).append((sup.target[0], sup.target[1], n))
            if sup.file_wide:
                whole.setdefault((sup.source.path, rid), []).append(sup)
    points: dict[tuple[str, str], list[tuple[int, int]]] = {}
    out: set[int] = set()
    for i, f in enumerate(findings):
        rid = f.rule.id
        if f.span is None:
            for sup in whole.get((f.path, rid), ()):
                sup.used.add(rid)
                out.add(i)
            continue
        key = (f.span.source.path, rid)
        if key in ranges:
            points.setdefault(key, []).append((f.span.start, i))
    for key, pts in points.items():
        rid = key[1]
        ivs = sorted(ranges[key])
        pts.sort()
        heap: list[tuple[int, int]] = []
        fresh: list[tuple[int, int, int]] = []
        j = 0
        for pos, i in pts:
            while j < len(ivs) and ivs[j][0] <= pos:
                heapq.heappush(heap, (ivs[j][1], ivs[j][2]))
                fresh.append(ivs[j])
                j += 1
            while heap and heap[0][0] <= pos:
                heapq.heappop(heap)
            if heap:
                out.add(i)
                for _start, end, n in fresh:
                    if end > pos:
                        sups[n].used.add(rid)
                fresh.clear()
    return out


def _unused_hit(s: Suppression) -> Hit | None:
    from wsgilint.source import Span

    span = Span(s.source, s.start, s.end)
    if s.malformed:
        return Hit(span, "suppression comment not understood: write `# wsgilint: ignore[ID, ...] reason` "
                         "or `# wsgilint: ignore-file[ID, ...] reason`")
    parts = []
    if s.unknown:
        parts.append("unknown rule" + ("s " if len(s.unknown) > 1 else " ") + ", ".join(s.unknown))
    unused = [code for rid, code in s.rule_ids.items() if rid not in s.used]
    if unused:
        where = {"file": "in this file", "section": "in the section it opens"}.get(
            s.scope, "on the next directive" if s.target is not None else "here (no directive follows)")
        parts.append(f"{', '.join(unused)} found nothing {where}")
    if not parts:
        return None
    return Hit(span, "unused suppression: " + "; ".join(parts))
