"""JUnit XML: valid against the Jenkins xunit plugin's junit-10.xsd (tests/report/junit-10.xsd, checked
with the real xmllint), one testsuite per file, a failure per finding at or above --fail-on, escaped."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from oracle import find_binary, missing
from test_cli import run

XSD = Path(__file__).parent / "junit-10.xsd"
UWSGI_INI = "[uwsgi]\nmodule = glance.wsgi.api:application\nmaster = true\nprocesses = 2\n"


def _junit(*args, cwd=None) -> str:
    proc = run("check", *args, "--format", "junit", **({"cwd": cwd} if cwd else {}))
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def _xmllint_validates(tmp_path: Path, xml: str) -> None:
    xmllint = find_binary("xmllint")
    if xmllint is None:
        missing("xmllint (Debian: libxml2-utils)", "validating junit output against junit-10.xsd")
    report = tmp_path / "report.xml"
    report.write_text(xml, encoding="utf-8")
    proc = subprocess.run([xmllint, "--noout", "--schema", str(XSD), str(report)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_schema_rejects_what_it_should(tmp_path):
    """The oracle is not a rubber stamp: a testsuite without its required errors attribute fails."""
    bad = ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="x" tests="1" failures="0">'
           '<testcase name="t"/></testsuite></testsuites>\n')
    with pytest.raises(AssertionError):
        _xmllint_validates(tmp_path, bad)


@pytest.mark.parametrize("fail_on", ["warning", "error", "never"])
def test_example_validates_and_counts_agree(tmp_path, fail_on):
    xml = _junit("--root", "fixtures/example", "--fail-on", fail_on)
    _xmllint_validates(tmp_path, xml)
    root = ET.fromstring(xml)
    findings = run("check", "--root", "fixtures/example", "--format", "json").stdout
    import json

    expected = json.loads(findings)["findings"]
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(expected) == int(root.get("tests"))
    rank = {"info": 0, "warning": 1, "error": 2}
    failing = [f for f in expected if fail_on != "never" and rank[f["severity"]] >= rank[fail_on]]
    assert len(root.findall("./testsuite/testcase/failure")) == len(failing) == int(root.get("failures"))
    assert len(root.findall("./testsuite/testcase/skipped")) == len(expected) - len(failing)
    # One testsuite per file, its counts its own.
    suites = root.findall("./testsuite")
    assert sorted(s.get("name") for s in suites) == sorted({f["path"] for f in expected})
    for s in suites:
        assert int(s.get("tests")) == len(s.findall("testcase"))
        assert int(s.get("failures")) == len(s.findall("testcase/failure"))
        assert all(c.get("classname") == s.get("name") for c in s.findall("testcase"))
    if fail_on == "warning":
        f401 = [c for c in cases if c.get("name").startswith("WSG401 proxy-uwsgi-chunked-upload at ")]
        assert len(f401) == 1 and f401[0].find("failure").get("type") == "WSG401"
        assert "\nfix: " in f401[0].find("failure").text


def test_no_findings_is_one_passing_case(tmp_path):
    xml = _junit("--root", "fixtures/example", "--select", "WSG301")
    _xmllint_validates(tmp_path, xml)
    root = ET.fromstring(xml)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 1 and not list(cases[0]) and root.get("failures") == "0"


def test_hostile_names_stay_well_formed(tmp_path):
    """A file name with markup, ESC and U+FFFE (which XML 1.0 cannot carry) gives valid XML that
    names it with visible escapes."""
    name = 'evil&<x a="1">\x1b[31m\ufffe-uwsgi.ini'
    (tmp_path / name).write_text(UWSGI_INI)
    xml = _junit(name, cwd=tmp_path)
    assert "\x1b" not in xml and "\ufffe" not in xml
    _xmllint_validates(tmp_path, xml)
    root = ET.fromstring(xml)
    suite_names = {s.get("name") for s in root.findall("./testsuite")}
    assert 'evil&<x a="1">\\x1b[31m\\ufffe-uwsgi.ini' in suite_names, suite_names
    assert root.findall("./testsuite/testcase/failure")
