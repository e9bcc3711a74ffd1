"""Human output with rich: findings grouped by file, the config line, why, and the fix."""

from __future__ import annotations

from itertools import groupby

from wsgilint.findings import Severity
from wsgilint.report.summary import counts

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render(result, stream, *, color: bool | None = None, fail_on: str = "warning", **_: object) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.text import Text

    console = Console(file=stream, force_terminal=color, no_color=(color is False), highlight=False,
                      soft_wrap=True, width=200 if not getattr(stream, "isatty", lambda: False)() else None)
    for path, group in groupby(result.findings, key=lambda f: f.path):
        console.print(f"[bold underline]{escape(path or '<wsgilint>')}[/]")
        for f in group:
            style = _STYLE[f.severity]
            svc = f" [dim]({escape(f.service)})[/]" if f.service else ""
            console.print(f"  [{style}]{f.severity.label}[/] [bold]{f.rule.id}[/] {f.rule.name}{svc}")
            console.print(f"    --> {escape(f.path)}:{f.line}:{f.column}")
            if f.span is not None and f.line:
                src = f.span.source.line_text(f.line)
                # A Text, not markup: a line ending in a backslash would otherwise print doubled.
                console.print(Text.assemble(("  ", ""), (f"{f.line:>4} |", "dim"), " ", src))
                caret_len = max(1, min(len(src) - f.column + 1, f.span.end - f.span.start)) if f.end_line == f.line \
                    else max(1, len(src) - f.column + 1)
                console.print(f"  [dim]     |[/] {' ' * (f.column - 1)}[{style}]{'^' * caret_len}[/]")
            console.print(f"    {escape(f.message)}")
            for r in f.related:
                console.print(f"    [dim]note:[/] {escape(r.span.path)}:{r.span.line}: {escape(r.message)}")
            console.print(f"    [green]fix:[/] {escape(f.fix)}")
            console.print()
    c = counts(result.findings)
    for path, why in result.skipped:
        console.print(f"[dim]skipped {escape(path)}: {escape(why)}[/]")
    n_files = len(result.files)
    if c["total"] == 0:
        console.print(f"[green]No problems found[/] in {n_files} file{'s' if n_files != 1 else ''}.")
    else:
        console.print(f"Found {c['total']} problem{'s' if c['total'] != 1 else ''} "
                      f"([bold red]{c['error']} error[/], [yellow]{c['warning']} warning[/], "
                      f"[cyan]{c['info']} info[/]) in {n_files} file{'s' if n_files != 1 else ''} "
                      f"(failing on {fail_on} and above).")
