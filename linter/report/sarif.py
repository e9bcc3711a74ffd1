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


def help_uri(rule) -> str:
    """Where a rule's documentation lives (derived from its name, never typed by hand)."""
    return f"{INFORMATION_URI}#{rule.name}"


def _first_paragraph(docs: str) -> str:
    return docs.strip().split("\n\n", 1)[0].replace("\n", " ").strip()


def _rule(rule) -> dict:
    docs = (rule.docs or "").strip()
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _first_paragraph(docs) or rule.summary},
        "help": {"text": f"{docs}\n\nFix: {rule.fix}", "markdown": f"{docs}\n\n## Fix\n{rule.fix}"},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["wsgilint", rule.id[:4]]},
    }


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


def to_dict(result, *, cwd: str | None = None) -> dict:
    from wsgilint import registry

    rules = registry.all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    results, notes = [], []
    for f in result.findings:
        if not f.path or f.path.startswith("<"):
            # No file to point at (a crashed rule): GitHub needs a location, so it is a notification.
            notes.append({"level": LEVEL[f.severity], "message": {"text": f"{f.rule.id}: {f.message}"},
                          "descriptor": {"id": f.rule.id, "index": index.get(f.rule.id, -1)}})
            continue
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
        results.append(res)
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
                "rules": [_rule(r) for r in rules],
            }},
            "invocations": [invocation],
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + _quote(base)}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(result, stream, **_: object) -> None:
    from wsgilint.report.escape import json_text  # no raw controls, bidi or lone surrogates

    stream.write(json_text(json.dumps(to_dict(result), indent=2, ensure_ascii=False)) + "\n")
