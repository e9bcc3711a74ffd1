"""The ``check`` command's work, shared by both command-line paths (wsgilint.cli's fast path
and the typer app, wsgilint.cli_app), which import this module and not each other.

``run_check`` is four steps: ``options`` (command line and config file -> pipeline.CheckOptions),
``check`` (pipeline.run, which applies every filter of findings, see pipeline.after_rules),
``write`` (the report, --output, --create-baseline) and ``exit_status``.
"""

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


class Settings:
    """What the command line asks beyond the check itself (what to write, and how)."""

    __slots__ = ("fmt", "fail_on", "output", "color", "statistics", "quiet", "show_settings", "create_baseline",
                 "fix", "diff", "unsafe_fixes", "cfg", "stdin_dir", "renderer", "annotated", "docs_url")

    def __init__(self, **kw) -> None:
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def run_check(paths=None, root=None, fmt="text", fail_on=None, select=None, ignore=None, define=None,
              httpd_version=None, uwsgi_version=None, openstack_release=None, output=None, color=None,
              config_file=None, isolated=False, extend_select=None, statistics=False, stdin_filename=None,
              no_ignore_comments=False, baseline_file=None, create_baseline=None, limit=None,
              nginx_version=None, show_settings=False, show_files=False, quiet=0, file_path_in_report=None, fix=False,
              diff=False, unsafe_fixes=False) -> None:
    """Check a deployment and report its caveats: the ``check`` command's work, for the
    fast path and for wsgilint.cli_app alike. Ends by raising SystemExit with the exit code."""
    # A one-shot process: every object built stays alive until exit, so the cyclic
    # collector only rescans the heap (it was >1 s of a 10k-vhost check). See pipeline.run.
    gc.disable()
    opts, st = options(
        paths=paths, root=root, fmt=fmt, fail_on=fail_on, select=select, ignore=ignore, define=define,
        httpd_version=httpd_version, uwsgi_version=uwsgi_version, openstack_release=openstack_release,
        output=output, color=color, config_file=config_file, isolated=isolated, extend_select=extend_select,
        statistics=statistics, stdin_filename=stdin_filename, no_ignore_comments=no_ignore_comments,
        baseline_file=baseline_file, create_baseline=create_baseline, limit=limit, nginx_version=nginx_version,
        show_settings=show_settings, quiet=quiet, file_path_in_report=file_path_in_report, fix=fix, diff=diff,
        unsafe_fixes=unsafe_fixes)
    result = check(opts, st)
    if show_files:  # every file read, skipped, unreadable, not found or outside, and why; then exit 0
        from wsgilint.inputs import show_files as show

        show(result, sys.stdout)
        raise SystemExit(0)
    write(result, st)
    raise SystemExit(exit_status(result, st.fail_on))


def options(*, paths, root, fmt, fail_on, select, ignore, define, httpd_version, uwsgi_version, openstack_release,
            output, color, config_file, isolated, extend_select, statistics, stdin_filename, no_ignore_comments,
            baseline_file, create_baseline, limit, nginx_version, show_settings, quiet, file_path_in_report, fix,
            diff, unsafe_fixes):
    """The command line and the config file as (pipeline.CheckOptions, Settings); exit 2 on a usage error."""
    from wsgilint import config as config_mod
    from wsgilint import pipeline, report

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
    # Where docs/rules/ is published (SARIF helpUri): the environment wins over the config file.
    docs_url = os.environ.get("WSGILINT_DOCS_URL") or cfg.docs_url
    if docs_url and not docs_url.startswith(("https://", "http://")):
        _die(f"WSGILINT_DOCS_URL must be an http:// or https:// URL (got {docs_url!r})")
    eng = _engine_options(cfg, select, ignore, extend_select)
    defines = _defines(cfg, define)
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
    path_list, stdin_dir = _inputs(list(paths or []), root, stdin_filename, file_path_in_report, limit,
                                   fix or diff or unsafe_fixes)
    shown_as = {path_list[0]: file_path_in_report or stdin_filename or "-"} if stdin_dir is not None else {}
    opts = pipeline.CheckOptions(paths=path_list, root=root, defines=defines, targets=targets, engine=eng,
                                 ignore_comments=not no_ignore_comments, apps=cfg.apps,
                                 cwd=stdin_dir.name if stdin_dir is not None else None,
                                 config=cfg, baseline=baseline_file, shown_as=shown_as, report_cwd=cwd)
    try:
        opts.limits = opts.limits.with_overrides(_split(limit))
    except ValueError as exc:
        if stdin_dir is not None:
            stdin_dir.cleanup()
        _die(str(exc))
    if color is None and os.environ.get("NO_COLOR"):
        color = False
    st = Settings(fmt=fmt, fail_on=fail_on, output=output, color=color, statistics=statistics, quiet=quiet,
                  show_settings=show_settings, create_baseline=create_baseline, fix=fix, diff=diff,
                  unsafe_fixes=unsafe_fixes, cfg=cfg, stdin_dir=stdin_dir, renderer=renderer, docs_url=docs_url)
    return opts, st


def _engine_options(cfg, select, ignore, extend_select):
    """--select/--ignore/--extend-select over the config file's lists, and its severity overrides."""
    from wsgilint import engine, registry
    from wsgilint.findings import Severity

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
    severity = {rid: Severity.parse(level) for rid, level in cfg.severity.items()}
    return engine.EngineOptions(selected=selected, ignored=ignored, severity_overrides=severity)


