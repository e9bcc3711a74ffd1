"""One line per finding: path:line:col: ID name message (used by fixture tests)."""

from __future__ import annotations


def line(f) -> str:
    return f"{f.path}:{f.line}:{f.column}: {f.rule.id} {f.rule.name} [{f.severity.label}] {f.message}"


def render(result, stream, **_: object) -> None:
    for f in result.findings:
        stream.write(line(f) + "\n")
