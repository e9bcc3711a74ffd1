"""Command-line interface: the process entry point and the ``check`` command's work.

The commands, their options and help are a typer app (wsgilint.cli_app). Importing
typer and click costs ~30 ms, a third of a small pre-commit check, so ``main`` first
tries ``_fast_check_args``: a ``wsgilint check`` command line made only of paths and
options it knows, each spelled as click accepts it, runs ``run_check`` directly. Any
other command line (help, another command, an unknown or oddly spelled option, a
missing value) goes to typer, which runs the same ``run_check`` or reports the error.
tests/test_cli_fastpath.py checks that both paths give the same output and exit code,
and that the fast path's options are typer's (names, defaults, flags, repeatable).
"""

import errno
import gc
import os
import sys

FAIL_ON = ("error", "warning", "info", "never")


def _die(message: str) -> None:
    _echo_err(f"wsgilint: error: {message}")
    raise SystemExit(2)


def _echo_err(message: str) -> None:
    """``typer.echo(message, err=True)``, without importing typer; file names and config values
    in it are shown escaped (wsgilint.report.escape: no raw ESC, bidi or non-UTF-8 byte)."""
    from wsgilint.report.escape import visible

    sys.stderr.write(f"{visible(message)}\n")
    sys.stderr.flush()


def _split(values) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def unknown_rule_message(key: str) -> str:
    """``unknown rule 'X'`` with the rules the user probably meant: names and ids that
    contain what was typed (``proxy-uwsgi``), else the closest spellings (difflib)."""
    import difflib

    from wsgilint import registry

    rules = registry.all_rules()
    typed = key.strip()
    low = typed.lower()
    hits = [r.name for r in rules if low and low in r.name] if len(low) >= 3 else []
    if not hits and low.startswith("wsg"):  # an id typed with O for 0, l or I for 1
        meant = registry.lookup("wsg" + low[3:].translate(str.maketrans("oil", "011")))
        hits = [meant.id] if meant is not None else []
    if not hits:
        names = {r.name: r.name for r in rules}
        names.update({r.id.lower(): r.id for r in rules})
        hits = [names[m] for m in difflib.get_close_matches(low, list(names), n=3, cutoff=0.7)]
    hint = f" (did you mean {', '.join(hits[:3])}?)" if hits else ""
    return f"unknown rule {typed!r}{hint}; see `wsgilint rules`"


def _rule_error(exc: ValueError, given, cfg) -> str:
    """The message for a rule selection registry.select refused, with a suggestion for the
    first code it does not know (command line first, then the config file's lists)."""
    from wsgilint import registry

    codes = [c for values in given for c in _split(values)]
    codes += [c for lst in (cfg.select, cfg.ignore, cfg.extend_select) for c in (lst or [])]
    for code in codes:
        try:
            registry.select([code])
        except ValueError:
            return unknown_rule_message(code)
    return str(exc)


