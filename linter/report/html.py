"""`check --format html`: one self-contained file for a change-review meeting.

The deployment map (wsgilint.graph) drawn as inline SVG, laid out here (layered, left to right:
front ends -> routes -> backends -> apps -> launchers; order from a walk of the graph, so the same
tree gives the same bytes), the findings by route and by file with their source lines, each rule's
page, and filters by severity and rule. Nothing is fetched: no CDN, no font, no image; a
Content-Security-Policy allows no network at all and only this file's own script (by hash).

Everything from a configuration (labels, paths, messages, source lines) goes through
``html.escape``. The script is a constant; the only data it reads is a
``<script type="application/json">`` block whose ``<`` are written ``\\u003c``, so config text
can neither close that block nor become code. Large trees collapse: a column with more than
``MAX_BOXES`` boxes is drawn as one box per service ("4000 front ends: glance"), not 10k boxes.
"""

from __future__ import annotations

from html import escape

from wsgilint.findings import Severity

MAX_BOXES = 40  # per column; beyond it a column is grouped by service
_COLS = ("frontend", "route", "backend", "app", "launcher")
_TITLES = {"frontend": "Front ends", "route": "Routes", "backend": "Backends", "app": "Apps",
           "launcher": "Started by"}
_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _TOP = 230, 46, 70, 12, 34
_SEV = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def _e(text) -> str:
    from wsgilint.report.escape import visible

    return escape(visible("" if text is None else str(text)), quote=True)


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


class _Box:
    __slots__ = ("id", "kind", "label", "sub", "title", "worst", "count", "members", "x", "y", "flags")

    def __init__(self, id, kind, label, sub, title, worst, count, members, flags=()) -> None:
        self.id, self.kind, self.label, self.sub, self.title = id, kind, label, sub, title
        self.worst, self.count, self.members, self.flags = worst, count, members, list(flags)
        self.x = self.y = 0


def layout(graph) -> tuple[list[_Box], list[tuple], int, int, list[str]]:
    """Boxes (one per node, or one per service when a column is too long), edges between boxes
    (with how many graph edges each stands for and the worst severity on them), width, height."""
    from wsgilint.report.map_text import badge

    order: dict[str, int] = {}
    kids: dict[str, list[str]] = {}
    for e in graph.edges:
        kids.setdefault(e.src, []).append(e.dst)
    # A walk from the front ends orders every column so that edges mostly run straight.
    stack = [n.id for n in reversed(graph.of_kind("frontend"))]
    seen: set[str] = set()
    while stack:
        nid = stack.pop()
        if nid in seen:
            continue
        seen.add(nid)
        order[nid] = len(order)
        stack.extend(reversed(kids.get(nid, ())))
    for n in graph.nodes:
        if n.id not in order:
            order[n.id] = len(order)
    columns = [c for c in _COLS if any(n.kind == c for n in graph.nodes)]
    box_of: dict[str, _Box] = {}
    boxes: list[_Box] = []
    for ci, kind in enumerate(columns):
        nodes = sorted((n for n in graph.nodes if n.kind == kind), key=lambda n: order[n.id])
        if len(nodes) > MAX_BOXES:
            groups: dict[str, list] = {}
            for n in nodes:
                groups.setdefault(n.service or "(service unknown)", []).append(n)
            col = []
            for gi, (svc, members) in enumerate(sorted(groups.items())):
                worst = max((m.worst for m in members if m.worst is not None), default=None)
                count = sum(len(m.findings) for m in members)
                flagged = sum(1 for m in members if m.flags)
                title = f"{len(members)} {_TITLES[kind].lower()} of {svc}"
                sub = f"{count} finding{'s' if count != 1 else ''}" + (f", {flagged} flagged" if flagged else "")
                b = _Box(f"g-{kind}-{gi}", kind, f"{len(members)} \u00d7 {svc}", sub, title, worst, count,
                         [m.id for m in members])
                col.append(b)
                for m in members:
                    box_of[m.id] = b
        else:
            col = []
            for n in nodes:
                sub = " ".join(x for x in (n.service or "", badge(n), " ".join(f"<{f}>" for f in n.flags)) if x)
                title = n.label + (f"\n{n.detail}" if n.detail else "") + \
                    (f"\n{n.path}:{n.line}" if n.path else "") + (f"\nversion {n.version}" if n.version else "")
                b = _Box(n.id, kind, n.label, sub, title, n.worst, len(n.findings), [n.id], n.flags)
                col.append(b)
                box_of[n.id] = b
        for ri, b in enumerate(col):
            b.x = 10 + ci * (_BOX_W + _GAP_X)
            b.y = _TOP + ri * (_BOX_H + _GAP_Y)
        boxes.extend(col)
    links: dict[tuple[str, str], list] = {}
    for e in graph.edges:
        a, b = box_of.get(e.src), box_of.get(e.dst)
        if a is None or b is None or a is b:
            continue
        item = links.get((a.id, b.id))
        if item is None:
            item = links[(a.id, b.id)] = [a, b, 0, None]
        item[2] += 1
        if e.worst is not None and (item[3] is None or e.worst > item[3]):
            item[3] = e.worst
    width = 20 + len(columns) * (_BOX_W + _GAP_X) - _GAP_X
    height = _TOP + max((b.y - _TOP + _BOX_H for b in boxes), default=0) + 10
    return boxes, [tuple(v) for v in links.values()], max(width, 200), max(height, 60), columns


