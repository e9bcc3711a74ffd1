"""The json format: real output validates against the JSON Schema shipped in the package."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from _reportlib import GOLDEN
from conftest import PROJECT
from test_cli import run


def _schema() -> dict:
    ref = resources.files("wsgilint.report").joinpath("schema/wsgilint-report.schema.json")
    return json.loads(ref.read_text(encoding="utf-8"))


def test_schema_is_package_data_and_itself_valid():
    import jsonschema

    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    text = (PROJECT / "pyproject.toml").read_text()
    assert "report/schema/*.json" in text  # shipped in wheels, not only in the checkout


@pytest.mark.parametrize("args", [
    ["--root", "fixtures/example"],
    [str(GOLDEN.relative_to(PROJECT))],
    ["fixtures/deployments/correct"],
])
def test_real_output_validates(args):
    import jsonschema

    proc = run("check", *args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.Draft202012Validator(_schema()).validate(doc)


def test_schema_rejects_what_it_should():
    import jsonschema

    proc = run("check", "--root", "fixtures/example", "--format", "json")
    doc = json.loads(proc.stdout)
    doc["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema()).validate(doc)
