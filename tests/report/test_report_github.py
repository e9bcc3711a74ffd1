"""GitHub workflow-command annotations: one well-formed command per finding, escaped as the runner expects."""

from __future__ import annotations

import re

from _reportlib import GOLDEN, GOLDEN_RULES
from conftest import PROJECT
from test_cli import run

# The runner's syntax: ::command key=value,key=value::data (properties escape % \r \n : ,; data % \r \n).
COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:\r\n]*)(?:,[a-zA-Z]+=[^,:\r\n]*)*)::([^\r\n]*)$")


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
