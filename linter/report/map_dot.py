"""`wsgilint map --format dot`: Graphviz, left to right, one cluster per service (a large tree stays
readable: each service's front ends, routes, sockets and apps together), colour per worst severity.

Strings are DOT double-quoted strings: backslash and quote escaped, line ends and other control
characters written as visible escapes (wsgilint.report.escape.visible) so a config cannot end a
string, start an HTML label or add an attribute. `dot` itself checks the output (tests/test_map.py).
"""

from __future__ import annotations

import re

from wsgilint.report.escape import visible

_COLOUR = {"error": "#cc0000", "warning": "#bb8800", "info": "#0088aa"}
_SHAPE = {"frontend": "box", "route": "box", "backend": "cylinder", "app": "component", "launcher": "hexagon"}


def quote(text: str) -> str:
    text = visible(text).replace("\\", "\\\\").replace('"', '\\"')
    # Newlines and controls are already visible escapes; keep DOT's own record/escape letters inert.
    return f'"{text}"'


def _node(n) -> str:
    from wsgilint.report.map_text import badge

    lines = [n.label]
    if n.service and n.kind in ("route", "app"):
        lines.append(f"({n.service})")
    lines.extend(f"<{f}>" for f in n.flags)
    b = badge(n)
    if b:
        lines.append(b)
    text = "\\n".join(visible(x).replace("\\", "\\\\").replace('"', '\\"') for x in lines)
    attrs = [f'label="{text}"', f"shape={_SHAPE[n.kind]}"]
    if n.worst is not None:
        attrs.append(f'color="{_COLOUR[n.worst.label]}"')
        attrs.append("penwidth=2")
    if n.flags:
        attrs.append("style=dashed")
    if n.path:
        attrs.append(f"tooltip={quote(f'{n.path}:{n.line}' if n.line else n.path)}")
    return f"{n.id} [{', '.join(attrs)}];"


def _cluster(name: str) -> str:
    return "cluster_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def render(graph, stream, **_: object) -> None:
    from wsgilint.report.map_text import badge

    out = ["digraph wsgilint {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    groups: dict[str, list] = {}
    loose = []
    for n in graph.nodes:
        if n.service and n.kind != "launcher":
            groups.setdefault(n.service, []).append(n)
        else:
            loose.append(n)
    used: set[str] = set()
    for svc in sorted(groups):
        name = _cluster(svc)
        while name in used:  # two services that differ only in punctuation
            name += "_"
        used.add(name)
        out.append(f"  subgraph {name} {{")
        out.append(f"    label={quote(svc)};")
        out.append("    style=rounded;")
        out.extend(f"    {_node(n)}" for n in groups[svc])
        out.append("  }")
    out.extend(f"  {_node(n)}" for n in loose)
    for e in graph.edges:
        text = " ".join(x for x in (e.label, badge(e)) if x)
        attrs = [f"label={quote(text)}"] if text else []
        if e.worst is not None:
            attrs.append(f'color="{_COLOUR[e.worst.label]}"')
            attrs.append("penwidth=2")
        out.append(f"  {e.src} -> {e.dst}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    out.append("")
    stream.write("\n".join(out))