def _defines(cfg, define) -> dict[str, str]:
    """The config file's defines, then each --define NAME[=VALUE]."""
    defines: dict[str, str] = dict(cfg.defines)
    for d in define or []:
        name, _, value = d.partition("=")
        if not name:
            _die(f"--define needs NAME or NAME=VALUE (got {d!r})")
        defines[name] = value
    return defines


def _inputs(path_list, root, stdin_filename, file_path_in_report, limit, fixing):
    """The paths to check and, for stdin or --file-path-in-report, the private tree holding the file."""
    if fixing and ("-" in path_list or file_path_in_report is not None):
        _die("--fix, --diff and --unsafe-fixes edit files in place: not with `-` (stdin) or --file-path-in-report")
    if "-" in path_list:
        if file_path_in_report is not None:
            _die("--file-path-in-report needs exactly one FILE to check (stdin takes --stdin-filename)")
        if path_list != ["-"]:
            _die("`-` (stdin) cannot be combined with other paths")
        if root is not None:
            _die("`-` (stdin) cannot be combined with --root")
        stdin_dir, path_list = _stdin_tree(stdin_filename or "stdin.conf", limit)
        return path_list, stdin_dir
    if stdin_filename:
        _die("--stdin-filename needs `-` as the path")
    if file_path_in_report is not None:
        stdin_dir, path_list = _report_path_tree(path_list, root, file_path_in_report, limit)
        return path_list, stdin_dir
    return path_list, None


def check(opts, st):
    """pipeline.run (every filter of findings included), or the --fix/--diff passes; exit 2 when
    nothing could be read or the baseline is not one."""
    from wsgilint import baseline, discover, pipeline

    progress = _Progress() if sys.stderr.isatty() and not st.quiet else None
    opts.progress = progress
    fixing = st.fix or st.diff or st.unsafe_fixes
    run_opts = opts
    if fixing or st.show_settings:  # fixes apply to every finding; the baseline filters the final report
        run_opts = pipeline.CheckOptions(**{k: getattr(opts, k) for k in opts._fields})
        run_opts.baseline = None
    try:
        result = pipeline.run(run_opts)
    except (discover.UsageError, pipeline.NothingRead, baseline.BaselineError) as exc:
        _die(str(exc))
    finally:
        if progress is not None:
            progress.done()
        if st.stdin_dir is not None:
            st.stdin_dir.cleanup()
    if not st.quiet:  # "checking DIR as a root: it holds etc/nginx" (wsgilint.inputs.imply_root)
        for note in getattr(result, "notes", ()):
            _echo_err(f"wsgilint: {note}")
    if st.show_settings:
        _show_settings(result, run_opts.root, st.cfg)
        raise SystemExit(0)
    if fixing:  # wsgilint.fix: the one place wsgilint writes what it reads
        from wsgilint import fix as fix_mod

        echo = (lambda m: None) if st.quiet else _echo_err
        result, status = fix_mod.run(result, lambda: pipeline.run(run_opts), root=run_opts.root,
                                     paths=run_opts.paths, cwd=opts.report_cwd, unsafe=st.unsafe_fixes,
                                     show_diff=st.diff, limits=opts.limits, echo=echo)
        if status is not None:
            raise SystemExit(status)
        if opts.baseline:
            try:
                result.findings = pipeline.apply_baseline(result, result.findings, opts)
            except baseline.BaselineError as exc:
                _die(str(exc))
    st.annotated = bool(opts.baseline)  # apply_baseline fingerprinted the findings (wsgilint.context)
    if result.baseline_fixed and not st.quiet:
        fixed = result.baseline_fixed
        _echo_err(f"wsgilint: {fixed} baseline entr{'ies' if fixed != 1 else 'y'} no longer found "
                  f"(fixed?); recreate the baseline to drop {'them' if fixed != 1 else 'it'}")
    return result


def write(result, st) -> None:
    """The report (stdout or --output), or the baseline file (--create-baseline, then exit 0)."""
    if (st.create_baseline or st.fmt in ("sarif", "gitlab")) and not st.annotated:
        from wsgilint import context

        context.annotate(result.findings)
    if st.create_baseline:
        import json

        from wsgilint import baseline
        from wsgilint.report.escape import json_text

        doc = baseline.dump(result.findings, st.create_baseline, cwd=os.getcwd())
        _write_output(st.create_baseline, json_text(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n",
                      "--create-baseline")
        if not st.quiet:
            _echo_err(f"wsgilint: recorded {len(result.findings)} finding(s) in {st.create_baseline}")
        raise SystemExit(0)
    renderer = _statistics_renderer(st.fmt) if st.statistics else st.renderer
    if st.output:
        import io

        buf = io.StringIO()
        renderer(result, buf, color=False, fail_on=st.fail_on, quiet=st.quiet, docs_url=st.docs_url)
        _write_output(st.output, buf.getvalue(), "--output")
    elif st.quiet < 2:  # -qq: nothing printed, the exit status tells
        renderer(result, sys.stdout, color=st.color, fail_on=st.fail_on, quiet=st.quiet, docs_url=st.docs_url)


def exit_status(result, fail_on: str) -> int:
    """0 when no finding is at or above ``fail_on``, else 1."""
    if fail_on == "never":
        return 0
    from wsgilint.findings import Severity

    threshold = Severity.parse(fail_on)
    return 1 if any(f.severity >= threshold for f in result.findings) else 0


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
