"""The deployment as a graph: front ends -> routes -> backends -> apps <- launchers.

Built from the same model the rules judge (wsgilint.model), never from the files: this module
reads nothing. ``build(model, findings)`` returns a :class:`Graph` whose nodes and edges carry
the findings that point into them (a finding's span inside a node's directive, the smallest
one winning; a route's target span is the route -> backend edge), so every renderer
(wsgilint.report.map_text, map_mermaid, map_dot, html, the JSON report) shows the same picture.

Node ids are deterministic (``fe1``, ``rt1``, ``be1``, ``app1``, ``ln1``, ``e1`` in model
order), so golden tests and the JSON report's references are stable.

Cost is linear: one pass over routes, binds and apps, one bisect per finding.
"""

from __future__ import annotations

from bisect import bisect_right

from wsgilint.source import Span  # loaded by every check already (spans of directives and findings)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from wsgilint.findings import Finding, Severity
    from wsgilint.model.types import Deployment

# Columns, left to right: what a request meets first.
KINDS = ("frontend", "route", "backend", "app", "launcher")
_PREFIX = {"frontend": "fe", "route": "rt", "backend": "be", "app": "app", "launcher": "ln"}
_WALK_BACK = 64  # spans looked at per finding (nested sections are few; bounded whatever the input)


class Node:
    """One box of the map."""

    __slots__ = ("id", "kind", "label", "detail", "service", "path", "line", "flags", "findings", "worst",
                 "version")

    def __init__(self, id: str, kind: str, label: str, detail: str = "", service: str | None = None,
                 path: str = "", line: int = 0, flags: tuple[str, ...] = (), version: str = "") -> None:
        self.id = id
        self.kind = kind
        self.label = label
        self.detail = detail
        self.service = service
        self.path = path
        self.line = line
        self.flags = list(flags)
        self.findings: list[int] = []  # indices into the findings the graph was built with
        self.worst: Severity | None = None
        self.version = version

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "detail": self.detail,
                "service": self.service, "version": self.version or None, "path": self.path or None,
                "line": self.line or None, "flags": list(self.flags), "findings": list(self.findings),
                "worst": self.worst.label if self.worst is not None else None}


class Edge:
    """A link between two nodes: a front end's route, a route reaching a socket, a launcher starting an app."""

    __slots__ = ("id", "src", "dst", "label", "findings", "worst")

    def __init__(self, id: str, src: str, dst: str, label: str = "") -> None:
        self.id = id
        self.src = src
        self.dst = dst
        self.label = label
        self.findings: list[int] = []
        self.worst: Severity | None = None

    def as_json(self) -> dict:
        return {"id": self.id, "from": self.src, "to": self.dst, "label": self.label,
                "findings": list(self.findings), "worst": self.worst.label if self.worst is not None else None}


