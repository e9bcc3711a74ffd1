"""One line per finding: path:line:col: ID name message (used by fixture tests).

Paths and messages go through wsgilint.report.escape.visible: a CR or LF from a config
cannot start a line of its own (a GitHub runner reads ``::error ...`` lines as commands).
"""

from __future__ import annotations

from wsgilint.report.escape import visible


def line(f) -> str:
    return f"{visible(f.path)}:{f.line}:{f.column}: {f.rule.id} {f.rule.name} [{f.severity.label}] {visible(f.message)}"


def render(result, stream, **_: object) -> None:
    for f in result.findings:
        stream.write(line(f) + "\n")
