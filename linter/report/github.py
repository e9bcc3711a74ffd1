"""GitHub Actions workflow commands: ``::error file=...,line=...::message`` annotations.

Text from configs and file names is first made visible (wsgilint.report.escape: no ESC, bidi
or raw non-UTF-8 byte reaches the log), then encoded as GitHub's toolkit does
(actions/toolkit packages/core/src/command.ts, escapeData and escapeProperty): ``%``, CR and
LF in the message; also ``:`` and ``,`` in properties. No line of ours can be split.

Paths are relative to ``$GITHUB_WORKSPACE`` when set and the file is under it (annotations
need repository paths), else as reported (relative to the current directory when under it);
annotations come sorted by (path, line, column, rule). When ``$GITHUB_STEP_SUMMARY`` names a
regular file, a Markdown summary (counts per severity, the first ``SUMMARY_ROWS`` findings) is
appended to it, as GitHub expects (docs.github.com, "Adding a job summary": append to the file;
at most 1 MiB per step, so the summary is bounded and skipped when it would not fit).
"""

from __future__ import annotations

import os
import re

from wsgilint.findings import Severity
from wsgilint.report.escape import visible

SUMMARY_ROWS = 100
SUMMARY_CELL = 300  # characters of one message cell, then "..."
SUMMARY_MAX_BYTES = 1024 * 1024  # GitHub's limit for one step's summary

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _path(path: str, workspace: str | None) -> str:
    """Relative to GITHUB_WORKSPACE when set and ``path`` is under it (as gitlab.py does for CI_PROJECT_DIR)."""
    if workspace and path and not path.startswith("<"):
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(workspace))
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
    return path


def _key(f, workspace: str | None):
    return (_path(f.path or "", workspace), f.line or 0, f.column or 0, f.rule.id)


def line(f, workspace: str | None = None) -> str:
    props = []
    if f.path and not f.path.startswith("<"):
        props.append(f"file={_prop(visible(_path(f.path, workspace)))}")
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
    workspace = os.environ.get("GITHUB_WORKSPACE") or None
    findings = sorted(result.findings, key=lambda f: _key(f, workspace))
    for f in findings:
        stream.write(line(f, workspace) + "\n")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        problem = append_summary(summary_file, summary(findings, workspace))
        if problem:
            import sys

            sys.stderr.write(f"wsgilint: $GITHUB_STEP_SUMMARY {visible(summary_file)}: {problem}; no summary written\n")


# Markdown's active characters in a table cell (CommonMark: any ASCII punctuation may be
# backslash-escaped): emphasis, code, links and images, HTML and entities, the cell separator,
# strikethrough, GitHub's $math$ and @mentions.
_MD_PUNCT = re.compile(r"([\\`*_\[\]<>|&~!$@])")


def _md(text: object, limit: int = 0) -> str:
    """Text as one Markdown table cell: visible (escape.py), cut to ``limit``, punctuation escaped."""
    text = visible(text)
    if limit and len(text) > limit:
        text = text[:limit] + "..."
    return _MD_PUNCT.sub(r"\\\1", text)


def summary(findings, workspace: str | None = None) -> str:
    """The Markdown job summary: counts per severity, then a table of the first SUMMARY_ROWS findings."""
    counts = {sev: 0 for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    for f in findings:
        counts[f.severity] += 1
    total = len(findings)
    if not total:
        return "### wsgilint: no problems found\n\n"
    out = [f"### wsgilint: {total} problem{'s' if total != 1 else ''}", "",
           "| Severity | Count |", "| --- | ---: |"]
    out += [f"| {sev.label} | {n} |" for sev, n in counts.items()]
    out += ["", "| Severity | Rule | File | Line | Message |", "| --- | --- | --- | ---: | --- |"]
    for f in findings[:SUMMARY_ROWS]:
        where = _md(_path(f.path or "", workspace), SUMMARY_CELL)
        out.append(f"| {f.severity.label} | {f.rule.id} {_md(f.rule.name)} | {where} | {f.line or ''} | "
                   f"{_md(f.message, SUMMARY_CELL)} |")
    if total > SUMMARY_ROWS:
        out += ["", f"{total - SUMMARY_ROWS} more not shown (the first {SUMMARY_ROWS} are)."]
    return "\n".join(out) + "\n\n"


def append_summary(path: str, text: str) -> str | None:
    """Append ``text`` to the regular file ``path`` (never created, never a FIFO or device);
    None when written, else why not."""
    import stat

    data = text.encode("utf-8")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a device or FIFO is never opened
            return "not a regular file"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return exc.strerror or str(exc)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        if st.st_size + len(data) > SUMMARY_MAX_BYTES:
            return f"it would exceed GitHub's {SUMMARY_MAX_BYTES} bytes per step"
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        os.close(fd)
    return None
