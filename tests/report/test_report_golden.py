"""Every reporter renders the same golden input; each output is compared with its snapshot.

The input (fixtures/report/golden/) holds a parse error, a multi-line span (a
continued SetEnv), a finding in an included file, a cross-file link (Apache ->
uWSGI) and non-ASCII lines. WSGILINT_UPDATE_FIXTURES=1 rewrites the snapshots:
review the diff.
"""

from __future__ import annotations

import io
import json
import os

import pytest
from _reportlib import golden_result, normalise
from conftest import FIXTURES, PROJECT, update_fixtures

from wsgilint import report

SNAPSHOTS = FIXTURES / "report"


@pytest.mark.parametrize("fmt", sorted(report.FORMATS))
def test_golden_snapshot(fmt, monkeypatch):
    monkeypatch.chdir(PROJECT)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    buf = io.StringIO()
    report.get(fmt)(golden_result(), buf, color=False, fail_on="warning")
    got = normalise(buf.getvalue())
    if fmt == "sarif":
        got = _stable_sarif(got)
    snap = SNAPSHOTS / f"golden.{fmt}.expected"
    if update_fixtures():
        snap.write_text(got, encoding="utf-8")
    assert snap.exists(), f"missing {snap} (run with WSGILINT_UPDATE_FIXTURES=1, then review)"
    assert got == snap.read_text(encoding="utf-8")


def _stable_sarif(text: str) -> str:
    """Rule metadata comes from the whole registry (tested in test_report_sarif.py): keep ids only."""
    doc = json.loads(text)
    run = doc["runs"][0]
    run["tool"]["driver"]["rules"] = [{"id": r["id"]} for r in run["tool"]["driver"]["rules"]
                                      if r["id"] in {res["ruleId"] for res in run["results"]}]
    for res in run["results"]:
        res.pop("ruleIndex")
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_golden_input_has_the_promised_shapes():
    result = golden_result()
    rules = {f.rule.id for f in result.findings}
    assert "WSG001" in rules  # parse error
    assert any(f.end_line > f.line for f in result.findings)  # multi-line span
    assert any(f.related and f.related[0].span.path != f.path for f in result.findings)  # cross-file
    assert any(not f.path.endswith("apache2.conf") for f in result.findings if f.path.endswith(".conf"))
    texts = [f.span.source.text for f in result.findings if f.span is not None]
    assert any(any(ord(c) > 127 for c in t) for t in texts)
    assert not os.path.isabs(result.findings[0].path)
