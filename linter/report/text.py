"""Human output: findings grouped by file, the config line, why, and the fix.

rich decides whether and how to colour (terminal detection, NO_COLOR, the colour
system) and produces the escape codes (``Style.render``); the lines themselves are
written straight to the stream. Printing every line through ``Console.print`` (markup
parsing, segment rendering) took 9 s for the 20k findings of the 10k-vhost benchmark
tree; writing them takes ~0.1 s (bench/README.md).

Text from the configuration and file names are shown with control, bidi and zero-width
characters made visible (``\\x1b``, ``\\u202e``; a non-UTF-8 byte as ``\\xff``: see
wsgilint.report.escape), so a hostile file cannot drive or deceive the operator's terminal. Tabs in a quoted source line
are expanded and the caret follows them.
"""

from __future__ import annotations

import os
from itertools import groupby

from wsgilint.findings import Severity
from wsgilint.report.escape import visible as _visible
from wsgilint.report.summary import counts

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_FLUSH_LINES = 4096


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _painter(stream, color: bool | None):
    """A function (style, text) -> text with the escape codes rich would emit, or plain text."""
    if color is False:
        return None
    if color is None and not _isatty(stream) and not (os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE")):
        # rich would not colour this stream either (the variables are rich's own
        # overrides); not importing it saves ~25 ms of every pre-commit and CI run.
        return None
    from rich.console import Console

    console = Console(file=stream, force_terminal=color, highlight=False)
    system = console.color_system
    if system is None or console.no_color:
        return None
    from rich.style import Style

    cache: dict[str, Style] = {}

    def paint(style: str, text: str) -> str:
        st = cache.get(style)
        if st is None:
            st = cache[style] = Style.parse(style)
        return st.render(text, color_system=system)

    return paint


def render(result, stream, *, color: bool | None = None, fail_on: str = "warning", quiet: int = 0,
           **_: object) -> None:
    paint = _painter(stream, color)
    if paint is None:
        def paint(_style: str, text: str) -> str:
            return text
    out: list[str] = []
    emit = out.append
    sev_label = {sev: paint(style, sev.label) for sev, style in _STYLE.items()}
    for path, group in groupby(result.findings, key=lambda f: f.path):
        emit(paint("bold underline", _visible(path or "<wsgilint>")))
        for f in group:
            style = _STYLE[f.severity]
            svc = " " + paint("dim", f"({_visible(f.service)})") if f.service else ""
            emit(f"  {sev_label[f.severity]} {paint('bold', f.rule.id)} {f.rule.name}{svc}")
            emit(f"    --> {_visible(f.path)}:{f.line}:{f.column}")
            if f.span is not None and f.line:
                src = f.span.source.line_text(f.line)
                width = max(1, min(len(src) - f.column + 1, f.span.end - f.span.start)) if f.end_line == f.line \
                    else max(1, len(src) - f.column + 1)
                lead = src[:f.column - 1]
                marked = src[f.column - 1:f.column - 1 + width]
                if "\t" in src:
                    shown = src.expandtabs(8)
                    pad = len(lead.expandtabs(8))
                    width = max(1, len((lead + marked).expandtabs(8)) - pad)
                else:
                    shown, pad = src, len(lead)
                emit(f"  {paint('dim', f'{f.line:>4} |')} {_visible(shown)}")
                emit(f"  {paint('dim', '     |')} {' ' * pad}{paint(style, '^' * width)}")
            emit(f"    {_visible(f.message)}")
            for r in f.related:
                emit(f"    {paint('dim', 'note:')} {_visible(r.span.path)}:{r.span.line}: {_visible(r.message)}")
            emit(f"    {paint('green', 'fix:')} {_visible(f.fix)}")
            emit("")
            if len(out) > _FLUSH_LINES:  # written as it goes: a big report is not held (and copied) whole
                out.append("")
                stream.write("\n".join(out))
                out.clear()
    if quiet:  # -q: the findings only, no skipped-file notes, no summary (ruff's -q)
        stream.write("\n".join(out))
        return
    c = counts(result.findings)
    for path, why in result.skipped:
        emit(paint("dim", f"skipped {_visible(path)}: {_visible(why)}"))
    n_files = len(result.files)
    files = f"{n_files} file{'s' if n_files != 1 else ''}"
    if c["total"] == 0:
        emit(f"{paint('green', 'No problems found')} in {files}.")
    else:
        emit(f"Found {c['total']} problem{'s' if c['total'] != 1 else ''} "
             f"({paint('bold red', str(c['error']) + ' error')}, {paint('yellow', str(c['warning']) + ' warning')}, "
             f"{paint('cyan', str(c['info']) + ' info')}) in {files} (failing on {fail_on} and above).")
    out.append("")
    stream.write("\n".join(out))
