"""CLI habits users bring from ruff, hadolint and shellcheck (issue 16 item 7).

`-h` and `-V`, metavars instead of `<str>`, did-you-mean for a misspelled rule or option,
`-q`/`-qq`, and `--file-path-in-report` for a file checked under a temporary name (Ansible
`validate: wsgilint check %s`, Puppet `validate_cmd`). Every case runs the real entry point
in a subprocess, on the fast path and on typer's path where both can take the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from wsgilint import cli, report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "fixtures" / "example")
GLANCE_VHOST = ROOT / "fixtures" / "example" / "etc" / "apache2" / "sites-enabled" / "glance-api.conf"
REAL_PATH = "/etc/apache2/sites-enabled/glance-api.conf"
TYPER_PATH = ("import sys\nfrom wsgilint import cli\nsys.argv = ['wsgilint', *sys.argv[1:]]\n"
              "cli.main(fast=False)\n")


def _run(argv, cwd, typer_path=False, stdin=None):
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    env["COLUMNS"] = "100"
    head = [sys.executable, "-c", TYPER_PATH] if typer_path else [sys.executable, "-m", "wsgilint"]
    return subprocess.run([*head, *argv], capture_output=True, text=True, cwd=cwd, env=env, input=stdin,
                          timeout=120)


# -- -h, -V, metavars ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["-h"], ["check", "-h"], ["rules", "-h"], ["rule", "-h"]])
def test_dash_h_is_help(argv, tmp_path):
    short, long = _run(argv, tmp_path), _run([*argv[:-1], "--help"], tmp_path)
    assert short.returncode == 0 and short.stdout.startswith("Usage:"), short.stderr
    assert (short.stdout, short.stderr) == (long.stdout, long.stderr)


def test_dash_capital_v_is_version(tmp_path):
    from wsgilint import __version__

    short, long = _run(["-V"], tmp_path), _run(["--version"], tmp_path)
    assert short.returncode == 0 and short.stdout == long.stdout == f"wsgilint {__version__}\n"


def test_help_shows_metavars_not_types(tmp_path):
    out = _run(["check", "-h"], tmp_path).stdout
    assert "<str>" not in out and "<int>" not in out and "TEXT" not in out, out
    for shown in ("--root DIR", "--format FORMAT", "--output FILE", "--select IDS", "--config FILE",
                  "--httpd-version VERSION", "--fail-on SEVERITY", "--file-path-in-report PATH", "-q, --quiet",
                  "/etc/nginx"):
        assert shown in out, shown
    assert "rule [OPTIONS] {ID}" in _run(["rule", "-h"], tmp_path).stdout


# -- did you mean ------------------------------------------------------------------------------

@pytest.mark.parametrize("argv,meant", [
    (["rule", "proxy-uwsgi"], "proxy-uwsgi-chunked-upload"),
    (["rule", "modwsgi-chunked-request"], "modwsgi-chunked-request-off"),
    (["check", "--select", "proxy-uwsgi", EXAMPLE], "proxy-uwsgi-chunked-upload"),
    (["check", "--ignore", "WSG4,uwsgi-harakri-short", EXAMPLE], "uwsgi-harakiri-short"),
    (["check", "--extend-select", "site-not-enabeld", EXAMPLE], "site-not-enabled"),
    (["check", "--select", "WSG1O1", EXAMPLE], "WSG101"),
])
def test_misspelled_rule_gets_a_suggestion(argv, meant, tmp_path):
    for typer_path in (False, True):
        proc = _run(argv, tmp_path, typer_path=typer_path)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        assert "did you mean" in proc.stderr and meant in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_nothing_like_it_gets_no_suggestion(tmp_path):
    proc = _run(["rule", "zzzzzz"], tmp_path)
    assert proc.returncode == 2 and "did you mean" not in proc.stderr and "unknown rule 'zzzzzz'" in proc.stderr


def test_misspelled_option_gets_a_suggestion(tmp_path):
    proc = _run(["check", "--fial-on", "error", EXAMPLE], tmp_path)
    assert proc.returncode == 2 and "No such option: --fial-on" in proc.stderr and "--fail-on" in proc.stderr


# -- --quiet ------------------------------------------------------------------------------------

def test_quiet_prints_findings_without_summary(tmp_path):
    loud = _run(["check", EXAMPLE], tmp_path)
    for argv in (["-q"], ["--quiet"]):
        for typer_path in (False, True):
            quiet = _run(["check", *argv, EXAMPLE], tmp_path, typer_path=typer_path)
            assert quiet.returncode == loud.returncode == 1
            assert "Found " in loud.stdout and "Found " not in quiet.stdout
            assert "error WSG401" in quiet.stdout
            # the same findings, only the summary (and skipped-file notes) gone
            assert loud.stdout.startswith(quiet.stdout.rstrip("\n")), quiet.stdout[-300:]


def test_quiet_on_a_clean_tree_prints_nothing(tmp_path):
    site = tmp_path / "site.conf"
    site.write_text("<VirtualHost *:80>\n    ServerName a.example.org\n</VirtualHost>\n")
    loud = _run(["check", "--isolated", str(site)], tmp_path)
    quiet = _run(["check", "--isolated", "-q", str(site)], tmp_path)
    assert loud.returncode == quiet.returncode == 0, loud.stdout
    assert "No problems found" in loud.stdout and quiet.stdout == ""


@pytest.mark.parametrize("argv", [["-qq"], ["-q", "-q"], ["--quiet", "-q"]])
def test_qq_prints_nothing_and_keeps_the_exit_status(argv, tmp_path):
    assert cli._fast_check_args(["check", *argv, EXAMPLE])["quiet"] == 2
    for typer_path in (False, True):
        proc = _run(["check", *argv, "-f", "json", EXAMPLE], tmp_path, typer_path=typer_path)
        assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "")


def test_qq_still_writes_the_output_file_it_was_asked_for(tmp_path):
    proc = _run(["check", "-qq", "-f", "json", "-o", "r.json", EXAMPLE], tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "")
    assert json.loads((tmp_path / "r.json").read_text())["findings"]


def test_quiet_silences_the_baseline_note(tmp_path):
    loud = _run(["check", "--create-baseline", "b.json", EXAMPLE], tmp_path)
    quiet = _run(["check", "-q", "--create-baseline", "c.json", EXAMPLE], tmp_path)
    assert "recorded" in loud.stderr and quiet.stderr == "" and quiet.returncode == 0
    assert json.loads((tmp_path / "c.json").read_text()) == json.loads((tmp_path / "b.json").read_text())


# -- --file-path-in-report -----------------------------------------------------------------------

def _ansible_temp(directory: Path) -> str:
    """What Ansible's template/copy `validate:` does: the rendered file under a temporary name."""
    fd, name = tempfile.mkstemp(prefix="tmp", dir=directory)  # e.g. /tmp/tmpab12cd, no suffix
    with os.fdopen(fd, "wb") as fh:
        fh.write(GLANCE_VHOST.read_bytes())
    return name


