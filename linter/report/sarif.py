"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from wsgilint import __version__
from wsgilint.findings import Severity

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/wsgilint/"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "wsgilint/v1"


def help_uri(rule, docs_url: str | None = None) -> str | None:
    """The rule's page (docs/rules/<ID>-<name>.md, scripts/gen_rule_docs.py) under ``docs_url``
    (``docs-url`` in [tool.wsgilint] or WSGILINT_DOCS_URL); None, so no helpUri, without one:
    a link must reach a page that exists."""
    if not docs_url:
        return None
    return f"{docs_url.rstrip('/')}/{rule.id}-{rule.name}.md"


def _first_paragraph(docs: str) -> str:
    return docs.strip().split("\n\n", 1)[0].replace("\n", " ").strip()


def _rule(rule, docs_url: str | None = None) -> dict:
    docs = (rule.docs or "").strip()
    out = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _first_paragraph(docs) or rule.summary},
        "help": {"text": f"{docs}\n\nFix: {rule.fix}", "markdown": f"{docs}\n\n## Fix\n{rule.fix}"},
        "helpUri": help_uri(rule, docs_url),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["wsgilint", rule.id[:4]]},
    }
    if out["helpUri"] is None:
        del out["helpUri"]
    return out


def _quote(path: str) -> str:
    """A path as a URI path: its bytes percent-encoded (a non-UTF-8 name's 0xff is %FF, RFC 3986)."""
    return quote(path.encode("utf-8", "surrogateescape"))


def _location(path: str, line: int, column: int, end_line: int, span=None) -> dict:
    if os.path.isabs(path):
        artifact = {"uri": "file://" + _quote(path)}
    else:
        artifact = {"uri": _quote(path.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}
    phys: dict = {"artifactLocation": artifact}
    if line:
        region = {"startLine": line, "startColumn": max(1, column), "endLine": max(line, end_line)}
        if span is not None and end_line == line:
            end_col = span.source.position(max(span.start, span.end))[1]
            if end_col > region["startColumn"]:
                region["endColumn"] = end_col
        phys["region"] = region
    return {"physicalLocation": phys}


def _artifact(path: str) -> dict:
    return _location(path, 0, 0, 0)["physicalLocation"]["artifactLocation"]


def _fixes(f) -> list[dict]:
    """A finding's edits (wsgilint.fix) as one SARIF fix: per file, replacements of a deleted region
    (1-based lines, code-point columns, an empty region inserts) by inserted content."""
    changes: dict[str, list] = {}
    for e in f.edits:
        span = e.span
        line, column = span.source.position(span.start)
        end_line, end_column = span.source.position(span.end)
        changes.setdefault(span.path, []).append({
            "deletedRegion": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column},
            "insertedContent": {"text": e.text},
        })
    how = "wsgilint check --fix" if all(e.safe for e in f.edits) else \
        "wsgilint check --fix --unsafe-fixes (unsafe: it changes behaviour beyond the finding)"
    return [{"description": {"text": f"{f.fix} ({how})"},
             "artifactChanges": [{"artifactLocation": _artifact(p), "replacements": r} for p, r in changes.items()]}]


def _result(f, index: dict) -> dict:
    res = {
        "ruleId": f.rule.id,
        "ruleIndex": index[f.rule.id],
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.message}. Fix: {f.fix}" if f.fix else f.message},
        "locations": [_location(f.path, f.line, f.column, f.end_line, f.span)],
    }
    fp = f.extra.get("fingerprint")
    if fp:
        res["partialFingerprints"] = {FINGERPRINT_KEY: fp}
    related = []
    for i, r in enumerate(f.related):
        loc = _location(r.span.path, r.span.line, r.span.column, r.span.end_line, r.span)
        loc["id"] = i + 1
        loc["message"] = {"text": r.message}
        related.append(loc)
    if related:
        res["relatedLocations"] = related
    if f.service:
        res["properties"] = {"service": f.service}
    if f.edits:
        res["fixes"] = _fixes(f)
    return res


def _has_file(f) -> bool:
    # No file to point at (a crashed rule): GitHub needs a location, so it is a notification.
    return bool(f.path) and not f.path.startswith("<")


def _document(result, cwd: str | None, results: list, docs_url: str | None = None) -> tuple[dict, dict]:
    """The SARIF document with ``results`` as its last member, and the rule index."""
    from wsgilint import registry

    rules = registry.all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    notes = [{"level": LEVEL[f.severity], "message": {"text": f"{f.rule.id}: {f.message}"},
              "descriptor": {"id": f.rule.id, "index": index.get(f.rule.id, -1)}}
             for f in result.findings if not _has_file(f)]
    base = (cwd or os.getcwd()).rstrip("/") + "/"
    invocation = {"executionSuccessful": not notes}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "wsgilint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(r, docs_url) for r in rules],
            }},
            "invocations": [invocation],
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + _quote(base)}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }, index


def to_dict(result, *, cwd: str | None = None, docs_url: str | None = None) -> dict:
    results: list = []
    doc, index = _document(result, cwd, results, docs_url)
    results.extend(_result(f, index) for f in result.findings if _has_file(f))
    return doc


def pieces(result, *, cwd: str | None = None, docs_url: str | None = None):
    """``json.dumps(to_dict(result), separators=(",", ":"), ensure_ascii=False)`` in pieces of
    ~1k results: compact, so json's C encoder runs (indent=2 turned it off), and never the
    whole document in memory (bench/README.md, 2026-12-02, issue 17 part 2)."""
    from wsgilint.report.json_report import json_array_pieces

    doc, index = _document(result, cwd, [], docs_url)
    head = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    tail = "]}]}"
    assert head.endswith('"results":[' + tail)
    yield head[:-len(tail)]
    yield from json_array_pieces(_result(f, index) for f in result.findings if _has_file(f))
    yield tail


def render(result, stream, *, docs_url: str | None = None, **_: object) -> None:
    from wsgilint.report.json_report import write_pieces

    write_pieces(stream, pieces(result, docs_url=docs_url))
