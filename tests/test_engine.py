"""The engine: crash isolation, severity overrides, selection, ordering."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wsgilint import engine
from wsgilint.findings import ERROR, INFO, WARNING, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.source import SourceFile, Span

SRC = SourceFile("x.conf", "a\nb\nc\n")


def _rule(rid, check, sev=WARNING):
    return Rule(id=rid, name=f"r-{rid.lower()}", severity=sev, summary="s", fix="f",
                references=("https://example.org",), check=check)


def test_crashing_rule_becomes_internal_error_and_others_still_run():
    def boom(model):
        raise KeyError("x")
        yield  # pragma: no cover

    def fine(model):
        yield Hit(Span(SRC, 2, 3), "found b")

    internal = _rule("WSG002", lambda m: iter(()), ERROR)
    found = engine.run((internal, _rule("WSG901", boom), _rule("WSG902", fine)), Deployment(),
                       engine.EngineOptions())
    ids = [f.rule.id for f in found]
    assert "WSG902" in ids
    crash = [f for f in found if f.rule.id == "WSG002"]
    assert len(crash) == 1 and "WSG901" in crash[0].message and "KeyError" in crash[0].message


def test_severity_override_selection_and_sorting():
    def two(model):
        yield Hit(Span(SRC, 4, 5), "c")
        yield Hit(Span(SRC, 0, 1), "a", severity=ERROR)

    rule = _rule("WSG903", two)
    found = engine.run((rule,), Deployment(), engine.EngineOptions())
    assert [(f.line, f.severity) for f in found] == [(1, ERROR), (3, WARNING)]
    # Overrides are the post-rule stage's (pipeline.after_rules, tests/test_post_rules.py), not the engine's.
    over = engine.run((rule,), Deployment(), engine.EngineOptions(severity_overrides={"WSG903": INFO}))
    assert [f.severity for f in over] == [ERROR, WARNING]
    assert engine.run((rule,), Deployment(), engine.EngineOptions(selected={"WSG001"})) == []
    assert engine.run((rule,), Deployment(), engine.EngineOptions(ignored={"WSG903"})) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\n\r\t", max_size=60), st.lists(st.tuples(st.integers(0, 65), st.integers(0, 65)),
                                                          min_size=1, max_size=20))
def test_finding_location_is_the_spans(text, offsets):
    """Line, column and end line as Span computes them, before and after the line table is built."""
    src = SourceFile("x.conf", text)
    rule = _rule("WSG904", lambda m: iter(()))
    for a, b in offsets:
        span = Span(src, min(a, len(text)), min(max(a, b), len(text)))
        f = engine.make_finding(rule, Hit(span, "m"))
        expected = (span.line, span.column, span.end_line)
        assert (f.line, f.column, f.end_line) == expected
        assert src.locate(span.start, span.end) == expected


def test_made_findings_equal_the_constructor_and_set_every_slot():
    """make_findings stores Finding's slots itself (no __init__ call): the result must be
    what Finding(...) builds, with no slot left unset (a slot added later and forgotten)."""
    from wsgilint.findings import Finding, Related

    rule = _rule("WSG905", lambda m: iter(()))
    rel = [Related(Span(SRC, 0, 1), "note")]
    hits = [Hit(Span(SRC, 2, 5), "m1", fix="own fix", service="glance", related=rel),
            Hit(None, "m2", severity=ERROR, path="<x>")]
    made = engine.make_findings(rule, hits)
    expected = [Finding(rule, WARNING, "m1", "x.conf", 2, 1, 3, "own fix", "glance", rel, hits[0].span),
                Finding(rule, ERROR, "m2", "<x>", 0, 0, 0, "f", None, [], None)]
    assert made == expected
    for f in made:
        for slot in Finding.__slots__:
            assert hasattr(f, slot), slot
        assert f.extra == {} and f.related is not None
