"""`wsgilint map` in the terminal: each front end as a tree (front end -> route -> backend -> app,
and who starts the app), then the backends and apps no route in the check reaches.

Colour comes from rich exactly as in wsgilint.report.text (``_painter``: rich decides terminal,
NO_COLOR and the colour system; no rich import at all when the stream is piped and plain). The
tree is drawn here, line by line (rich's Tree renders the 10k-vhost tree's 40k lines through
Console segments: seconds; writing lines: milliseconds). Config text is shown through
wsgilint.report.escape.visible, so a hostile name cannot drive the terminal.
"""

from __future__ import annotations

from wsgilint.findings import Severity
from wsgilint.report.escape import visible

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_FLUSH = 4096


def badge(el) -> str:
    """``[2 findings, worst error]`` for a node or edge with findings, else ""."""
    n = len(el.findings)
    if not n:
        return ""
    return f"[{n} finding{'s' if n != 1 else ''}, {'worst ' if n > 1 else ''}{el.worst.label}]"


def _where(node) -> str:
    if not node.path:
        return ""
    return f"{node.path}:{node.line}" if node.line else node.path


def render(graph, stream, *, color: bool | None = None, findings=(), **_: object) -> None:
    from wsgilint.report.text import _painter

    paint = _painter(stream, color)
    if paint is None:
        def paint(_style: str, text: str) -> str:
            return text
    out: list[str] = []
    kids = graph.children()
    by_id = graph.by_id
    incoming: set[str] = {e.dst for e in graph.edges}
    started_by: dict[str, list] = {}
    for e in graph.edges:
        if by_id[e.src].kind == "launcher":
            started_by.setdefault(e.dst, []).append(by_id[e.src])

    def line(node, prefix: str, edge=None) -> str:
        text = visible(node.label)
        if node.worst is not None:
            text = paint(_STYLE[node.worst], text)
        else:
            text = paint("bold", text) if node.kind == "frontend" else text
        parts = [text]
        if node.service and node.kind in ("route", "app"):
            parts.append(paint("dim", f"({visible(node.service)})"))
        if node.version:
            parts.append(paint("dim", f"version {visible(node.version)}"))
        for flag in node.flags:
            parts.append(paint("magenta", f"<{flag}>"))
        b = badge(node)
        if b:
            parts.append(paint(_STYLE[node.worst], b))
        where = _where(node)
        if where:
            parts.append(paint("dim", visible(where)))
        head = ""
        if edge is not None:
            tag = visible(edge.label) if edge.label and edge.label not in ("serves", "runs") else ""
            eb = badge(edge)
            if eb:
                tag = f"{tag} {eb}".strip()
                tag = paint(_STYLE[edge.worst], tag)
            head = f"{tag} -> " if tag else ""
        return prefix + head + "  ".join(parts)

    def walk(node, prefix: str, last_prefix: str, seen: frozenset) -> None:
        edges = [e for e in kids.get(node.id, ()) if by_id[e.dst].kind != "launcher"]
        starters = started_by.get(node.id, [])
        items = [("edge", e) for e in edges] + [("launcher", s) for s in starters]
        for i, (what, item) in enumerate(items):
            last = i == len(items) - 1
            branch = last_prefix + ("└── " if last else "├── ")
            cont = last_prefix + ("    " if last else "│   ")
            if what == "launcher":
                out.append(line(item, branch + "started by "))
                continue
            child = by_id[item.dst]
            if child.id in seen:  # a loop (route -> route): shown once
                out.append(branch + f"(loop back to {visible(child.label)})")
                continue
            out.append(line(child, branch, item))
            walk(child, branch, cont, seen | {child.id})
            if len(out) > _FLUSH:
                out.append("")
                stream.write("\n".join(out))
                out.clear()

    fronts = graph.of_kind("frontend")
    for fe in fronts:
        out.append(line(fe, ""))
        walk(fe, "", "", frozenset((fe.id,)))
        out.append("")
    # What no front end in the check leads to.
    alone = [n for n in graph.nodes if n.kind in ("backend", "app") and n.id not in incoming]
    if alone:
        out.append(paint("bold", "Not reached by any route in this check:"))
        for n in alone:
            out.append(line(n, ""))
            walk(n, "", "", frozenset((n.id,)))
        out.append("")
    counts = {k: 0 for k in ("frontend", "route", "backend", "app", "launcher")}
    for n in graph.nodes:
        counts[n.kind] += 1
    summary = (f"{counts['frontend']} front end{'s' if counts['frontend'] != 1 else ''}, "
               f"{counts['route']} route{'s' if counts['route'] != 1 else ''}, "
               f"{counts['backend']} backend{'s' if counts['backend'] != 1 else ''}, "
               f"{counts['app']} app{'s' if counts['app'] != 1 else ''}")
    if counts["launcher"]:
        summary += f", {counts['launcher']} launcher{'s' if counts['launcher'] != 1 else ''}"
    if graph.unplaced:
        summary += f"; {len(graph.unplaced)} finding{'s' if len(graph.unplaced) != 1 else ''} on no node of the map"
    out.append(summary + ".")
    out.append("")
    stream.write("\n".join(out))
