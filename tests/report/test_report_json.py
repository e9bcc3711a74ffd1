"""The json format: output validates against the shipped JSON Schema and is json.dumps of to_dict."""

from __future__ import annotations

import io
import json
from importlib import resources
from types import SimpleNamespace

import pytest
from _reportlib import GOLDEN
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import run

from wsgilint.findings import ERROR, INFO, WARNING, Finding, Related, Rule
from wsgilint.report import json_report
from wsgilint.source import SourceFile, Span


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


# -- the encoder: byte for byte what json.dumps makes of to_dict -------------------------------

# Whatever JSON must escape: quotes, backslashes, control characters, surrogates, non-BMP.
_TEXT = st.one_of(st.text(max_size=20), st.sampled_from(['"', "\\", "\x00\x1f\x7f", "é€𝄞", "\ud800", "</script>", ""]))
_RULES = [Rule(id=f"WSG9{i}", name=f"r-{i}", severity=WARNING, summary="s", fix=f"fix {i} \"q\"",
               references=(), check=lambda m: iter(())) for i in range(3)]


@st.composite
def _result(draw):
    findings = []
    paths = draw(st.lists(_TEXT, min_size=1, max_size=3))
    for _ in range(draw(st.integers(0, 6))):
        text = draw(st.text(alphabet="ab\n", max_size=30))
        related = [Related(Span(SourceFile(draw(st.sampled_from(paths)), text), s, s), draw(_TEXT))
                   for s in draw(st.lists(st.integers(0, len(text)), max_size=2))]
        findings.append(Finding(draw(st.sampled_from(_RULES)), draw(st.sampled_from([ERROR, WARNING, INFO])),
                                draw(_TEXT), draw(st.sampled_from(paths)), draw(st.integers(0, 10**6)),
                                draw(st.integers(0, 99)), draw(st.integers(0, 10**6)),
                                draw(st.one_of(_TEXT, st.sampled_from([r.fix for r in _RULES]))),
                                draw(st.one_of(st.none(), _TEXT)), related, None))
    files = [(p, draw(st.sampled_from(["apache", "uwsgi", "ngïnx"]))) for p in paths]
    return SimpleNamespace(findings=findings, files=files)


def _dumps(result, fail_on):
    # render also writes C1 controls, bidi and zero-width characters as \uXXXX and lone
    # surrogates as the text \xff (wsgilint.report.escape.json_text): valid UTF-8 on any stream
    from wsgilint.report.escape import json_text

    return json_text(json.dumps(json_report.to_dict(result, fail_on), separators=(",", ":"),
                                ensure_ascii=False)) + "\n"


def _render(result, fail_on):
    out = io.StringIO()
    json_report.render(result, out, fail_on=fail_on)
    return out.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_result(), st.sampled_from(["error", "warning", "never"]))
def test_render_is_json_dumps_of_to_dict(result, fail_on):
    assert _render(result, fail_on) == _dumps(result, fail_on)


def test_fields_of_another_type_are_left_to_json_dumps():
    src = SourceFile("a.conf", "x\n")
    for line, message in ((True, "m"), (1.5, "m"), (1, None), (1, 3)):
        f = Finding(_RULES[0], WARNING, message, "a.conf", line, 1, 1, "fix", None, [Related(Span(src, 0, 1), "n")],
                    None)
        result = SimpleNamespace(findings=[f], files=[("a.conf", "apache")])
        assert _render(result, "never") == _dumps(result, "never")


@pytest.mark.parametrize("n", [0, 1, 1023, 1024, 1025, 2048, 2049])
def test_rows_joined_in_chunks_are_json_dumps_at_every_chunk_boundary(n):
    src = SourceFile("a.conf", "x\ny\n")
    findings = [Finding(_RULES[i % 3], WARNING, f"m{i}", f"p{i % 7}.conf", i + 1, 1, i + 1, _RULES[i % 3].fix,
                        None if i % 2 else "glance", [Related(Span(src, 2, 3), "n")] if i % 5 == 0 else [], None)
                for i in range(n)]
    result = SimpleNamespace(findings=findings, files=[("a.conf", "apache")])
    assert _render(result, "warning") == _dumps(result, "warning")
