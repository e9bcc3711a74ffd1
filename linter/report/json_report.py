"""JSON output: a stable contract for CI (version 1)."""

from __future__ import annotations

import json

from wsgilint import __version__
from wsgilint.report.summary import counts


def to_dict(result, fail_on: str) -> dict:
    findings = []
    for f in result.findings:
        findings.append({
            "rule": f.rule.id,
            "name": f.rule.name,
            "severity": f.severity.label,
            "message": f.message,
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "fix": f.fix,
            "service": f.service,
            "related": [{"path": r.span.path, "line": r.span.line, "message": r.message} for r in f.related],
        })
    summary = counts(result.findings)
    summary["files"] = len(result.files)
    summary["fail_on"] = fail_on
    return {
        "version": 1,
        "tool": {"name": "wsgilint", "version": __version__},
        "files": [{"path": p, "kind": k} for p, k in result.files],
        "findings": findings,
        "summary": summary,
    }


def render(result, stream, *, fail_on: str = "warning", **_: object) -> None:
    # Compact output: json's C encoder only runs without indent (pretty-printing 10k
    # findings cost ~2 s); pipe through `jq .` or `python -m json.tool` to read it.
    stream.write(json.dumps(to_dict(result, fail_on), separators=(",", ":"), ensure_ascii=False) + "\n")
