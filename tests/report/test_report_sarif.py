"""SARIF output validates against the official 2.1.0 schema and carries what GitHub code scanning reads."""

from __future__ import annotations

import json
import shutil

import pytest
from _reportlib import GOLDEN, GOLDEN_RULES
from conftest import PROJECT, SHARED
from test_cli import run

from wsgilint import registry

SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_schema():
    if not SCHEMA.is_file():
        pytest.skip(f"../shared is absent ({SCHEMA}); the SARIF schema test needs it")
    return json.loads(SCHEMA.read_text())


def _sarif(*args, cwd=PROJECT):
    proc = run("check", *args, "--format", "sarif", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_validates_against_official_schema(sarif_schema):
    import jsonschema

    for args in ([str(GOLDEN.relative_to(PROJECT))], ["--root", "fixtures/example"],
                 ["fixtures/deployments/correct"]):
        doc = _sarif(*args)
        jsonschema.validate(doc, sarif_schema, cls=jsonschema.Draft7Validator)
    # The validator really checks: a broken document is refused.
    doc["runs"][0]["results"] = [{"level": "fatal", "message": {}}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, sarif_schema, cls=jsonschema.Draft7Validator)


def test_driver_and_rules_as_github_reads_them():
    doc = _sarif(str(GOLDEN.relative_to(PROJECT)))
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "wsgilint" and driver["version"] and driver["informationUri"].startswith("https://")
    assert run_["columnKind"] == "unicodeCodePoints"
    ids = [r["id"] for r in driver["rules"]]
    # Every registered rule, in id order (compared as sets: other rule files may appear mid-run).
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {r.id for r in registry.all_rules()} <= set(ids)
    r401 = driver["rules"][ids.index("WSG401")]
    assert r401["name"] == "proxy-uwsgi-chunked-upload"
    assert r401["shortDescription"]["text"] and r401["fullDescription"]["text"]
    assert "## Why is this bad?" in r401["help"]["markdown"] and r401["help"]["text"]
    assert "helpUri" not in r401  # no docs-url configured: no link (tests/test_rule_docs.py has the rest)
    assert r401["defaultConfiguration"]["level"] == "error"
    assert driver["rules"][ids.index("WSG102")]["defaultConfiguration"]["level"] == "warning"


def test_results_locations_related_and_levels():
    doc = _sarif(str(GOLDEN.relative_to(PROJECT)), "--select", ",".join(GOLDEN_RULES))
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    by_rule = {r["ruleId"]: r for r in run_["results"]}
    assert set(by_rule) == set(GOLDEN_RULES)
    r = by_rule["WSG401"]
    assert rules[r["ruleIndex"]]["id"] == "WSG401"
    assert r["level"] == "error" and by_rule["WSG102"]["level"] == "warning"
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "fixtures/report/golden/sites/glance-api.conf", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 7 and loc["region"]["startColumn"] == 9 and loc["region"]["endLine"] == 7
    rel = r["relatedLocations"][0]
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == "fixtures/report/golden/uwsgi/glance-api-uwsgi.ini"
    assert rel["physicalLocation"]["region"]["startLine"] == 3 and rel["message"]["text"]
    multi = by_rule["WSG402"]["locations"][0]["physicalLocation"]["region"]
    assert (multi["startLine"], multi["endLine"]) == (4, 5) and "endColumn" not in multi
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == PROJECT.as_uri() + "/"


def test_partial_fingerprints_survive_line_moves(tmp_path):
    tree = tmp_path / "golden"
    shutil.copytree(GOLDEN, tree)

    def fingerprints():
        doc = _sarif("golden", "--select", ",".join(GOLDEN_RULES), cwd=tmp_path)
        return {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]):
                r["partialFingerprints"]["wsgilint/v1"] for r in doc["runs"][0]["results"]}

    before = fingerprints()
    for rel in ("sites/glance-api.conf", "uwsgi/glance-api-uwsgi.ini", "sites/broken.conf"):
        p = tree / rel
        p.write_text("# a comment added on top\n\n" + p.read_text(encoding="utf-8"), encoding="utf-8")
    after = fingerprints()
    assert {k[0] for k in before} == {k[0] for k in after}
    assert all(line + 2 in {ln for r, ln in after if r == rule} for rule, line in before)  # lines did move
    assert sorted(before.values()) == sorted(after.values())  # fingerprints did not
    assert len(set(before.values())) == len(before)
