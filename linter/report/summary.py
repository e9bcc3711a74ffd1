"""Counts shared by every reporter."""

from __future__ import annotations

from collections import Counter

from wsgilint.findings import Finding, Severity


def counts(findings: list[Finding]) -> dict[str, int]:
    c = Counter(f.severity for f in findings)
    return {"error": c[Severity.ERROR], "warning": c[Severity.WARNING], "info": c[Severity.INFO],
            "total": len(findings)}
