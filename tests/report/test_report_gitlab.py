"""GitLab Code Quality: the fields GitLab's MR widget reads, unique fingerprints stable across line moves.

GitLab publishes no JSON Schema file for this artifact; the schema below is its
documented format (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
an array of issues with description, check_name, fingerprint, severity
(info|minor|major|critical|blocker), location.path and location.lines.begin.
"""

from __future__ import annotations

import json
import shutil

from _reportlib import GOLDEN, GOLDEN_RULES
from conftest import PROJECT
from test_cli import run

SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def _report(*args, cwd=PROJECT, env=None):
    proc = run("check", *args, "--format", "gitlab", cwd=cwd, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_documented_format_and_severity_mapping():
    import jsonschema

    issues = _report("--root", "fixtures/example")
    jsonschema.validate(issues, SCHEMA)
    sev = {i["check_name"].split()[0]: i["severity"] for i in issues}
    assert sev["WSG401"] == "critical" and sev["WSG102"] == "major" and sev["WSG204"] == "info"
    fps = [i["fingerprint"] for i in issues]
    assert len(set(fps)) == len(fps)


def test_paths_relative_to_ci_project_dir():
    issues = _report(str(GOLDEN.relative_to(PROJECT)), env={"CI_PROJECT_DIR": str(PROJECT / "fixtures")})
    assert {i["location"]["path"] for i in issues} >= {"report/golden/sites/glance-api.conf"}


def test_fingerprints_stable_across_line_moves_and_unique(tmp_path):
    tree = tmp_path / "golden"
    shutil.copytree(GOLDEN, tree)
    # The same finding twice in one context: salted, not collapsed.
    site = tree / "sites" / "glance-api.conf"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "</VirtualHost>", "    ProxyPass \"/image\" \"unix:/run/uwsgi/glance-api.sock|uwsgi://glance-api/\" "
        "retry=0\n</VirtualHost>"), encoding="utf-8")
    before = _report("golden", "--select", ",".join(GOLDEN_RULES), cwd=tmp_path)
    site.write_text("\n\n\n" + site.read_text(encoding="utf-8"), encoding="utf-8")
    after = _report("golden", "--select", ",".join(GOLDEN_RULES), cwd=tmp_path)
    assert [i["location"]["lines"]["begin"] for i in after] != [i["location"]["lines"]["begin"] for i in before]
    assert sorted(i["fingerprint"] for i in before) == sorted(i["fingerprint"] for i in after)
    fps = [i["fingerprint"] for i in after]
    assert len(set(fps)) == len(fps)
    twins = [i for i in after if i["check_name"].startswith("WSG401")]
    assert len(twins) == 2 and twins[0]["fingerprint"] != twins[1]["fingerprint"]
