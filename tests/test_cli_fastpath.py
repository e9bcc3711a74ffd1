"""The CLI's fast path: a plain `wsgilint check ...` runs without importing typer.

wsgilint.cli reads such a command line itself (``_fast_check_args``) and calls the
same ``run_check`` as the typer command in wsgilint.cli_app. These tests hold the two
paths together: the fast path knows exactly typer's options (names, parameters,
defaults, flags, repeatable ones), gives the same output, files and exit code as typer
on the same command line, leaves to typer whatever it does not fully understand, and
really does not import typer.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wsgilint import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "fixtures" / "example")
# Typer's path, forced: the same entry point with the fast path off.
TYPER_PATH = ("import sys\nfrom wsgilint import cli\nsys.argv = ['wsgilint', *sys.argv[1:]]\n"
              "cli.main(fast=False)\n")


def _check_command():
    import typer

    from wsgilint.cli_app import app

    return typer.main.get_command(app).commands["check"]


def test_fast_path_options_are_typers():
    cmd = _check_command()
    params = {p.name: p for p in cmd.params}
    known: dict[str, tuple] = {}
    for opt, key in cli._VALUE_OPTIONS.items():
        known[opt] = (key, "value")
    for opt, key in cli._LIST_OPTIONS.items():
        known[opt] = (key, "list")
    for opt, (key, value) in cli._FLAG_OPTIONS.items():
        known[opt] = (key, value)
    for opt, key in cli._COUNT_OPTIONS.items():
        known[opt] = (key, "count")
    typer_opts: dict[str, tuple] = {}
    for p in cmd.params:
        if p.param_type_name == "argument":
            continue
        for opt in p.opts:
            typer_opts[opt] = (p.name, "count" if getattr(p, "count", False) else True if p.is_flag
                               else "list" if p.multiple else "value")
        for opt in p.secondary_opts:
            typer_opts[opt] = (p.name, False)
    assert known == typer_opts, "the fast path's options must be exactly the check command's"
    # run_check's defaults are typer's: a command line without an option means the same on both paths.
    sig = inspect.signature(cli.run_check)
    assert list(sig.parameters) == list(params)
    for name, p in params.items():
        assert sig.parameters[name].default == p.default, name


@pytest.mark.parametrize("argv", [
    [],
    ["--version"],
    ["rules"],
    ["check", "--help"],
    ["check", "--", EXAMPLE],
    ["check", "-fjson", EXAMPLE],
    ["check", "-Dname", EXAMPLE],
    ["check", "--color=yes", EXAMPLE],
    ["check", EXAMPLE, "--format"],
    ["check", "--format", "-x", EXAMPLE],
    ["check", "--format=", EXAMPLE],
    ["check", "--output", "-", EXAMPLE],
    ["check", "--bogus", EXAMPLE],
    ["check", "--form", "json", EXAMPLE],
    ["check", "-x", EXAMPLE],
])
def test_what_the_fast_path_leaves_to_typer(argv):
    assert cli._fast_check_args(argv) is None


def test_fast_path_reads_options_as_click_does():
    got = cli._fast_check_args(["check", "a", "--format=json", "-f", "sarif", "b", "--select", "WSG4",
                                "-D", "X=1", "--select=WSG2", "--no-color", "--color", "--isolated", "-",
                                "--limit", "max-files=3"])
    assert got == {"paths": ["a", "b", "-"], "fmt": "sarif", "select": ["WSG4", "WSG2"], "define": ["X=1"],
                   "color": True, "isolated": True, "limit": ["max-files=3"]}
    assert cli._fast_check_args(["check"]) == {}


def _run(cmd, tmp_path, stdin=None):
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    return subprocess.run(cmd, capture_output=True, text=True, input=stdin, cwd=tmp_path, env=env, timeout=120)


CASES = [
    (["check", "--format", "json", EXAMPLE], None),
    (["check", EXAMPLE, "--format=json", "--fail-on", "never"], None),
    (["check", "-f", "concise", EXAMPLE, "--select", "WSG4", "--select", "WSG2"], None),
    (["check", "--format", "sarif", "--ignore", "WSG402,WSG212", EXAMPLE], None),
    (["check", "--no-color", "--statistics", EXAMPLE], None),
    (["check", "--color", "--fail-on=info", EXAMPLE], None),
    (["check", "--format", "nope", EXAMPLE], None),
    (["check", "--fail-on", "sometimes", EXAMPLE], None),
    (["check", "--define", "X=1", "-D", "Y", "--httpd-version", "2.4.41", "--uwsgi-version", "2.0.18",
      EXAMPLE], None),
    (["check", "--openstack-release", "epoxy", "--isolated", "--no-ignore-comments", "-f", "github", EXAMPLE],
     None),
    (["check", "--openstack-release", "not-a-release", EXAMPLE], None),
    (["check", "--limit", "max-files=3", EXAMPLE], None),
    (["check", "--limit", "nonsense", EXAMPLE], None),
    (["check", "--root", EXAMPLE, "-f", "json"], None),
    (["check", "--config", "missing.toml", EXAMPLE], None),
    (["check", "/nonexistent/wsgilint"], None),
    (["check", "-", "--stdin-filename", "glance-uwsgi.ini", "-f", "json"],
     "[uwsgi]\nhttp-socket = 127.0.0.1:60999\nmodule = glance.wsgi.api:application\n"),
    (["check", "--stdin-filename", "x.ini", EXAMPLE], None),
    (["check", "--output", "report.json", "-f", "json", EXAMPLE], None),
    (["check", "--create-baseline", "base.json", EXAMPLE], None),
    (["check", "--baseline", "missing-baseline.json", EXAMPLE], None),
]


@pytest.mark.parametrize("argv,stdin", CASES, ids=[" ".join(a[1:4]) for a, _ in CASES])
def test_fast_path_and_typer_agree(argv, stdin, tmp_path):
    assert cli._fast_check_args(argv) is not None, "this command line should take the fast path"
    cwd = tmp_path / "cwd"  # one working directory for both (SARIF names it)
    cwd.mkdir()
    fast = _run([sys.executable, "-m", "wsgilint", *argv], cwd, stdin)
    fast_files = _take_files(cwd)
    slow = _run([sys.executable, "-c", TYPER_PATH, *argv], cwd, stdin)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert "Traceback" not in fast.stderr and "internal error" not in fast.stderr, fast.stderr
    assert fast_files == _take_files(cwd)  # --output, --create-baseline: same names, same bytes


def _take_files(directory: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(directory.iterdir()):
        out[p.name] = p.read_bytes()
        p.unlink()
    return out


def test_baseline_round_trip_on_the_fast_path(tmp_path):
    """A baseline made and read without typer: nothing new, exit 0."""
    made = _run([sys.executable, "-m", "wsgilint", "check", "--create-baseline", "b.json", EXAMPLE], tmp_path)
    assert made.returncode == 0 and "recorded" in made.stderr, made.stderr
    used = _run([sys.executable, "-m", "wsgilint", "check", "--baseline", "b.json", "-f", "json", EXAMPLE],
                tmp_path)
    import json

    assert used.returncode == 0 and json.loads(used.stdout)["findings"] == [], used.stderr


def _imported(argv, tmp_path):
    proc = _run([sys.executable, "-X", "importtime", "-m", "wsgilint", *argv], tmp_path)
    return {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def test_fast_path_does_not_import_typer(tmp_path):
    fast = _imported(["check", "--format", "json", "--fail-on", "never", EXAMPLE], tmp_path)
    assert "wsgilint.pipeline" in fast, "the check ran"
    assert not {m for m in fast if m.split(".")[0] in ("typer", "click")}, sorted(fast)
    slow = _imported(["check", "-fjson", "--fail-on", "never", EXAMPLE], tmp_path)
    assert "typer" in slow and "wsgilint.pipeline" in slow, "typer read the command line it was left"
