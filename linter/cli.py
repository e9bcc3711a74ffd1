"""Command-line interface. Imports only typer and the standard library at start-up.

No ``from __future__ import annotations`` here: typer would then compile each of the
commands' ~60 string annotations at every start (~2 ms).
"""

import gc
import os
import sys
from typing import List, Optional

# The cyclic GC ran 16 times while typer and click imported (~2.5 ms of a ~0.1 s
# pre-commit run) and freed nothing: off for that import, back on after it.
_gc_was_enabled = gc.isenabled()
gc.disable()
try:
    import typer
finally:
    if _gc_was_enabled:
        gc.enable()

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
                                                "(default: /etc/apache2, /etc/httpd, /etc/uwsgi, /etc/*/*uwsgi*.ini); "
                                                "`-` reads one file from stdin (see --stdin-filename)."),
    root: Optional[str] = typer.Option(None, "--root", help="Treat DIR as / (a rendered tree or image); "
                                       "nothing outside it is read."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output format: text, json, concise, sarif, "
                            "github, gitlab."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 when a finding is at or above this "
                                          "severity: error, warning, info, never (default: warning)."),
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
    config_file: Optional[str] = typer.Option(None, "--config", help="Read settings from FILE instead of the "
                                              ".wsgilint.toml / pyproject.toml [tool.wsgilint] found upward."),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore configuration files."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", help="Rules to add to the "
                                                      "selection."),
    statistics: bool = typer.Option(False, "--statistics", help="Print the number of findings per rule "
                                    "instead of the findings."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", help="The name of the file read "
                                                 "from `-` (its name decides the format)."),
    no_ignore_comments: bool = typer.Option(False, "--no-ignore-comments", help="Report findings that "
                                            "`# wsgilint: ignore[...]` comments silence."),
    baseline_file: Optional[str] = typer.Option(None, "--baseline", help="Report only findings not recorded "
                                                "in this baseline FILE."),
    create_baseline: Optional[str] = typer.Option(None, "--create-baseline", help="Record today's findings "
                                                  "in FILE and exit 0."),
    limit: Optional[List[str]] = typer.Option(None, "--limit", help="Raise or lower a safety limit: NAME=NUMBER "
                                              "with NAME one of max-files, max-file-bytes, max-depth, "
                                              "max-line-length, max-lines, max-glob-matches, max-expansion "
                                              "(repeatable)."),
) -> None:
    """Check a deployment and report its caveats."""
    import gc

    # A one-shot process: every object built stays alive until exit, so the cyclic
    # collector only rescans the heap (it was >1 s of a 10k-vhost check). See pipeline.run.
    gc.disable()
    from wsgilint import config as config_mod
    from wsgilint import discover, engine, knowledge, pipeline, registry, report
    from wsgilint.findings import Severity

    cwd = os.getcwd()
    try:
        cfg = config_mod.Config() if isolated else config_mod.load(config_file, cwd=cwd)
    except config_mod.ConfigError as exc:
        _die(str(exc))
    fail_on = fail_on or cfg.fail_on or "warning"
    if fail_on not in FAIL_ON:
        _die(f"--fail-on must be one of {', '.join(FAIL_ON)} (got {fail_on!r})")
    try:
        renderer = report.get(fmt)
    except ValueError as exc:
        _die(str(exc))
    try:
        sel_codes = _split(select) if select else cfg.select
        selected = registry.select(sel_codes) if sel_codes is not None else None
        # --select on the command line replaces the file's select *and* extend-select (ruff's layering).
        extra = registry.select(_split(extend_select) if extend_select else [] if select else cfg.extend_select)
        if selected is not None:
            selected |= extra
        ignored = registry.select(_split(ignore) if ignore else cfg.ignore)
    except ValueError as exc:
        _die(str(exc))
    defines: dict[str, str] = dict(cfg.defines)
    for d in define or []:
        name, _, value = d.partition("=")
        if not name:
            _die(f"--define needs NAME or NAME=VALUE (got {d!r})")
        defines[name] = value
    base = knowledge.Targets()
    release = openstack_release or cfg.openstack_release
    try:
        targets = knowledge.Targets(
            httpd=httpd_version or cfg.httpd_version or base.httpd,
            uwsgi=uwsgi_version or cfg.uwsgi_version or base.uwsgi,
            openstack=knowledge.normalize_release(release) if release else base.openstack,
        )
        knowledge.parse_version(targets.httpd)
        knowledge.parse_version(targets.uwsgi)
    except ValueError as exc:
        _die(str(exc))
    root = root or cfg.root
    if root is not None and not os.path.isdir(root):
        _die(f"--root {root}: not a directory")
    if baseline_file and create_baseline:
        _die("--baseline and --create-baseline cannot be used together")
    severity = {rid: Severity.parse(level) for rid, level in cfg.severity.items()}
    eng = engine.EngineOptions(selected=selected, ignored=ignored, severity_overrides=severity)
    path_list = list(paths or [])
    stdin_dir = None
    if "-" in path_list:
        if path_list != ["-"]:
            _die("`-` (stdin) cannot be combined with other paths")
        if root is not None:
            _die("`-` (stdin) cannot be combined with --root")
        stdin_dir, path_list = _stdin_tree(stdin_filename or "stdin.conf")
    elif stdin_filename:
        _die("--stdin-filename needs `-` as the path")
    opts = pipeline.CheckOptions(paths=path_list, root=root, defines=defines, targets=targets, engine=eng,
                                 ignore_comments=not no_ignore_comments,
                                 cwd=stdin_dir.name if stdin_dir is not None else None)
    progress = _Progress() if sys.stderr.isatty() else None
    opts.progress = progress
    try:
        opts.limits = opts.limits.with_overrides(_split(limit))
    except ValueError as exc:
        _die(str(exc))
    try:
        result = pipeline.run(opts)
    except discover.UsageError as exc:
        _die(str(exc))
    except pipeline.NothingRead as exc:
        _die(str(exc))
    finally:
        if progress is not None:
            progress.done()
        if stdin_dir is not None:
            stdin_dir.cleanup()
    if stdin_dir is not None:
        _rename_stdin(result, path_list[0], stdin_filename or "-")
    if cfg.per_file_ignores:
        result.findings = [f for f in result.findings if f.rule.id not in
                           config_mod.ignored_by_path(cfg, f.path, cwd=cwd, root=root)]

    if create_baseline or baseline_file or fmt in ("sarif", "gitlab"):
        from wsgilint import context

        context.annotate(result.findings)
    if create_baseline:
        import json

        from wsgilint import baseline

        doc = baseline.dump(result.findings, create_baseline, cwd=cwd)
        _write_atomic(create_baseline, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        typer.echo(f"wsgilint: recorded {len(result.findings)} finding(s) in {create_baseline}", err=True)
        raise typer.Exit(0)
    if baseline_file:
        from wsgilint import baseline

        try:
            keys = baseline.load(baseline_file)
        except baseline.BaselineError as exc:
            _die(str(exc))
        result.findings, fixed = baseline.filter_new(result.findings, keys, baseline_file, cwd=cwd)
        if fixed:
            typer.echo(f"wsgilint: {fixed} baseline entr{'ies' if fixed != 1 else 'y'} no longer found "
                       f"(fixed?); recreate the baseline to drop {'them' if fixed != 1 else 'it'}", err=True)

    if color is None and os.environ.get("NO_COLOR"):
        color = False
    if statistics:
        renderer = _statistics_renderer(fmt)
    if output:
        import io

        buf = io.StringIO()
        renderer(result, buf, color=False, fail_on=fail_on)
        _write_atomic(output, buf.getvalue())
    else:
        renderer(result, sys.stdout, color=color, fail_on=fail_on)
    if fail_on == "never":
        raise typer.Exit(0)
    threshold = Severity.parse(fail_on)
    raise typer.Exit(1 if any(f.severity >= threshold for f in result.findings) else 0)


def _stdin_tree(name: str):
    """Copy stdin into a private temporary tree at ``name`` (relative) so discovery sees its name."""
    import posixpath
    import tempfile

    rel = posixpath.normpath(name.replace(os.sep, "/")).lstrip("/")
    if rel in ("", ".") or rel.startswith(".."):
        _die(f"--stdin-filename {name!r} must name a file")
    data = sys.stdin.buffer.read()
    tmp = tempfile.TemporaryDirectory(prefix="wsgilint-stdin-")
    target = os.path.join(tmp.name, rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as fh:
        fh.write(data)
    return tmp, [rel]


def _rename_stdin(result, shown: str, name: str) -> None:
    """Findings on the temporary copy are reported under the name the user gave."""
    for f in result.findings:
        if f.path == shown:
            f.path = name
    result.files = [(name if p == shown else p, k) for p, k in result.files]


def _statistics_renderer(fmt: str):
    def render(result, stream, **_: object) -> None:
        from collections import Counter

        counts = Counter((f.rule.id, f.rule.name, f.severity.label) for f in result.findings)
        rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
        if fmt == "json":
            import json

            stream.write(json.dumps([{"rule": r, "name": n, "severity": s, "count": c}
                                     for (r, n, s), c in rows], indent=2) + "\n")
            return
        for (rid, name, sev), count in rows:
            stream.write(f"{count:>5}\t{rid}\t{name}\t[{sev}]\n")

    return render


class _Progress:
    """'reading N files' on stderr (a terminal only), once a tree passes a few hundred files."""

    THRESHOLD = 300

    def __init__(self) -> None:
        self.count = 0
        self.shown = False

    def __call__(self, _path: str) -> None:
        self.count += 1
        if self.count >= self.THRESHOLD and self.count % 100 == 0:
            sys.stderr.write(f"\rwsgilint: read {self.count} files...")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


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
    """The process entry point (console script and ``python -m wsgilint``)."""
    # The process ends in _exit (no teardown): a collection would free nothing it needs.
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        _exit(exc.code)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the last resort: never a traceback
        sys.stderr.write(f"wsgilint: internal error: {type(exc).__name__}: {_one_line(exc)}\n")
        _exit(2)


def _exit(code: object) -> None:
    """End the process now: flush the output, then skip the interpreter's teardown.

    Everything a check built is garbage at this point, and Python's shutdown would
    free it object by object after a collection that traverses all of it: ~1 s on the
    10k-vhost tree, as long as httpd -t takes for the whole tree (bench/README.md).
    Nothing is left to run at exit (reports are written and flushed, --output is
    already renamed into place), so the OS reclaims the memory instead. Only here, in
    the process entry point: in-process callers of ``app`` get a normal SystemExit.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or a closed stream
            pass
    os._exit(status)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")


if __name__ == "__main__":
    main()