class Graph:
    """Nodes (in column order, then model order), edges, and which element each finding is on."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.by_id: dict[str, Node] = {}
        self.placed: dict[int, str] = {}  # finding index -> node or edge id
        self.unplaced: list[int] = []  # findings on no node (global directives, inactive sites, ...)
        self._count = {k: 0 for k in _PREFIX}
        self._edges: dict[tuple[str, str], Edge] = {}

    def add(self, kind: str, label: str, detail: str = "", service: str | None = None, path: str = "",
            line: int = 0, flags: tuple[str, ...] = (), version: str = "") -> Node:
        n = self._count[kind] = self._count[kind] + 1
        node = Node(f"{_PREFIX[kind]}{n}", kind, label, detail, service, path, line, flags, version)
        self.nodes.append(node)
        self.by_id[node.id] = node
        return node

    def link(self, src: Node, dst: Node, label: str = "") -> Edge:
        key = (src.id, dst.id)
        edge = self._edges.get(key)
        if edge is None:
            edge = self._edges[key] = Edge(f"e{len(self.edges) + 1}", src.id, dst.id, label)
            self.edges.append(edge)
        return edge

    def of_kind(self, kind: str) -> list[Node]:
        return [n for n in self.nodes if n.kind == kind]

    def children(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {}
        for e in self.edges:
            out.setdefault(e.src, []).append(e)
        return out

    def as_json(self) -> dict:
        order = {k: i for i, k in enumerate(KINDS)}
        nodes = sorted(self.nodes, key=lambda n: order[n.kind])  # stable: model order within a column
        return {"nodes": [n.as_json() for n in nodes], "edges": [e.as_json() for e in self.edges],
                "unplaced": list(self.unplaced)}

    def json_text(self) -> str:
        """``json.dumps(self.as_json(), separators=(",", ":"), ensure_ascii=False)``, byte for byte,
        without the dicts: on the 10k-vhost tree the 30k node and edge dicts were ~35 MB of the
        check's peak and their encoding ~0.1 s (bench/README.md, 2026-12-02). A field of another
        type than declared falls back to json.dumps (tests/report/test_graph_json.py)."""
        return "".join(self.json_pieces())

    def json_pieces(self) -> list[str]:
        """json_text() as pieces to write in order (joined ~1k elements at a time: no copy of the
        whole text next to its parts)."""
        import json
        from json.encoder import encode_basestring as enc

        try:
            return _json_pieces(self, enc)
        except TypeError:
            return [json.dumps(self.as_json(), separators=(",", ":"), ensure_ascii=False)]


def _json_pieces(g: Graph, enc) -> list[str]:
    cache: dict = {None: "null"}  # repeated strings (paths, kinds, labels) -> encoded; only str keys added
    get = cache.get

    def text(v) -> str:  # a value not seen yet: str or None, else TypeError (json.dumps then decides)
        if type(v) is not str:
            raise TypeError("str expected")
        return cache.setdefault(v, enc(v))

    def ints(values) -> str:
        for v in values:
            if type(v) is not int:
                raise TypeError("int expected")
        return ",".join(map(str, values))

    order = {k: i for i, k in enumerate(KINDS)}
    out = ['{"nodes":[']
    parts: list[str] = []
    sep = ""
    for n in sorted(g.nodes, key=lambda n: order[n.kind]):
        line = n.line or None
        if line is not None and type(line) is not int:
            raise TypeError("int expected")
        worst = n.worst.label if n.worst is not None else None
        version = n.version or None
        path = n.path or None
        label, detail = n.label, n.detail  # mostly unique: encoded directly, not cached
        parts.append(f'{{"id":{enc(n.id) if type(n.id) is str else text(n.id)},"kind":{get(n.kind) or text(n.kind)},'
                     f'"label":{enc(label) if type(label) is str else text(label)},'
                     f'"detail":{enc(detail) if type(detail) is str else text(detail)},'
                     f'"service":{get(n.service) or text(n.service)},"version":{get(version) or text(version)},'
                     f'"path":{get(path) or text(path)},"line":{"null" if line is None else line},'
                     f'"flags":[{",".join([get(x) or text(x) for x in n.flags])}],"findings":[{ints(n.findings)}],'
                     f'"worst":{get(worst) or text(worst)}}}')
        if len(parts) == 1024:
            out.append(sep + ",".join(parts))
            parts, sep = [], ","
    if parts:
        out.append(sep + ",".join(parts))
    out.append('],"edges":[')
    parts, sep = [], ""
    for e in g.edges:
        worst = e.worst.label if e.worst is not None else None
        src, dst = e.src, e.dst
        parts.append(f'{{"id":{enc(e.id) if type(e.id) is str else text(e.id)},'
                     f'"from":{enc(src) if type(src) is str else text(src)},'
                     f'"to":{enc(dst) if type(dst) is str else text(dst)},"label":{get(e.label) or text(e.label)},'
                     f'"findings":[{ints(e.findings)}],"worst":{get(worst) or text(worst)}}}')
        if len(parts) == 1024:
            out.append(sep + ",".join(parts))
            parts, sep = [], ","
    if parts:
        out.append(sep + ",".join(parts))
    out.append(f'],"unplaced":[{ints(g.unplaced)}]}}')
    return out


def _where(span) -> tuple[str, int]:
    if span is None:
        return "", 0
    return span.path, span.line


def build(model: "Deployment", findings: "list[Finding] | tuple" = ()) -> Graph:
    """The graph of ``model``, with ``findings`` (a check's result) placed on its nodes and edges."""
    g = Graph()
    spans: dict[str, list[tuple[int, int, object]]] = {}  # display path -> (start, end, node or edge)
    whole: dict[str, object] = {}  # display path -> the node a finding anywhere in it belongs to

    def claim(span, target) -> None:
        if span is not None:
            spans.setdefault(span.source.path, []).append((span.start, span.end, target))

    targets = model.targets

    def version_of(service: str | None) -> str:
        if not service:
            return ""
        found = targets.service_version(service)
        if found is None:
            return ""
        ver, source = found
        return f"{'.'.join(map(str, ver))} ({source})"

    backend_of_bind: dict[int, Node] = {}
    app_of_uwsgi: dict[int, Node] = {}
    route_nodes: list[tuple[object, Node]] = []
    fronts: dict[int, Node] = {}  # id(vhost or server directive) -> frontend node

    # Backends and apps first (routes point at them); shown in their own columns whatever the order.
    launchers: dict[tuple[str, str], Node] = {}
    for app in model.uwsgi:
        opt = app.app_option
        label = f"{opt.key} = {opt.value}" if opt is not None else "uWSGI app (no module, wsgi-file or mount)"
        path, line = _where(opt.span if opt is not None else app.span)
        svc = app.service
        an = g.add("app", label, service=svc, path=app.path, line=line,
                   detail=f"{svc} (known from {app.service_reason})" if svc else "service unknown",
                   version=version_of(svc))
        app_of_uwsgi[id(app)] = an
        whole[app.path] = an
        for b in app.binds:
            router = " router" if b.router else ""
            bpath, bline = _where(b.option.span)
            bn = g.add("backend", f"uWSGI {b.protocol}{router} socket {b.address}", service=svc, path=bpath,
                       line=bline, detail=f"{b.option.key} = {b.option.value}")
            if not model.routes_to(b):
                bn.flags.append("unreached")
            backend_of_bind[id(b)] = bn
            claim(b.option.span, bn)
            g.link(bn, an, "serves")
        launcher = getattr(app.config, "launcher", None)
        if launcher is not None:
            key = (launcher.kind, launcher.path)
            ln = launchers.get(key)
            if ln is None:
                ln = launchers[key] = g.add("launcher", f"{launcher.name}", path=launcher.path,
                                            detail=launcher.kind)
                whole.setdefault(launcher.path, ln)
            g.link(ln, an, "starts")

    for server in model.apache:
        main = None
        for r in server.routes:
            fe = fronts.get(id(r.vhost)) if r.vhost is not None else main
            if fe is None:
                fe = _apache_front(g, server, r.vhost, claim)
                if r.vhost is None:
                    main = fe
                else:
                    fronts[id(r.vhost)] = fe
            route_nodes.append((r, _route(g, r, fe, claim)))
        for vh in server.vhosts:  # a vhost with no route is still a front end
            if id(vh) not in fronts:
                fronts[id(vh)] = _apache_front(g, server, vh, claim)
    for ngx in model.nginx:
        main = None
        for r in ngx.routes:
            fe = fronts.get(id(r.vhost)) if r.vhost is not None else main
            if fe is None:
                fe = _nginx_front(g, r.vhost, claim)
                if r.vhost is None:
                    main = fe
                else:
                    fronts[id(r.vhost)] = fe
            route_nodes.append((r, _route(g, r, fe, claim)))
        for sv in ngx.servers:
            if id(sv) not in fronts:
                fronts[id(sv)] = _nginx_front(g, sv, claim)

    daemons: dict[int, Node] = {}
    scripts: dict[tuple[str, str], Node] = {}
    node_of_route = {id(r): n for r, n in route_nodes}
    for r, rn in route_nodes:
        svc = r.service
        if r.kind == "mod_wsgi":
            d = r.daemon
            script = r.script or r.target
            key = (d.name if d is not None else f"embedded:{r.server.path}", script)
            an = scripts.get(key)
            if an is None:
                an = scripts[key] = g.add("app", f"script {script}", service=svc, path=rn.path, line=rn.line,
                                          detail=f"{svc} (known from {r.service_reason})" if svc
                                          else "service unknown", version=version_of(svc))
                present = model.present.get(script)
                if present is False:
                    an.flags.append("missing")
            if d is not None:
                dn = daemons.get(id(d))
                if dn is None:
                    dpath, dline = _where(d.directive.span)
                    opts = " ".join(f"{k}={v}" for k, v in sorted(d.options.items()))
                    dn = daemons[id(d)] = g.add("backend", f"mod_wsgi daemon {d.name}", service=svc, path=dpath,
                                                line=dline, detail=opts)
                    claim(d.directive.span, dn)
                    g.link(dn, an, "runs")
                e = g.link(rn, dn, "WSGIProcessGroup")
            else:
                e = g.link(rn, an, "embedded")
            claim(r.target_span(), e)
            continue
        bn = backend_of_bind.get(id(r.bind)) if r.bind is not None else None
        if bn is not None:
            e = g.link(rn, bn, r.protocol or r.scheme)
            claim(r.target_span(), e)
        # A request sent on to another front end in this check (nginx -> Apache): route -> route.
        for f in getattr(r, "front", ()) or ():
            fn = node_of_route.get(id(f))
            if fn is not None:
                g.link(fn, rn, "forwards")
        onward = r.hop.onward if getattr(r, "hop", None) is not None else ""
        if bn is None and not onward:
            rn.flags.append("reaches nothing in this check")
    if findings:
        _place(g, findings, spans, whole)
    return g


def _extent(section):
    """The span of a whole section: from its opening line to its closing tag (Apache's node keeps
    the closing tag apart: ``close_end``; nginx's ``end`` is already after the ``}``)."""
    node = section.node
    close = getattr(node, "close_end", -1)
    if close is not None and close > node.end:
        return Span(node.source, node.start, close)  # one Span, not the opening line's and then this
    return section.span


def _apache_front(g: Graph, server, vhost, claim) -> Node:
    if vhost is None:
        listens = [" ".join(d.args) for d in server.directives("listen")]
        fe = g.add("frontend", f"Apache main server (Listen {', '.join(listens) or '?'})", path=server.path)
        return fe
    names = [a for d in vhost.children_named("servername") for a in d.args[:1]]
    label = f"Apache <VirtualHost {' '.join(vhost.args)}>" + (f" {names[0]}" if names else "")
    extent = _extent(vhost)  # the opening line's span, or a copy reaching the closing tag: same path and line
    path, line = _where(extent)
    fe = g.add("frontend", label, path=path, line=line)
    claim(extent, fe)
    return fe


def _nginx_front(g: Graph, server, claim) -> Node:
    if server is None:
        return g.add("frontend", "nginx (no server block)")
    listens = [" ".join(d.args) for d in server.children_named("listen")] or ["80"]
    names = [a for d in server.children_named("server_name") for a in d.args[:1]]
    label = f"nginx server listen {', '.join(listens)}" + (f" {names[0]}" if names else "")
    path, line = _where(server.span)
    fe = g.add("frontend", label, path=path, line=line)
    claim(_extent(server), fe)
    return fe


def _route(g: Graph, r, fe: Node, claim) -> Node:
    span = r.directive.span  # one Span (and one line lookup) per route, not two
    path, line = _where(span)
    rn = g.add("route", f"{r.path} {r.kind}", service=r.service, path=path, line=line,
               detail=f"{r.directive.name} {r.target}".strip())
    if fe.service is None and r.service:
        fe.service = r.service
    claim(span, rn)
    g.link(fe, rn)
    return rn


def _place(g: Graph, findings, spans: dict, whole: dict) -> None:
    """Each finding on the element whose span holds it (smallest first), else on the node of its file."""
    index: dict[str, tuple[list[int], list[tuple[int, int, object]]]] = {}
    for path, items in spans.items():
        items.sort(key=lambda t: (t[0], -t[1]))
        index[path] = ([t[0] for t in items], items)
    for i, f in enumerate(findings):
        target = _locate(f.span, index, whole) if f.span is not None else whole.get(f.path)
        if target is None:
            for rel in f.related:
                target = _locate(rel.span, index, whole)
                if target is not None:
                    break
        if target is None:
            g.unplaced.append(i)
            continue
        target.findings.append(i)
        if target.worst is None or f.severity > target.worst:
            target.worst = f.severity
        g.placed[i] = target.id


def _locate(span, index, whole):
    if span is None:
        return None
    path = span.source.path
    found = index.get(path)
    if found is not None:
        starts, items = found
        pos = span.start
        k = bisect_right(starts, pos) - 1
        best = None
        for j in range(k, max(-1, k - _WALK_BACK), -1):
            s, e, target = items[j]
            if s <= pos < max(e, s + 1) and (best is None or e - s < best[1] - best[0]):
                best = (s, e, target)
        if best is not None:
            return best[2]
    return whole.get(path)


def worst_label(sev) -> str:
    return sev.label if sev is not None else ""