def run_check(paths=None, root=None, fmt="text", fail_on=None, select=None, ignore=None, define=None,
              httpd_version=None, uwsgi_version=None, openstack_release=None, output=None, color=None,
              config_file=None, isolated=False, extend_select=None, statistics=False, stdin_filename=None,
              no_ignore_comments=False, baseline_file=None, create_baseline=None, limit=None,
              nginx_version=None, show_settings=False, quiet=0, file_path_in_report=None, fix=False, diff=False,
              unsafe_fixes=False) -> None:
    """Check a deployment and report its caveats: the ``check`` command's work, for the
    fast path and for wsgilint.cli_app alike. Ends by raising SystemExit with the exit code."""
    # A one-shot process: every object built stays alive until exit, so the cyclic
    # collector only rescans the heap (it was >1 s of a 10k-vhost check). See pipeline.run.
    gc.disable()
    from wsgilint import config as config_mod
    from wsgilint import discover, engine, pipeline, registry, report
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
        _die(_rule_error(exc, [select, ignore, extend_select], cfg))
    defines: dict[str, str] = dict(cfg.defines)
    for d in define or []:
        name, _, value = d.partition("=")
        if not name:
            _die(f"--define needs NAME or NAME=VALUE (got {d!r})")
        defines[name] = value
    try:
        targets = _given_targets(cfg, httpd=httpd_version, uwsgi=uwsgi_version, nginx=nginx_version,
                                 openstack=openstack_release)
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
    if (fix or diff or unsafe_fixes) and ("-" in path_list or file_path_in_report is not None):
        _die("--fix, --diff and --unsafe-fixes edit files in place: not with `-` (stdin) or --file-path-in-report")
    if "-" in path_list:
        if file_path_in_report is not None:
            _die("--file-path-in-report needs exactly one FILE to check (stdin takes --stdin-filename)")
        if path_list != ["-"]:
            _die("`-` (stdin) cannot be combined with other paths")
        if root is not None:
            _die("`-` (stdin) cannot be combined with --root")
        stdin_dir, path_list = _stdin_tree(stdin_filename or "stdin.conf", limit)
    elif stdin_filename:
        _die("--stdin-filename needs `-` as the path")
    elif file_path_in_report is not None:
        stdin_dir, path_list = _report_path_tree(path_list, root, file_path_in_report, limit)
    opts = pipeline.CheckOptions(paths=path_list, root=root, defines=defines, targets=targets, engine=eng,
                                 ignore_comments=not no_ignore_comments, apps=cfg.apps,
                                 cwd=stdin_dir.name if stdin_dir is not None else None)
    progress = _Progress() if sys.stderr.isatty() and not quiet else None
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
        _rename_stdin(result, path_list[0], file_path_in_report or stdin_filename or "-")
    if show_settings:
        _show_settings(result, root, cfg)
        raise SystemExit(0)
    if cfg.per_file_ignores:
        result.findings = [f for f in result.findings if f.rule.id not in
                           config_mod.ignored_by_path(cfg, f.path, cwd=cwd, root=root)]
    if fix or diff or unsafe_fixes:  # wsgilint.fix: the one place wsgilint writes what it reads
        from wsgilint import fix as fix_mod

        def recheck():
            again = pipeline.run(opts)
            if cfg.per_file_ignores:
                again.findings = [f for f in again.findings if f.rule.id not in
                                  config_mod.ignored_by_path(cfg, f.path, cwd=cwd, root=root)]
            return again

        result, status = fix_mod.run(result, recheck, root=root, paths=path_list, cwd=cwd, unsafe=unsafe_fixes,
                                     show_diff=diff, limits=opts.limits,
                                     echo=(lambda m: None) if quiet else _echo_err)
        if status is not None:
            raise SystemExit(status)

    if create_baseline or baseline_file or fmt in ("sarif", "gitlab"):
        from wsgilint import context

        context.annotate(result.findings)
    if create_baseline:
        import json

        from wsgilint import baseline

        doc = baseline.dump(result.findings, create_baseline, cwd=cwd)
        from wsgilint.report.escape import json_text

        _write_output(create_baseline, json_text(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n",
                      "--create-baseline")
        if not quiet:
            _echo_err(f"wsgilint: recorded {len(result.findings)} finding(s) in {create_baseline}")
        raise SystemExit(0)
    if baseline_file:
        from wsgilint import baseline

        try:
            keys = baseline.load(baseline_file)
        except baseline.BaselineError as exc:
            _die(str(exc))
        result.findings, fixed = baseline.filter_new(result.findings, keys, baseline_file, cwd=cwd)
        if fixed and not quiet:
            _echo_err(f"wsgilint: {fixed} baseline entr{'ies' if fixed != 1 else 'y'} no longer found "
                       f"(fixed?); recreate the baseline to drop {'them' if fixed != 1 else 'it'}")

    if color is None and os.environ.get("NO_COLOR"):
        color = False
    if statistics:
        renderer = _statistics_renderer(fmt)
    if output:
        import io

        buf = io.StringIO()
        renderer(result, buf, color=False, fail_on=fail_on, quiet=quiet)
        _write_output(output, buf.getvalue(), "--output")
    elif quiet < 2:  # -qq: nothing printed, the exit status tells
        renderer(result, sys.stdout, color=color, fail_on=fail_on, quiet=quiet)
    if fail_on == "never":
        raise SystemExit(0)
    threshold = Severity.parse(fail_on)
    raise SystemExit(1 if any(f.severity >= threshold for f in result.findings) else 0)


def _given_targets(cfg, **given):
    """The versions the user gave: the command line first, then the config file (wsgilint.targets)."""
    from wsgilint import knowledge
    from wsgilint.targets import COMMAND_LINE, CONFIG, OPTIONS, Target, Targets

    entries = {}
    for comp, value in given.items():
        option = OPTIONS[comp]
        key = option[2:]
        origin, source = COMMAND_LINE, option
        if not value:
            value = getattr(cfg, key.replace("-", "_"), None)
            origin, source = CONFIG, f"{key} in {cfg.path}"
        if not value:
            continue
        if comp == "openstack":
            value = knowledge.normalize_release(value)
        else:
            knowledge.parse_version(value)
        entries[comp] = Target(comp, value, origin, source)
    return Targets(entries)


def _show_settings(result, root, cfg) -> None:
    """--show-settings: the versions the check used, each with its source, and where settings came from."""
    from wsgilint.targets import LABELS, OPTIONS, label

    from wsgilint.report.escape import visible

    out = sys.stdout
    out.write(f"config file: {visible(cfg.path or '(none)')}\n")
    out.write(f"root: {visible(root or '/')}\n")
    out.write("versions (command line > config file > detected in the tree > unknown):\n")
    targets = result.model.targets
    comps = list(LABELS) + sorted(c for c in targets.entries if c not in LABELS)
    for comp in comps:
        t = targets.get(comp)
        if t is None:
            if comp in OPTIONS:
                out.write(f"  {label(comp):<20} unknown (give {OPTIONS[comp]})\n")
            continue
        out.write(f"  {label(comp):<20} {visible(t.value):<12} {t.origin}: {visible(t.source)}\n")
    out.flush()


def _report_path_tree(path_list, root, shown, limit):
    """--file-path-in-report: the one file named is checked as if it were at ``shown``.

    Ansible's ``validate: wsgilint check %s`` and Puppet's ``validate_cmd`` pass a temporary
    file (``/tmp/tmpab12cd``) for what will be /etc/apache2/sites-enabled/glance.conf; the
    file's bytes (read through wsgilint.fsroot, as every input) are placed at that name in a
    private temporary tree, as stdin is for --stdin-filename, so the real name decides the
    format and the service, and the findings name it."""
    from wsgilint import fsroot

    if len(path_list) != 1 or path_list[0] == "-":
        _die("--file-path-in-report needs exactly one FILE to check")
    if root is not None:
        _die("--file-path-in-report cannot be combined with --root")
    if not shown.strip():
        _die("--file-path-in-report needs a PATH")
    fs = fsroot.FileSystem(cwd=os.getcwd())
    try:
        if not fs.is_file(path_list[0]):
            _die(f"{path_list[0]}: --file-path-in-report needs a regular file")
        data = fs.read_bytes(path_list[0])
    except fsroot.ReadError as exc:
        _die(f"{path_list[0]}: {exc}")
    finally:
        fs.close()
    return _stdin_tree(shown, limit, data=data, option="--file-path-in-report")


def _stdin_tree(name: str, limit=None, data=None, option="--stdin-filename"):
    """Copy stdin into a private temporary tree at ``name`` (relative) so discovery sees its name.

    stdin is read to at most max-file-bytes (``--limit max-file-bytes=N``): more is a one-line
    error, exit 2, not a process growing until memory runs out (``yes | wsgilint check -``:
    ../shared/hostile/hang-stdin-unbounded). A name the file system cannot hold (a part over
    NAME_MAX, ../shared/hostile/crash-stdin-filename-long) is one too, and the temporary tree is
    removed whatever happens."""
    import posixpath
    import tempfile

    from wsgilint import readcap
    from wsgilint.limits import DEFAULT

    rel = posixpath.normpath(name.replace(os.sep, "/")).lstrip("/")
    if rel in ("", ".") or rel.startswith(".."):
        _die(f"{option} {name!r} must name a file")
    if any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in rel.split("/")) or len(rel) > 1024:
        _die(f"{option} {name[:80]!r}{'...' if len(name) > 80 else ''}: a name part is over 255 bytes "
             f"or the name over 1024 characters")
    try:
        cap = DEFAULT.with_overrides(_split(limit)).max_file_bytes
    except ValueError as exc:
        _die(str(exc))
    try:
        if data is None:
            data = readcap.read_stream(sys.stdin.buffer, cap)
    except readcap.CapError as exc:
        _die(f"stdin: {exc} (max-file-bytes; raise it with --limit max-file-bytes=N)")
    tmp = tempfile.TemporaryDirectory(prefix="wsgilint-stdin-")
    try:
        target = os.path.join(tmp.name, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        tmp.cleanup()
        _die(f"{option} {name[:80]!r}: cannot hold the file there: {exc.strerror or exc}")
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


def _write_output(path: str, text: str, option: str) -> None:
    """Every file wsgilint writes goes through wsgilint.output (devices and FIFOs written
    through, regular files replaced atomically); a path it cannot write exits 2 with one line."""
    from wsgilint import output

    try:
        output.write_text(path, text, option)
    except output.OutputError as exc:
        _die(str(exc))


# The ``check`` options the fast path takes, as wsgilint.cli_app spells them: option ->
# run_check parameter. Repeatable options collect a list; flags set a value.
_VALUE_OPTIONS = {
    "--root": "root", "--format": "fmt", "-f": "fmt", "--fail-on": "fail_on", "--output": "output",
    "-o": "output", "--httpd-version": "httpd_version", "--uwsgi-version": "uwsgi_version",
    "--openstack-release": "openstack_release", "--config": "config_file", "--stdin-filename": "stdin_filename",
    "--nginx-version": "nginx_version",
    "--baseline": "baseline_file", "--create-baseline": "create_baseline",
    "--file-path-in-report": "file_path_in_report",
}
_LIST_OPTIONS = {
    "--select": "select", "--ignore": "ignore", "--define": "define", "-D": "define",
    "--extend-select": "extend_select", "--limit": "limit",
}
_FLAG_OPTIONS = {
    "--color": ("color", True), "--no-color": ("color", False), "--isolated": ("isolated", True),
    "--statistics": ("statistics", True), "--no-ignore-comments": ("no_ignore_comments", True),
    "--show-settings": ("show_settings", True),
    "--fix": ("fix", True), "--diff": ("diff", True), "--unsafe-fixes": ("unsafe_fixes", True),
}
# Counted flags: each occurrence adds one (``-qq`` is ``-q -q``).
_COUNT_OPTIONS = {"--quiet": "quiet", "-q": "quiet"}


def _fast_check_args(argv: list[str]) -> "dict | None":
    """run_check's arguments for a plain ``check`` command line, or None: typer reads it.

    Taken: paths (``-`` too), ``--opt VALUE``, ``--opt=VALUE``, ``-f VALUE``, flags,
    options after paths, a repeated option (the last one wins; a repeatable one
    collects them all), as click reads them. Left to typer: everything else, among
    them ``--help``, ``--``, ``-fjson``, ``--flag=value``, a missing value, and a
    value that is empty or starts with ``-`` (click's own rules decide those).
    """
    if not argv or argv[0] != "check":
        return None
    out: dict = {}
    paths: list[str] = []
    i, n = 1, len(argv)
    while i < n:
        tok = argv[i]
        i += 1
        if tok == "-" or not tok.startswith("-"):
            paths.append(tok)
            continue
        name, eq, value = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        if tok.startswith("-q") and tok.strip("q") == "-" or name == "--quiet" and not eq:
            out["quiet"] = out.get("quiet", 0) + (1 if name == "--quiet" else len(tok) - 1)
            continue
        flag = _FLAG_OPTIONS.get(name)
        if flag is not None:
            if eq:
                return None
            out[flag[0]] = flag[1]
            continue
        key = _VALUE_OPTIONS.get(name)
        many = key is None
        if many:
            key = _LIST_OPTIONS.get(name)
            if key is None:
                return None
        if not eq:
            if i >= n:
                return None
            value = argv[i]
            i += 1
        if not value or value.startswith("-"):
            return None
        if many:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    if paths:
        out["paths"] = paths
    return out


def __getattr__(name: str):
    if name == "app":  # the typer app (wsgilint.cli_app), imported when first asked for
        from wsgilint.cli_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(fast: bool = True) -> None:
    """The process entry point (console script and ``python -m wsgilint``).

    A ``check`` command line that ``_fast_check_args`` fully understands runs without
    importing typer; any other goes to the typer app (with ``fast=False``, every one).
    """
    # The process ends in _exit (no teardown): a collection would free nothing it needs.
    gc.disable()
    try:
        args = _fast_check_args(sys.argv[1:]) if fast else None
        if args is not None:
            try:
                run_check(**args)
            except OSError as exc:
                if exc.errno != errno.EPIPE:
                    raise
                _exit(1)  # the reader went away (`| head`): quietly, as click does
            except (EOFError, KeyboardInterrupt):
                sys.stderr.write("\nAborted!\n")  # click's words and exit code
                _exit(1)
        else:
            from wsgilint.cli_app import app

            app()
    except SystemExit as exc:
        _exit(exc.code)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the last resort: never a traceback
        from wsgilint.report.escape import visible

        sys.stderr.write(f"wsgilint: internal error: {type(exc).__name__}: {visible(_one_line(exc))}\n")
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
