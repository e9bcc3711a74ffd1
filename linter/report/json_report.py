"""JSON output: a stable contract for CI (version 1)."""

from __future__ import annotations

import json
from json.encoder import encode_basestring

from wsgilint import __version__
from wsgilint.report.summary import counts

_COMPACT = {"separators": (",", ":"), "ensure_ascii": False}


def to_dict(result, fail_on: str) -> dict:
    """The report as plain data: what ``render`` writes, compactly encoded."""
    findings = []
    for f in result.findings:
        findings.append({
            "rule": f.rule.id,
            "name": f.rule.name,
            "severity": f.severity.label,
            "message": f.message,
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "fix": f.fix,
            "service": f.service,
            "related": [{"path": r.span.path, "line": r.span.line, "message": r.message} for r in f.related],
        })
        if f.edits:
            findings[-1]["edits"] = edits_json(f.edits)
    summary = counts(result.findings)
    summary["files"] = len(result.files)
    summary["fail_on"] = fail_on
    doc = {
        "version": 1,
        "tool": {"name": "wsgilint", "version": __version__},
        "files": [{"path": p, "kind": k} for p, k in result.files],
        "findings": findings,
        "summary": summary,
        "targets": _targets(result),
    }
    graph = _graph(result)
    if graph is not None:
        doc["graph"] = graph
    return doc


def edits_json(edits) -> list[dict]:
    """A finding's edits (wsgilint.fix) as the report's optional ``edits``: the span replaced (1-based
    line and column, end column exclusive; ``start``/``end`` are character offsets into the file's
    decoded text, a UTF-8 BOM not counted), the text put there, and whether --fix applies it
    (``safe``) or only --fix --unsafe-fixes."""
    out = []
    for e in edits:
        span = e.span
        line, column = span.source.position(span.start)
        end_line, end_column = span.source.position(span.end)
        out.append({"path": span.path, "line": line, "column": column, "end_line": end_line,
                    "end_column": end_column, "start": span.start, "end": span.end, "text": e.text,
                    "safe": e.safe})
    return out


def _targets(result) -> list[dict[str, str]]:
    """The versions the check judged against, each with where it came from (unknown ones are absent)."""
    model = getattr(result, "model", None)
    return model.targets.as_json() if model is not None else []


def _graph(result) -> dict | None:
    """The deployment map (wsgilint.graph): nodes, edges, and per node/edge the indices of the
    findings above that are on it. Optional and additive (version stays 1); absent without a model."""
    model = getattr(result, "model", None)
    if model is None:
        return None
    from wsgilint import graph

    return graph.build(model, result.findings).as_json()


def _graph_pieces(result) -> list[str] | None:
    """``json.dumps(_graph(result), **_COMPACT)`` in pieces, without the dicts (wsgilint.graph.Graph.json_pieces)."""
    model = getattr(result, "model", None)
    if model is None:
        return None
    from wsgilint import graph

    return graph.build(model, result.findings).json_pieces()


def render(result, stream, *, fail_on: str = "warning", **_: object) -> None:
    # Compact output: json's C encoder only runs without indent (pretty-printing 10k
    # findings cost ~2 s); pipe through `jq .` or `python -m json.tool` to read it.
    try:
        pieces = _encode(result, fail_on)
    except TypeError:  # a field that is not the declared str/int: let json.dumps decide
        pieces = [json.dumps(to_dict(result, fail_on), **_COMPACT)]
    # Written in pieces of ~1k findings, not joined into one string first: the 10k-vhost
    # tree's 11 MB report was copied three times (join, newline, encoding) before.
    # Raw C1 controls, bidi and zero-width characters become \uXXXX escapes, a non-UTF-8 name's
    # bytes the text \xff (wsgilint.report.escape.json_text): valid UTF-8 on any stream.
    write_pieces(stream, pieces)


def write_pieces(stream, pieces) -> None:
    """Write JSON text pieces and a final newline, each made safe to print (json, sarif, gitlab)."""
    from wsgilint.report.escape import json_text

    write = stream.write
    for piece in pieces:
        write(json_text(piece))
    write("\n")


