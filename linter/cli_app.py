"""The typer application: every command, its options and their help.

wsgilint.cli imports this only when its fast path does not take the command line
(``wsgilint --help``, ``wsgilint rules``, an option it does not know, ...): typer and
click cost ~30 ms to import, a third of a small pre-commit check. The ``check``
command's work is ``wsgilint.check_cmd.run_check``, shared by both paths.

No ``from __future__ import annotations`` here: typer would then compile each of the
commands' ~60 string annotations at every start (~2 ms).
"""

import gc
from typing import List, Optional

# The cyclic GC ran 16 times while typer and click imported (~2.5 ms) and freed
# nothing: off for that import, back on after it.
_gc_was_enabled = gc.isenabled()
gc.disable()
try:
    import typer
finally:
    if _gc_was_enabled:
        gc.enable()

from wsgilint import __version__
from wsgilint.check_cmd import _die, run_check

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain click help: typer's rich panels print every argument's type as `<str>` (and a
    # counted flag's as `<int>`) whatever its metavar; click shows the metavars (DIR, FILE, ...).
    rich_markup_mode=None,
    # -h as well as --help, as ruff, hadolint, shellcheck and ansible-lint take it.
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Lint Apache httpd, uWSGI and nginx deployments of WSGI services (OpenStack and others).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wsgilint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """wsgilint: deployment compatibility linter for WSGI services."""


@app.command()
def check(
    paths: Optional[List[str]] = typer.Argument(None, metavar="[PATH]...", help="Directories or files to check "
                                                "(default: /etc/apache2, /etc/httpd, /etc/nginx, /etc/uwsgi, /etc/uwsgi.d, /etc/*/*uwsgi*.ini); "
                                                "`-` reads one file from stdin (see --stdin-filename)."),
    root: Optional[str] = typer.Option(None, "--root", metavar="DIR", help="Treat DIR as / (a rendered tree or image); "
                                       "nothing outside it is read."),
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="Output format: text, json, concise, sarif, "
                            "github, gitlab, junit."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="SEVERITY", help="Exit 1 when a finding is at or above this "
                                          "severity: error, warning, info, never (default: warning)."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="IDS", help="Only these rules (ids, names, "
                                               "prefixes such as WSG4; comma-separated)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="IDS", help="Skip these rules."),
    define: Optional[List[str]] = typer.Option(None, "--define", "-D", metavar="NAME[=VALUE]", help="An httpd -D define: NAME or "
                                               "NAME=VALUE (repeatable)."),
    httpd_version: Optional[str] = typer.Option(None, "--httpd-version", metavar="VERSION", help="Apache httpd version deployed "
                                                "(default: read from the tree, else unknown)."),
    uwsgi_version: Optional[str] = typer.Option(None, "--uwsgi-version", metavar="VERSION", help="uWSGI version deployed "
                                                "(default: read from the tree, else unknown)."),
    openstack_release: Optional[str] = typer.Option(None, "--openstack-release", metavar="RELEASE",
                                                    help="OpenStack release deployed (2025.1, epoxy, queens...; "
                                                    "default: each service's version read from the tree, else unknown)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Force colour on or off "
                                         "(default: on for terminals, off with NO_COLOR)."),
    config_file: Optional[str] = typer.Option(None, "--config", metavar="FILE", help="Read settings from FILE instead of the "
                                              ".wsgilint.toml / pyproject.toml [tool.wsgilint] found upward."),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore configuration files."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", metavar="IDS", help="Rules to add to the "
                                                      "selection."),
    statistics: bool = typer.Option(False, "--statistics", help="Print the number of findings per rule "
                                    "instead of the findings."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", metavar="PATH", help="The name of the file read "
                                                 "from `-` (its name decides the format)."),
    no_ignore_comments: bool = typer.Option(False, "--no-ignore-comments", help="Report findings that "
                                            "`# wsgilint: ignore[...]` comments silence."),
    baseline_file: Optional[str] = typer.Option(None, "--baseline", metavar="FILE", help="Report only findings not recorded "
                                                "in this baseline FILE."),
    create_baseline: Optional[str] = typer.Option(None, "--create-baseline", metavar="FILE", help="Record today's findings "
                                                  "in FILE and exit 0."),
    limit: Optional[List[str]] = typer.Option(None, "--limit", metavar="NAME=NUMBER", help="Raise or lower a safety limit: NAME=NUMBER "
                                              "with NAME one of max-files, max-file-bytes, max-depth, "
                                              "max-line-length, max-lines, max-glob-matches, max-expansion "
                                              "(repeatable)."),
    nginx_version: Optional[str] = typer.Option(None, "--nginx-version", metavar="VERSION", help="nginx version deployed "
                                                "(default: read from the tree, else unknown)."),
    show_settings: bool = typer.Option(False, "--show-settings", help="Print the versions the check judges "
                                       "against (given, from the config file, or detected in the tree) "
                                       "with their sources, and exit."),
    show_files: bool = typer.Option(False, "--show-files", help="List every file the check read, skipped, "
                                    "could not read, did not find or did not read because it lies outside "
                                    "the checked paths, with why, and exit 0."),
    quiet: int = typer.Option(0, "--quiet", "-q", count=True, show_default=False, help="-q: print the findings only (no summary, "
                              "no notes); -qq: print nothing (the exit status tells)."),
    file_path_in_report: Optional[str] = typer.Option(None, "--file-path-in-report", metavar="PATH",
                                                      help="The real path of the one FILE checked under a "
                                                      "temporary name (Ansible `validate:`, Puppet "
                                                      "`validate_cmd`): findings name PATH, and PATH's name "
                                                      "decides the format."),
    fix: bool = typer.Option(False, "--fix", help="Apply the safe fixes of the findings to the files "
                             "(atomically, inside the tree), then report what remains."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff and write nothing "
                              "(exit 1 when there is one)."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="With --fix or --diff: apply the unsafe "
                                      "fixes too (they change behaviour beyond the finding)."),
) -> None:
    """Check a deployment and report its caveats."""
    run_check(
        paths=paths, root=root, fmt=fmt, fail_on=fail_on, select=select, ignore=ignore, define=define,
        httpd_version=httpd_version, uwsgi_version=uwsgi_version, openstack_release=openstack_release,
        output=output, color=color, config_file=config_file, isolated=isolated,
        extend_select=extend_select, statistics=statistics, stdin_filename=stdin_filename,
        no_ignore_comments=no_ignore_comments, baseline_file=baseline_file,
        create_baseline=create_baseline, limit=limit, nginx_version=nginx_version, show_settings=show_settings,
        quiet=quiet, file_path_in_report=file_path_in_report, fix=fix, diff=diff, unsafe_fixes=unsafe_fixes,
        show_files=show_files,
    )