def svg(graph) -> str:
    boxes, links, width, height, columns = layout(graph)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="map" role="img" aria-label="deployment map" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for ci, kind in enumerate(columns):
        out.append(f'<text class="col" x="{10 + ci * (_BOX_W + _GAP_X)}" y="18">{_e(_TITLES[kind])}</text>')
    for a, b, count, worst in links:
        x1, y1 = a.x + _BOX_W, a.y + _BOX_H // 2
        x2, y2 = b.x, b.y + _BOX_H // 2
        if b.x <= a.x:  # backwards (route -> route through another front end): around the boxes
            x2 = b.x + _BOX_W
        mid = (x1 + x2) // 2
        cls = f"edge {_SEV[worst]}" if worst is not None else "edge"
        label = f"<title>{count} link{'s' if count != 1 else ''}</title>" if count > 1 else ""
        out.append(f'<path class="{cls}" d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}">{label}</path>')
    for b in boxes:
        cls = f"box {b.kind}" + (f" {_SEV[b.worst]}" if b.worst is not None else "") + (" flagged" if b.flags else "")
        out.append(f'<g class="{cls}" data-node="{_e(b.id)}" data-members="{_e(" ".join(b.members))}" tabindex="0">'
                   f'<title>{_e(b.title)}</title>'
                   f'<rect x="{b.x}" y="{b.y}" width="{_BOX_W}" height="{_BOX_H}" rx="6"/>'
                   f'<text x="{b.x + 8}" y="{b.y + 18}">{_e(_short(b.label))}</text>'
                   f'<text class="sub" x="{b.x + 8}" y="{b.y + 36}">{_e(_short(b.sub, 40))}</text></g>')
    out.append("</svg>")
    return "".join(out)


