"""GitHub Actions workflow commands: ``::error file=...,line=...::message`` annotations.

Text from configs and file names is first made visible (wsgilint.report.escape: no ESC, bidi
or raw non-UTF-8 byte reaches the log), then encoded as GitHub's toolkit does
(actions/toolkit packages/core/src/command.ts, escapeData and escapeProperty): ``%``, CR and
LF in the message; also ``:`` and ``,`` in properties. No line of ours can be split.
"""

from __future__ import annotations

from wsgilint.findings import Severity
from wsgilint.report.escape import visible

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def line(f) -> str:
    props = []
    if f.path and not f.path.startswith("<"):
        props.append(f"file={_prop(visible(f.path))}")
        if f.line:
            props.append(f"line={f.line}")
            props.append(f"endLine={max(f.line, f.end_line)}")
            # Columns only for one-line spans: GitHub mis-draws multi-line column ranges.
            if f.span is not None and f.end_line == f.line:
                end_col = f.span.source.position(f.span.end)[1]
                props.append(f"col={f.column}")
                if end_col > f.column:
                    props.append(f"endColumn={end_col}")
    props.append(f"title={_prop(f'wsgilint ({f.rule.id})')}")
    message = f"{f.rule.name}: {visible(f.message)}"
    if f.fix:
        message += f"\nFix: {visible(f.fix)}"  # the one line break: ours, %0A-encoded below
    if f.edits:  # a mechanical fix (wsgilint.fix): name the command that applies it
        unsafe = not all(e.safe for e in f.edits)
        message += (f" [`wsgilint check --fix{' --unsafe-fixes' if unsafe else ''}` applies it"
                    f"{' (unsafe: it changes behaviour beyond the finding)' if unsafe else ''}]")
    return f"::{COMMAND[f.severity]} {','.join(props)}::{_data(message)}"


def render(result, stream, **_: object) -> None:
    for f in result.findings:
        stream.write(line(f) + "\n")
