"""Graph.json_text (the graph in `check --format json`, encoded without building dicts) is byte for
byte json.dumps(Graph.as_json()) compactly: on the shipped trees, on the hostile names of
fixtures/map/hostile, and on random field values (control, bidi, surrogates, wrong types)."""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT
from hypothesis import given, settings
from hypothesis import strategies as st

from wsgilint import graph as graph_mod
from wsgilint import pipeline
from wsgilint.findings import Severity

_COMPACT = {"separators": (",", ":"), "ensure_ascii": False}


@pytest.mark.parametrize("root", ["fixtures/example", "fixtures/deployments/redhat",
                                  "fixtures/deployments/nginx-debian-good", "fixtures/map/hostile"])
def test_json_text_equals_dumps_on_trees(root):
    res = pipeline.run(pipeline.CheckOptions(paths=[], root=str(PROJECT / root), detect_versions=False))
    g = graph_mod.build(res.model, res.findings)
    assert g.nodes
    assert g.json_text() == json.dumps(g.as_json(), **_COMPACT)


_odd = st.sampled_from(["\udcff", "\x1b", "\u202e", '"', "\\"])  # a surrogate escape, ESC, bidi, quote, backslash
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | _odd, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(graph_mod.KINDS), _text, _text, st.none() | _text, _text,
                          st.integers(0, 10**6), st.lists(_text, max_size=2), st.lists(st.integers(0, 99), max_size=3),
                          st.none() | st.sampled_from(list(Severity))),
                min_size=1, max_size=6),
       st.lists(st.integers(0, 99), max_size=3), st.none() | st.integers() | st.booleans() | st.text(max_size=3))
def test_json_text_equals_dumps_on_any_values(rows, unplaced, odd):
    g = graph_mod.Graph()
    prev = None
    for kind, label, detail, service, path, line, flags, found, worst in rows:
        n = g.add(kind, label, detail=detail, service=service, path=path, line=line, flags=tuple(flags))
        n.findings.extend(found)
        n.worst = worst
        if prev is not None:
            e = g.link(prev, n, label)
            e.findings.extend(found)
            e.worst = worst
        prev = n
    g.unplaced.extend(unplaced)
    assert g.json_text() == json.dumps(g.as_json(), **_COMPACT)
    g.nodes[0].line = odd  # not the declared int: the fallback still encodes what as_json gives
    assert g.json_text() == json.dumps(g.as_json(), **_COMPACT)