@app.command("map")
def map_cmd(
    paths: Optional[List[str]] = typer.Argument(None, help="Directories or files to map (as for check)."),
    root: Optional[str] = typer.Option(None, "--root", help="Treat DIR as / (a rendered tree or image); "
                                       "nothing outside it is read."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output format: text, mermaid, dot, json."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the map to FILE."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Force colour on or off "
                                         "(default: on for terminals, off with NO_COLOR)."),
    config_file: Optional[str] = typer.Option(None, "--config", help="Read settings from FILE."),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore configuration files."),
) -> None:
    """Show the deployment: front ends -> routes -> backends -> apps, with findings per node."""
    from wsgilint.report.map_cli import run_map

    run_map(paths=paths, root=root, fmt=fmt, output=output, color=color, config_file=config_file,
            isolated=isolated)


@app.command("rules")
def rules_cmd(
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
) -> None:
    """List every rule."""
    from wsgilint import registry

    rules = registry.all_rules()
    if fmt == "json":
        import json

        typer.echo(json.dumps([{
            "id": r.id, "name": r.name, "severity": r.severity.label, "summary": r.summary,
            "fix": r.fix, "references": list(r.references), "fixable": r.fixable,
        } for r in rules], indent=2))
        return
    if fmt != "text":
        _die(f"unknown format {fmt!r} (expected text or json)")
    for r in rules:
        can = {"safe": "  [fix]", "unsafe": "  [unsafe fix]"}.get(r.fixable or "", "")
        typer.echo(f"{r.id}  {r.name:<34} {r.severity.label:<8} {r.summary}{can}")


@app.command("rule")
def rule_cmd(key: str = typer.Argument(..., metavar="ID", help="Rule id (WSG201) or name (modwsgi-chunked-request-off).")) -> None:
    """Show one rule's documentation."""
    from wsgilint import registry

    r = registry.lookup(key)
    if r is None:
        from wsgilint.check_cmd import unknown_rule_message

        _die(unknown_rule_message(key))
    typer.echo(f"# {r.id} {r.name} ({r.severity.label})\n")
    typer.echo(f"{r.summary}\n")
    typer.echo((r.docs or "").strip())
    typer.echo(f"\n## Fix\n{r.fix}")
    if r.fixable:
        typer.echo(f"\n`wsgilint check --fix{'' if r.fixable == 'safe' else ' --unsafe-fixes'}` applies it.")