@pytest.mark.parametrize("fmt", sorted(report.FORMATS))
def test_file_path_in_report_names_the_real_path_in_every_format(fmt, tmp_path):
    temp = _ansible_temp(tmp_path)
    base = os.path.basename(temp)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for typer_path in (False, True):
        proc = _run(["check", "--isolated", "-f", fmt, "--file-path-in-report", REAL_PATH, temp], cwd,
                    typer_path=typer_path)
        assert proc.returncode == 1, proc.stderr  # the glance vhost has warnings
        assert REAL_PATH in proc.stdout or REAL_PATH.lstrip("/") in proc.stdout, proc.stdout[:800]
        assert base not in proc.stdout and "wsgilint-stdin" not in proc.stdout, proc.stdout[:800]
        assert "Traceback" not in proc.stderr
    # without it, the temporary name is what the report shows
    plain = _run(["check", "--isolated", "-f", fmt, temp], cwd)
    assert base in plain.stdout


def test_file_path_in_report_gives_back_the_service_identity(tmp_path):
    """The real name says glance: WSG401/WSG211 come back that a bare temporary name loses."""
    temp = _ansible_temp(tmp_path)
    named = _run(["check", "--isolated", "-f", "json", "--file-path-in-report", REAL_PATH, temp], tmp_path)
    bare = _run(["check", "--isolated", "-f", "json", temp], tmp_path)
    named_rules = {f["rule"] for f in json.loads(named.stdout)["findings"]}
    bare_rules = {f["rule"] for f in json.loads(bare.stdout)["findings"]}
    assert {"WSG401", "WSG211"} <= named_rules - bare_rules, (named_rules, bare_rules)
    paths = {f["path"] for f in json.loads(named.stdout)["findings"]}
    assert paths == {REAL_PATH}
    assert [f["path"] for f in json.loads(named.stdout)["files"]] == [REAL_PATH]


def test_file_path_in_report_leaves_the_file_alone(tmp_path):
    temp = _ansible_temp(tmp_path)
    before = os.stat(temp)
    _run(["check", "--file-path-in-report", REAL_PATH, temp], tmp_path)
    after = os.stat(temp)
    assert (before.st_mtime_ns, before.st_size, before.st_ino) == (after.st_mtime_ns, after.st_size, after.st_ino)
    assert Path(temp).read_bytes() == GLANCE_VHOST.read_bytes()
    assert sorted(os.listdir(tmp_path)) == [os.path.basename(temp)]


@pytest.mark.parametrize("argv,says", [
    (["--file-path-in-report", REAL_PATH, EXAMPLE], "needs a regular file"),
    (["--file-path-in-report", REAL_PATH, "a.conf", "b.conf"], "exactly one FILE"),
    (["--file-path-in-report", REAL_PATH, "-"], "exactly one FILE"),
    (["--file-path-in-report", REAL_PATH, "--root", EXAMPLE, "x.conf"], "cannot be combined with --root"),
    (["--file-path-in-report", REAL_PATH, "/nonexistent/tmpx"], "/nonexistent/tmpx"),
    (["--file-path-in-report", "..", str(GLANCE_VHOST)], "must name a file"),
])
def test_file_path_in_report_misuse_is_one_line(argv, says, tmp_path):
    for typer_path in (False, True):
        proc = _run(["check", *argv], tmp_path, typer_path=typer_path)
        assert proc.returncode == 2 and says in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
