"""Command-line interface. Imports only typer and the standard library at start-up."""

from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer

from wsgilint import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Lint Apache httpd + uWSGI deployments of WSGI services (OpenStack and others).",
)

FAIL_ON = ("error", "warning", "info", "never")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wsgilint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """wsgilint: deployment compatibility linter for WSGI services."""


def _die(message: str) -> None:
    typer.echo(f"wsgilint: error: {message}", err=True)
    raise typer.Exit(2)


def _split(values: Optional[List[str]]) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


@app.command()
def check(
    paths: Optional[List[str]] = typer.Argument(None, help="Directories or files to check "
                                                "(default: /etc/apache2, /etc/httpd, /etc/uwsgi, /etc/*/*uwsgi*.ini)."),
    root: Optional[str] = typer.Option(None, "--root", help="Treat DIR as / (a rendered tree or image); "
                                       "nothing outside it is read."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output format: text, json, concise."),
    fail_on: str = typer.Option("warning", "--fail-on", help="Exit 1 when a finding is at or above this "
                                "severity: error, warning, info, never."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rules (ids, names, "
                                               "prefixes such as WSG4; comma-separated)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these rules."),
    define: Optional[List[str]] = typer.Option(None, "--define", "-D", help="An httpd -D define: NAME or "
                                               "NAME=VALUE (repeatable)."),
    httpd_version: Optional[str] = typer.Option(None, "--httpd-version", help="Target Apache httpd version."),
    uwsgi_version: Optional[str] = typer.Option(None, "--uwsgi-version", help="Target uWSGI version."),
    openstack_release: Optional[str] = typer.Option(None, "--openstack-release",
                                                    help="Target OpenStack release (2025.1, epoxy, queens...)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Force colour on or off "
                                         "(default: on for terminals, off with NO_COLOR)."),
) -> None:
    """Check a deployment and report its caveats."""
    from wsgilint import discover, engine, knowledge, pipeline, registry, report

    if fail_on not in FAIL_ON:
        _die(f"--fail-on must be one of {', '.join(FAIL_ON)} (got {fail_on!r})")
    try:
        renderer = report.get(fmt)
    except ValueError as exc:
        _die(str(exc))
    try:
        selected = registry.select(_split(select)) if select else None
        ignored = registry.select(_split(ignore)) if ignore else set()
    except ValueError as exc:
        _die(str(exc))
    defines: dict[str, str] = {}
    for d in define or []:
        name, _, value = d.partition("=")
        if not name:
            _die(f"--define needs NAME or NAME=VALUE (got {d!r})")
        defines[name] = value
    base = knowledge.Targets()
    try:
        targets = knowledge.Targets(
            httpd=httpd_version or base.httpd,
            uwsgi=uwsgi_version or base.uwsgi,
            openstack=knowledge.normalize_release(openstack_release) if openstack_release else base.openstack,
        )
        knowledge.parse_version(targets.httpd)
        knowledge.parse_version(targets.uwsgi)
    except ValueError as exc:
        _die(str(exc))
    if root is not None and not os.path.isdir(root):
        _die(f"--root {root}: not a directory")
    opts = pipeline.CheckOptions(paths=list(paths or []), root=root, defines=defines, targets=targets,
                                 engine=engine.EngineOptions(selected=selected, ignored=ignored))
    try:
        result = pipeline.run(opts)
    except discover.UsageError as exc:
        _die(str(exc))
    except pipeline.NothingRead as exc:
        _die(str(exc))

    if color is None and os.environ.get("NO_COLOR"):
        color = False
    if output:
        import io

        buf = io.StringIO()
        renderer(result, buf, color=False, fail_on=fail_on)
        _write_atomic(output, buf.getvalue())
    else:
        renderer(result, sys.stdout, color=color, fail_on=fail_on)
    if fail_on == "never":
        raise typer.Exit(0)
    from wsgilint.findings import Severity

    threshold = Severity.parse(fail_on)
    raise typer.Exit(1 if any(f.severity >= threshold for f in result.findings) else 0)


def _write_atomic(path: str, text: str) -> None:
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".wsgilint-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@app.command("rules")
def rules_cmd(
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List every rule."""
    from wsgilint import registry

    rules = registry.all_rules()
    if fmt == "json":
        import json

        typer.echo(json.dumps([{
            "id": r.id, "name": r.name, "severity": r.severity.label, "summary": r.summary,
            "fix": r.fix, "references": list(r.references),
        } for r in rules], indent=2))
        return
    if fmt != "text":
        _die(f"unknown format {fmt!r} (expected text or json)")
    for r in rules:
        typer.echo(f"{r.id}  {r.name:<34} {r.severity.label:<8} {r.summary}")


@app.command("rule")
def rule_cmd(key: str = typer.Argument(..., help="Rule id (WSG201) or name (modwsgi-chunked-request-off).")) -> None:
    """Show one rule's documentation."""
    from wsgilint import registry

    r = registry.lookup(key)
    if r is None:
        _die(f"unknown rule {key!r} (see `wsgilint rules`)")
    typer.echo(f"# {r.id} {r.name} ({r.severity.label})\n")
    typer.echo(f"{r.summary}\n")
    typer.echo((r.docs or "").strip())
    typer.echo(f"\n## Fix\n{r.fix}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
