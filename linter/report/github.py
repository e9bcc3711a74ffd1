"""GitHub Actions workflow commands: ``::error file=...,line=...::message`` annotations."""

from __future__ import annotations

from wsgilint.findings import Severity

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def line(f) -> str:
    props = []
    if f.path and not f.path.startswith("<"):
        props.append(f"file={_prop(f.path)}")
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
    message = f"{f.rule.name}: {f.message}"
    if f.fix:
        message += f"\nFix: {f.fix}"
    return f"::{COMMAND[f.severity]} {','.join(props)}::{_data(message)}"


def render(result, stream, **_: object) -> None:
    for f in result.findings:
        stream.write(line(f) + "\n")