_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1400px;padding:1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
#mapwrap{overflow:auto;border:1px solid #ddd;border-radius:6px;background:#fafafa;max-height:75vh}
svg text{font:12px system-ui,sans-serif;fill:#222}svg text.col{font-weight:bold}svg text.sub{fill:#555;font-size:11px}
.box rect{fill:#fff;stroke:#889;stroke-width:1.2}.box.frontend rect{fill:#eef4ff}.box.app rect{fill:#f2fff0}
.box.launcher rect{fill:#f7f0ff}.box.error rect{stroke:#c00;stroke-width:3;fill:#fff0f0}
.box.warning rect{stroke:#b80;stroke-width:2.5}.box.info rect{stroke:#08a;stroke-width:2}
.box.flagged rect{stroke-dasharray:5 4}.box{cursor:pointer}.box.sel rect{stroke:#000;stroke-width:3}
.edge{fill:none;stroke:#99a;stroke-width:1.4}.edge.error{stroke:#c00;stroke-width:2.5}
.edge.warning{stroke:#b80;stroke-width:2}.edge.info{stroke:#08a}
.sev{font-weight:bold}.finding .sev{display:inline-block;min-width:4.5em}.sev.error{color:#c00}.sev.warning{color:#a70}.sev.info{color:#078}
.finding{border-left:4px solid #ccc;padding:.3em .6em;margin:.4em 0}.finding.error{border-color:#c00}
.finding.warning{border-color:#b80}.finding.info{border-color:#08a}
pre{background:#f4f4f4;padding:.3em .5em;overflow-x:auto;margin:.3em 0;white-space:pre-wrap}
.fix{color:#262}.where{font-family:monospace;color:#444}.hidden{display:none}
#filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd;z-index:1}
#filters label{margin-right:1em}#sel{margin-left:1em;color:#444}
details>summary{cursor:pointer}
@media print{#filters{display:none}#mapwrap{max-height:none;overflow:visible;border:0}details{display:block}
details>*{display:block}.finding{break-inside:avoid}body{max-width:none}}
"""

# Constant: no config text is ever part of it (the CSP names its hash).
_JS = """
(function(){
var data=JSON.parse(document.getElementById('wsgilint-data').textContent);
var rows=[].slice.call(document.querySelectorAll('.finding'));
var boxes=[].slice.call(document.querySelectorAll('#map .box'));
var selected=null;
function apply(){
  var sev={};[].forEach.call(document.querySelectorAll('input.sevf'),function(c){sev[c.value]=c.checked;});
  var rule=document.getElementById('rulef').value;
  var shown=0;
  rows.forEach(function(r){
    var ok=sev[r.getAttribute('data-severity')]&&(!rule||r.getAttribute('data-rule')===rule);
    if(ok&&selected){ok=selected.indexOf(r.getAttribute('data-node'))>=0;}
    r.classList.toggle('hidden',!ok);if(ok&&r.classList.contains('byfile')){shown++;}
  });
  document.getElementById('shown').textContent=String(shown);
}
[].forEach.call(document.querySelectorAll('#filters input, #filters select'),function(el){el.addEventListener('change',apply);});
boxes.forEach(function(b){
  function pick(){
    var members=b.getAttribute('data-members').split(' ');
    var same=selected&&selected.join(' ')===members.join(' ');
    boxes.forEach(function(x){x.classList.remove('sel');});
    selected=same?null:members;
    if(!same){b.classList.add('sel');}
    var n=data.nodes[members[0]];
    document.getElementById('sel').textContent=same?'':(members.length>1?members.length+' nodes selected':(n?n.label+(n.path?' ('+n.path+(n.line?':'+n.line:'')+')':''):''));
    apply();
  }
  b.addEventListener('click',pick);
  b.addEventListener('keydown',function(ev){if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();pick();}});
});
apply();
document.body.setAttribute('data-ready','1');
})();
"""


def _data_json(graph) -> str:
    import json

    nodes = {n.id: {"label": n.label, "path": n.path, "line": n.line, "kind": n.kind} for n in graph.nodes}
    text = json.dumps({"nodes": nodes}, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    # Inside <script>: no "<" at all (so no "</script" or "<!--"), and & / > too for good measure.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _finding_html(i: int, f, node_id: str, section: str) -> str:
    sev = f.severity.label
    src = ""
    if f.span is not None and f.line:
        lines = []
        for ln in range(f.line, min(f.end_line, f.line + 4) + 1):
            lines.append(f"{ln:>5} | {f.span.source.line_text(ln)}")
        src = f"<pre>{_e(chr(10).join(lines))}</pre>"
    related = "".join(f'<div class="where">note: {_e(r.span.path)}:{r.span.line}: {_e(r.message)}</div>'
                      for r in f.related)
    svc = f" ({_e(f.service)})" if f.service else ""
    return (f'<div class="finding {sev} {section}" id="{section}-{i}" data-severity="{sev}" data-rule="{_e(f.rule.id)}" '
            f'data-node="{_e(node_id)}"><span class="sev {sev}">{sev}</span> '
            f'<a href="#rule-{_e(f.rule.id)}">{_e(f.rule.id)}</a> {_e(f.rule.name)}{svc}'
            f'<div class="where">{_e(f.path)}:{f.line}:{f.column}</div>{src}<div>{_e(f.message)}</div>'
            f'{related}<div class="fix">fix: {_e(f.fix)}</div></div>')


def render(result, stream, *, fail_on: str = "warning", **_: object) -> None:
    import hashlib
    from base64 import b64encode

    from wsgilint import __version__, graph as graph_mod
    from wsgilint.report.summary import counts

    findings = result.findings
    model = getattr(result, "model", None)
    g = graph_mod.build(model, findings) if model is not None else graph_mod.Graph()
    c = counts(findings)
    script_hash = b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode("ascii")
    w = stream.write
    w("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      f"script-src 'sha256-{script_hash}'; img-src data:; base-uri 'none'; form-action 'none'\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      f"<title>wsgilint report</title><style>{_CSS}</style></head><body>\n")
    w(f"<h1>wsgilint report</h1><p>wsgilint {_e(__version__)}: {c['total']} finding{'s' if c['total'] != 1 else ''} "
      f"(<span class=\"sev error\">{c['error']} error</span>, <span class=\"sev warning\">{c['warning']} warning"
      f"</span>, <span class=\"sev info\">{c['info']} info</span>) in {len(result.files)} files; "
      + ("never failing" if fail_on == "never" else f"failing on {_e(fail_on)} and above") + ".</p>\n")
    targets = model.targets.as_json() if model is not None else []
    if targets:
        w("<p>Versions judged against: " + "; ".join(
            f"{_e(t['component'])} {_e(t['version'])} ({_e(t['origin'])}: {_e(t['source'])})" for t in targets)
          + "</p>\n")
    w("<h2>Map</h2><p>Click a box to show only its findings; click it again to show all. "
      "Dashed: a route that reaches nothing in this check, or a backend no route reaches.</p>"
      f"<div id=\"mapwrap\">{svg(g)}</div>\n")
    rules = sorted({f.rule.id: f.rule for f in findings}.values(), key=lambda r: r.id)
    w("<div id=\"filters\"><strong>Show:</strong> "
      + "".join(f'<label><input type="checkbox" class="sevf" value="{s}" checked> {s}</label>'
                for s in ("error", "warning", "info"))
      + '<label>rule <select id="rulef"><option value="">all</option>'
      + "".join(f'<option value="{_e(r.id)}">{_e(r.id)} {_e(r.name)}</option>' for r in rules)
      + f'</select></label> <span id="shown">{len(findings)}</span> shown<span id="sel"></span></div>\n')
    # By route: the findings placed on each route (and its edges), then the rest by file.
    by_node: dict[str, list[int]] = {}
    for i in range(len(findings)):
        nid = g.placed.get(i)
        if nid is not None:
            by_node.setdefault(nid, []).append(i)
    w("<h2>Findings by route</h2>\n")
    route_of_edge = {e.id: e.src for e in g.edges if g.by_id.get(e.src) is not None
                     and g.by_id[e.src].kind == "route"}

    def node_of(i: int) -> str:  # a finding on a route's edge is the route's when a box is clicked
        nid = g.placed.get(i, "")
        return route_of_edge.get(nid, nid)

    per_route: dict[str, list[int]] = {}
    for nid, idx in by_node.items():
        rid = route_of_edge.get(nid, nid)
        if rid in g.by_id and g.by_id[rid].kind == "route":
            per_route.setdefault(rid, []).extend(idx)
    many = len(per_route) > 50
    shown_any = False
    for n in g.of_kind("route"):
        idx = sorted(per_route.get(n.id, ()))
        if not idx:
            continue
        shown_any = True
        w(f"<details{'' if many else ' open'}><summary>{_e(n.label)} ({_e(n.service or 'service unknown')}) "
          f"<span class=\"where\">{_e(n.path)}:{n.line}</span>: {len(idx)}</summary>\n")
        for i in idx:
            w(_finding_html(i, findings[i], node_of(i), "byroute") + "\n")
        w("</details>\n")
    if not shown_any:
        w("<p>No finding is on a route.</p>\n")
    w("<h2>Findings by file</h2>\n")
    files: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        files.setdefault(f.path, []).append(i)
    many = len(files) > 50
    for path, idx in files.items():
        w(f"<details{'' if many else ' open'}><summary class=\"where\">{_e(path)}: {len(idx)}</summary>\n")
        for i in idx:
            w(_finding_html(i, findings[i], node_of(i), "byfile") + "\n")
        w("</details>\n")
    if not files:
        w("<p>No problems found.</p>\n")
    w("<h2>Rules</h2>\n")
    for r in rules:
        refs = "".join(f"<li>{_e(ref)}</li>" for ref in r.references)
        w(f'<details id="rule-{_e(r.id)}"><summary>{_e(r.id)} {_e(r.name)} ({_e(r.severity.label)}): '
          f"{_e(r.summary)}</summary><pre>{_e((r.docs or '').strip())}</pre><p class=\"fix\">fix: {_e(r.fix)}</p>"
          f"{'<ul>' + refs + '</ul>' if refs else ''}</details>\n")
    w(f'<script type="application/json" id="wsgilint-data">{_data_json(g)}</script>\n')
    w(f"<script>{_JS}</script>\n</body></html>\n")
