"""GitHub workflow-command annotations: one well-formed command per finding, escaped as the runner expects."""

from __future__ import annotations

import re

import pytest
from _reportlib import GOLDEN, GOLDEN_RULES
from conftest import PROJECT
from test_cli import run

# The runner's syntax: ::command key=value,key=value::data (properties escape % \r \n : ,; data % \r \n).
COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:\r\n]*)(?:,[a-zA-Z]+=[^,:\r\n]*)*)::([^\r\n]*)$")


@pytest.fixture(autouse=True)
def _not_in_a_runner(monkeypatch):
    """Run on GitHub Actions, these tests must neither see nor append to the job's own summary."""
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def _lines(*args):
    proc = run("check", *args, "--format", "github")
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout.splitlines()


def _unescape(value: str) -> str:
    return value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_commands_well_formed_and_complete():
    lines = _lines(str(GOLDEN.relative_to(PROJECT)), "--select", ",".join(GOLDEN_RULES))
    assert len(lines) == 4
    parsed = []
    for line in lines:
        m = COMMAND.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group(2).split(","))
        parsed.append((m.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(m.group(3))))
    by_title = {p["title"]: (cmd, p, msg) for cmd, p, msg in parsed}
    cmd, props, msg = by_title["wsgilint (WSG401)"]
    assert cmd == "error"
    assert props["file"] == "fixtures/report/golden/sites/glance-api.conf"
    assert (props["line"], props["endLine"], props["col"]) == ("7", "7", "9")
    assert msg.startswith("proxy-uwsgi-chunked-upload: ") and "\nFix: " in msg
    cmd, props, _ = by_title["wsgilint (WSG402)"]
    assert cmd == "warning" and (props["line"], props["endLine"]) == ("4", "5")
    assert "col" not in props  # multi-line span: no columns (ruff #22074)


def test_info_is_a_notice():
    lines = _lines("--root", "fixtures/example", "--select", "WSG204")
    assert lines and all(line.startswith("::notice ") for line in lines)


def _annotations(lines):
    out = []
    for line in lines:
        m = COMMAND.match(line)
        assert m, line
        props = {k: _unescape(v) for k, v in (p.split("=", 1) for p in m.group(2).split(","))}
        out.append(props)
    return out


def test_paths_relative_to_github_workspace(tmp_path):
    """Annotations need repository paths: relative to $GITHUB_WORKSPACE, wherever wsgilint runs from."""
    args = ("check", "--root", "fixtures/example", "--format", "github")
    plain = _annotations(run(*args).stdout.splitlines())
    assert plain and all(p["file"].startswith("fixtures/example/etc/") for p in plain)
    # The workspace is the parent of the project: paths gain the project's directory name.
    parent = PROJECT.parent
    moved = _annotations(run(*args, env={"GITHUB_WORKSPACE": str(parent)}).stdout.splitlines())
    assert [p["file"] for p in moved] == [f"{PROJECT.name}/{p['file']}" for p in plain]
    # Run from elsewhere with absolute paths: still relative to the workspace.
    proc = run("check", "--root", str(PROJECT / "fixtures/example"), "--format", "github", cwd=tmp_path,
               env={"GITHUB_WORKSPACE": str(PROJECT)})
    assert [p["file"] for p in _annotations(proc.stdout.splitlines())] == [p["file"] for p in plain]
    # A file outside the workspace keeps its path as reported.
    proc = run(*args, env={"GITHUB_WORKSPACE": str(tmp_path)})
    assert [p["file"] for p in _annotations(proc.stdout.splitlines())] == [p["file"] for p in plain]


def test_annotations_sorted_by_path_line_column_rule():
    from io import StringIO

    from _reportlib import golden_result

    from wsgilint.report import github

    result = golden_result()
    result.findings = list(reversed(result.findings))
    out = StringIO()
    github.render(result, out)
    props = _annotations(out.getvalue().splitlines())
    keys = [(p.get("file", ""), int(p.get("line", 0)), int(p.get("col", 0)), p["title"]) for p in props]
    assert len(keys) == 4 and keys == sorted(keys)
    cli = _annotations(run("check", "--root", "fixtures/example", "--format", "github").stdout.splitlines())
    keys = [(p["file"], int(p["line"]), int(p.get("col", 0)), p["title"]) for p in cli]
    assert len(keys) > 5 and keys == sorted(keys)


def test_step_summary_appended(tmp_path):
    summary = tmp_path / "step_summary.md"
    summary.write_text("# earlier step\n")
    proc = run("check", "--root", "fixtures/example", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1 and proc.stderr == ""
    text = summary.read_text()
    assert text.startswith("# earlier step\n### wsgilint: 13 problems\n")  # appended, not replaced
    assert "| error | 2 |" in text and "| warning | 7 |" in text and "| info | 4 |" in text
    rows = [r for r in text.splitlines() if r.startswith("| ") and " WSG" in r]
    assert len(rows) == 13
    # Markdown is escaped: the pipe inside a ProxyPass target does not split the cell.
    wsg402 = next(r for r in rows if "WSG402" in r)
    assert "unix:/run/uwsgi/glance-api.socket\\|uwsgi:" in wsg402 and wsg402.count(" | ") == 4


def test_step_summary_capped_and_escaped():
    from _reportlib import golden_result

    from wsgilint.report import github

    findings = golden_result().findings * 30  # 120
    text = github.summary(findings)
    rows = [r for r in text.splitlines() if r.startswith("| ") and " WSG" in r]
    assert len(rows) == github.SUMMARY_ROWS
    assert f"{120 - github.SUMMARY_ROWS} more not shown" in text
    f = findings[0]
    f.message = "a <b>|`x`| [l](u) $m$ \x1b[31m"
    row = github.summary([f]).rstrip().splitlines()[-1]
    assert "\\<b\\>\\|\\`x\\`\\| \\[l\\](u) \\$m\\$ \\\\x1b\\[31m" in row


def test_step_summary_never_opens_a_fifo_or_device_and_stays_bounded(tmp_path):
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # no reader: opening it for writing would block
    proc = run("check", "--root", "fixtures/example", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(fifo)})
    assert proc.returncode == 1 and "not a regular file; no summary written" in proc.stderr
    assert proc.stdout.startswith("::")
    missing_file = tmp_path / "absent.md"
    proc = run("check", "--root", "fixtures/example", "--format", "github",
               env={"GITHUB_STEP_SUMMARY": str(missing_file)})
    assert "no summary written" in proc.stderr and not missing_file.exists()  # never created
    full = tmp_path / "full.md"
    full.write_bytes(b"x" * (1024 * 1024 - 100))  # GitHub's 1 MiB per step: ours would not fit
    proc = run("check", "--root", "fixtures/example", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(full)})
    assert "exceed" in proc.stderr and full.stat().st_size == 1024 * 1024 - 100
