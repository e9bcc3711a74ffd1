"""Field test (issue 15 item 7): real public deployments rendered into trees the real servers
accept, and every wsgilint finding on them judged in fieldtest/verdicts.json.

Select with `python3 -m pytest -q tests/test_fieldtest.py` (or `-k fieldtest`).
- test_fieldtest_trees_accepted_by_real_servers: fieldtest/validate.py (apache2 -t, nginx -t,
  uWSGI's own parse); a missing server is a loud skip, a failure under WSGILINT_REQUIRE_ORACLES=1.
- test_fieldtest_verdicts_are_current: fails when a finding has no verdict, or a judged finding
  is gone (re-judge and edit verdicts.json); prints precision per severity.
"""
from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIELD = REPO / "fieldtest"
VERDICTS = json.loads((FIELD / "verdicts.json").read_text())
DEPLOYMENTS = VERDICTS["deployments"]
KNOWN = {"true", "false", "noise", "D"}


def lint(name: str) -> list[dict]:
    tree = FIELD / name / "tree"
    p = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--root", str(tree), "--format", "json",
                        "--fail-on", "never", *DEPLOYMENTS[name]["args"]],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, cwd=str(REPO))
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["findings"]


def key(rule: str, path: str, line: int, tree: str = "") -> tuple:
    if tree and path.startswith(tree):
        path = path[len(tree):].lstrip("/")
    return (rule, path, line)


def test_fieldtest_has_at_least_20_deployments_each_with_a_source():
    trees = sorted(p.parent.name for p in FIELD.glob("*/tree"))
    assert len(trees) >= 20
    assert trees == sorted(DEPLOYMENTS), "every tree has an entry in verdicts.json and back"
    for name in trees:
        assert "@" in (FIELD / name / "SOURCE.md").read_text(), name


def test_fieldtest_trees_accepted_by_real_servers():
    for binary in ("apache2", "nginx", "uwsgi"):
        oracle.require(binary, "fieldtest/validate.py")
    p = subprocess.run([sys.executable, str(FIELD / "validate.py"), "--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=600)
    if p.returncode == 77:
        oracle.missing("a server validate.py needs", p.stdout[-2000:])
    report = json.loads(p.stdout)
    failed = {n: [r for r in rs if r["status"] not in ("ok", "note")] for n, rs in report.items()}
    assert not any(failed.values()), json.dumps(failed, indent=1)
    assert sorted(report) == sorted(DEPLOYMENTS)
    # each tree met at least one real server
    assert all(any(r["status"] == "ok" for r in rs) for rs in report.values())


@pytest.fixture(scope="module")
def findings():
    return {name: lint(name) for name in DEPLOYMENTS}


def test_fieldtest_verdicts_are_current(findings):
    problems = []
    for name, found in findings.items():
        tree = "fieldtest/%s/tree" % name
        seen = collections.Counter(key(f["rule"], f["path"], f["line"], tree) for f in found)
        judged = collections.Counter(key(v["rule"], v["file"], v["line"]) for v in DEPLOYMENTS[name]["findings"])
        for k in seen - judged:
            msg = next(f["message"] for f in found if key(f["rule"], f["path"], f["line"], tree) == k)
            problems.append("%s: NEW finding without a verdict %s: %s" % (name, k, msg[:200]))
        for k in judged - seen:
            problems.append("%s: judged finding GONE %s (re-judge: remove or update its verdict)" % (name, k))
        for v in DEPLOYMENTS[name]["findings"]:
            if v["verdict"] not in KNOWN or not v.get("why"):
                problems.append("%s: verdict for %s needs one of %s and a reason" % (name, v["rule"], KNOWN))
    assert not problems, "\n".join(problems)


def precision(deployments: dict) -> dict:
    """Per severity: counts of each verdict and precision = true / (true + false + noise); D apart."""
    out = {}
    for sev in ("error", "warning", "info"):
        c = collections.Counter(v["verdict"] for d in deployments.values() for v in d["findings"]
                                if v["severity"] == sev)
        judged = c["true"] + c["false"] + c["noise"]
        out[sev] = dict(c, judged=judged, precision=(c["true"] / judged) if judged else None)
    return out


def test_fieldtest_precision_table_matches_readme():
    """The README's table is the one these verdicts give (recomputed, never typed by hand)."""
    table = precision(DEPLOYMENTS)
    readme = (FIELD / "README.md").read_text()
    for sev in ("error", "warning"):
        row = table[sev]
        pct = "n/a" if row["precision"] is None else "%d%%" % round(100 * row["precision"])
        line = "| %s | %d | %d | %d | %d | %d | %s |" % (sev, row["judged"], row.get("true", 0), row.get("false", 0),
                                                      row.get("noise", 0), row.get("D", 0), pct)
        assert line in readme, "README precision row out of date; expected:\n" + line
    print(json.dumps(table, indent=1))
