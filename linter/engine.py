"""Run rules over a deployment and turn their hits into findings."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from operator import attrgetter

from wsgilint.findings import Finding, Hit, Related, Rule, Severity
from wsgilint.model.types import Deployment


@dataclass
class EngineOptions:
    selected: set[str] | None = None  # None = every rule
    ignored: set[str] = field(default_factory=set)
    severity_overrides: dict[str, Severity] = field(default_factory=dict)


INTERNAL_ERROR_ID = "WSG002"
# Finding.sort_key without a property call and a lambda per finding (20k findings: 25 -> 8 ms).
SORT_KEY = attrgetter("path", "line", "column", "rule.id")


def run(rules: tuple[Rule, ...], model: Deployment, options: EngineOptions) -> list[Finding]:
    """Run each enabled rule in isolation; a crashing rule becomes an internal-error finding."""
    findings: list[Finding] = []
    internal = next((r for r in rules if r.id == INTERNAL_ERROR_ID), None)
    for rule in rules:
        if options.selected is not None and rule.id not in options.selected:
            continue
        if rule.id in options.ignored:
            continue
        try:
            hits = list(rule.check(model))
        except Exception as exc:  # noqa: BLE001 - isolation is the point
            if internal is None:
                raise
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            hits = []
            findings.append(make_finding(internal, Hit(
                None, f"rule {rule.id} ({rule.name}) crashed: {type(exc).__name__}: {exc} "
                f"[{tb.filename.rsplit('/', 1)[-1]}:{tb.lineno}]; other rules still ran",
                path="<wsgilint>"), options))
        findings.extend([make_finding(rule, hit, options) for hit in hits])
    findings.sort(key=SORT_KEY)
    return findings


def make_finding(rule: Rule, hit: Hit, options: EngineOptions) -> Finding:
    """Turn one rule hit into a finding: severity overrides, location, default fix."""
    sev = options.severity_overrides.get(rule.id) or hit.severity or rule.severity
    span = hit.span
    if span is not None:
        source = span.source
        path = source.path
        line, col, end_line = source.locate(span.start, span.end)
    else:
        path, line, col, end_line = hit.path or "", 0, 0, 0
    return Finding(rule, sev, hit.message, path, line, col, end_line, hit.fix or rule.fix, hit.service,
                   list(hit.related), span)


def related(span, message: str) -> Related:
    return Related(span, message)
