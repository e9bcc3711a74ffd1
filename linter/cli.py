"""Command-line interface: the process entry point and the ``check`` command's work.

The commands, their options and help are a typer app (wsgilint.cli_app). Importing
typer and click costs ~30 ms, a third of a small pre-commit check, so ``main`` first
tries ``_fast_check_args``: a ``wsgilint check`` command line made only of paths and
options it knows, each spelled as click accepts it, runs ``run_check`` (wsgilint.check_cmd,
which the typer app imports too: cli_app does not import this module) directly. Any
other command line (help, another command, an unknown or oddly spelled option, a
missing value) goes to typer, which runs the same ``run_check`` or reports the error.
tests/test_cli_fastpath.py checks that both paths give the same output and exit code,
and that the fast path's options are typer's (names, defaults, flags, repeatable).
"""

import errno
import gc
import os
import sys

# The check command's work (wsgilint.check_cmd), re-exported: both command-line paths run it.
from wsgilint.check_cmd import FAIL_ON, _die, _echo_err, run_check, unknown_rule_message  # noqa: F401


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
    "--show-settings": ("show_settings", True), "--show-files": ("show_files", True),
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
