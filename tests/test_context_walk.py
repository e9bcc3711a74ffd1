"""Fingerprint contexts walk the resolver's parse, and read as the Item index does.

wsgilint.context used to parse every file holding a finding a second time and build an Item
per directive (issue 17, item 2). An Apache file's context is now found by descending the
parse nodes the resolver kept (``SourceFile.parsed``); the Item index is built only when a
suppression query needs it. This checks, on every Apache file of the fixtures, that both give
the same context at every directive start, inside every directive, between directives and at
the end of the file, and that a check keeps the parse for the contexts (no second parse).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wsgilint.context import FileIndex
from wsgilint.parse import apache as parser
from wsgilint.source import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _apache_texts():
    for p in sorted(FIXTURES.rglob("*.conf")):
        try:
            text = p.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if "<" in text and "wsgilint" not in p.name:
            yield p, text


def _offsets(text: str) -> list[int]:
    parsed = parser.parse(text)
    out = {0, len(text), max(0, len(text) - 1)}
    for n in parser.walk(parsed.nodes):
        out.update((n.start, n.end, n.start + 1, (n.start + n.end) // 2, max(0, n.start - 1), n.end + 1))
        if n.close_end >= 0:
            out.update((n.close_start, n.close_end, n.close_end - 1))
    return sorted(o for o in out if 0 <= o <= len(text))


FILES = list(_apache_texts())


def test_there_are_apache_files_with_sections():
    assert len(FILES) >= 20


@pytest.mark.parametrize("path,text", FILES, ids=[str(p.relative_to(FIXTURES)) for p, _ in FILES])
def test_walked_context_equals_the_item_context(path, text):
    fast = FileIndex(SourceFile(str(path), text, "apache"))
    slow = FileIndex(SourceFile(str(path), text, "apache"))
    assert slow.items is not None  # forces the Item index: context() then goes through it
    for off in _offsets(text):
        assert fast.context(off) == slow.context(off), (path, off)
    assert fast._items is None  # the fast index never built Items


def test_a_check_keeps_the_parse_for_contexts(monkeypatch):
    """After a check, each Apache file the resolver read holds its parse; computing the contexts
    parses none of them again (an inactive site, sites-available/, is parsed by the pipeline
    outside the resolver and still gets its own parse here)."""
    from wsgilint import context, pipeline

    result = pipeline.run(pipeline.CheckOptions(paths=[str(FIXTURES / "example")]))
    calls = []
    real = parser.parse
    monkeypatch.setattr(parser, "parse", lambda *a, **k: calls.append(a[1:2]) or real(*a, **k))
    findings = [f for f in result.findings if f.span is not None and f.span.source.kind == "apache"]
    assert findings
    context.annotate(findings)
    kept = {f.span.source.path for f in findings if f.span.source.parsed is not None}
    assert len(kept) >= 2
    assert not kept & {c[0] for c in calls if c}
    assert any(f.extra["context"] for f in findings)
    for f in findings:  # the same contexts as the Item index of a fresh parse
        slow = FileIndex(SourceFile(f.span.source.path, f.span.source.text, "apache"))
        slow.items  # noqa: B018
        assert f.extra["context"] == slow.context(f.span.start)