def json_array_pieces(items, *, brackets: bool = False, chunk: int = 1024):
    """The compact JSON text of the elements of ``items`` (dicts), ``chunk`` at a time, commas
    between; with ``brackets`` also the enclosing ``[`` and ``]``. Each chunk is one C-encoder
    call; only one chunk's dicts are alive at once (bench/README.md, 2026-12-02, issue 17 part 2)."""
    dumps = json.dumps
    if brackets:
        yield "["
    rows: list = []
    sep = ""
    for item in items:
        rows.append(item)
        if len(rows) == chunk:
            yield sep + dumps(rows, **_COMPACT)[1:-1]
            sep = ","
            rows = []
    if rows:
        yield sep + dumps(rows, **_COMPACT)[1:-1]
    if brackets:
        yield "]"


def _encode(result, fail_on: str) -> list[str]:
    """``json.dumps(to_dict(result, fail_on), **_COMPACT)``, byte for byte, without the dicts,
    as pieces to write in order.

    Strings go through the encoder json.dumps itself uses (``encode_basestring``); what
    repeats (a rule's id, name, severity and fix, paths, kinds, related notes) is
    encoded once. 20k findings: to_dict + dumps ~130 ms -> ~50 ms;
    tests/report/test_report_json.py checks the equality on hostile strings.
    """
    enc = encode_basestring
    cache: dict[str, str] = {}  # repeated strings (paths, kinds, related notes) -> encoded
    get = cache.get
    files = []
    for p, k in result.files:
        ep = get(p) or cache.setdefault(p, enc(p))
        ek = get(k) or cache.setdefault(k, enc(k))
        files.append(f'{{"path":{ep},"kind":{ek}}}')
    heads: dict[tuple, tuple[str, str]] = {}
    plain: dict[int, tuple[str, str]] = {}  # id(rule) -> head, for the rule's own severity and fix
    tool = json.dumps({"name": "wsgilint", "version": __version__}, **_COMPACT)
    out = [f'{{"version":1,"tool":{tool},"files":[{",".join(files)}],"findings":[']
    # Rows are joined 1024 at a time as they are made: only one chunk's rows are alive at
    # once, not all 20k of the 10k-vhost tree next to the joined text (11 MB less).
    rows: list[str] = []
    sep = ""
    for f in result.findings:
        rule, severity, fix = f.rule, f.severity, f.fix
        if severity is rule.severity and fix is rule.fix:
            head = plain.get(id(rule))
            if head is None:
                head = plain[id(rule)] = _head(rule, severity, fix)
        else:
            key = (rule.id, rule.name, severity, fix)
            head = heads.get(key)
            if head is None:
                head = heads[key] = _head(rule, severity, fix)
        line, column, end_line = f.line, f.column, f.end_line
        if type(line) is not int or type(column) is not int or type(end_line) is not int:
            raise TypeError("line, column and end_line must be int")
        p = f.path
        ep = get(p) or cache.setdefault(p, enc(p))
        service = f.service
        related = ""
        if f.related:
            notes = []
            for r in f.related:
                span, note = r.span, r.message
                rp = span.path
                rline = span.line
                if type(rline) is not int:
                    raise TypeError("line must be int")
                notes.append(f'{{"path":{get(rp) or cache.setdefault(rp, enc(rp))},"line":{rline},'
                             f'"message":{get(note) or cache.setdefault(note, enc(note))}}}')
            related = ",".join(notes)
        edits = f',"edits":{json.dumps(edits_json(f.edits), **_COMPACT)}' if f.edits else ""
        rows.append(f'{head[0]}{enc(f.message)},"path":{ep},"line":{line},"column":{column},'
                    f'"end_line":{end_line}{head[1]}{"null" if service is None else enc(service)},'
                    f'"related":[{related}]{edits}}}')
        if len(rows) == 1024:
            out.append(sep + ",".join(rows))
            rows = []
            sep = ","
    if rows:
        out.append(sep + ",".join(rows))
    summary = counts(result.findings)
    summary["files"] = len(result.files)
    summary["fail_on"] = fail_on
    graph = _graph_pieces(result)
    tail = "" if graph is None else ',"graph":'
    out.append(f'],"summary":{json.dumps(summary, **_COMPACT)},'
               f'"targets":{json.dumps(_targets(result), **_COMPACT)}{tail}' + ("}" if graph is None else ""))
    if graph is not None:
        out.extend(graph)
        out.append("}")
    return out


def _head(rule, severity, fix) -> tuple[str, str]:
    """A finding's encoded text before its message, and between its end line and its service."""
    enc = encode_basestring
    return (f'{{"rule":{enc(rule.id)},"name":{enc(rule.name)},"severity":{enc(severity.label)},"message":',
            f',"fix":{enc(fix)},"service":')
