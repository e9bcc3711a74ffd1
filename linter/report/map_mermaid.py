"""`wsgilint map --format mermaid`: a flowchart (left to right) that renders in GitHub and GitLab
Markdown; one subgraph per service, a class per worst severity.

Labels are config text: every character outside a small safe set is written as mermaid's
``#NNN;`` entity (decimal code point), so no quote, bracket, pipe, ``<`` or newline from a
config can end a label or inject markup.
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"[^A-Za-z0-9 ./:_*,=+@-]")
_SHAPE = {"frontend": ('(["', '"])'), "route": ('["', '"]'), "backend": ('[("', '")]'), "app": ('[["', '"]]'),
          "launcher": ('{{"', '"}}')}


def label(text: str) -> str:
    return _SAFE.sub(lambda m: f"#{ord(m.group())};", text)


def _ident(text: str) -> str:
    return "svc_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


def _node_text(node) -> str:
    from wsgilint.report.map_text import badge

    text = label(node.label)
    extra = []
    if node.service and node.kind in ("route", "app"):
        extra.append(label(node.service))
    extra.extend(label(f) for f in node.flags)
    b = badge(node)
    if b:
        extra.append(label(b))
    return text + ("<br/>" + " - ".join(extra) if extra else "")


def render(graph, stream, **_: object) -> None:
    out = ["flowchart LR"]
    groups: dict[str, list] = {}
    loose = []
    for n in graph.nodes:
        if n.service and n.kind != "launcher":
            groups.setdefault(n.service, []).append(n)
        else:
            loose.append(n)

    def node_line(n, indent: str) -> str:
        left, right = _SHAPE[n.kind]
        return f"{indent}{n.id}{left}{_node_text(n)}{right}"

    for svc in sorted(groups):
        out.append(f'  subgraph {_ident(svc)}["{label(svc)}"]')
        out.extend(node_line(n, "    ") for n in groups[svc])
        out.append("  end")
    out.extend(node_line(n, "  ") for n in loose)
    styled: dict[str, list[int]] = {}
    for i, e in enumerate(graph.edges):
        from wsgilint.report.map_text import badge

        text = " ".join(x for x in (e.label, badge(e)) if x)
        arrow = f'-->|"{label(text)}"|' if text else "-->"
        out.append(f"  {e.src} {arrow} {e.dst}")
        if e.worst is not None:
            styled.setdefault(e.worst.label, []).append(i)
    out.append("  classDef error stroke:#c00,stroke-width:3px,fill:#fdd")
    out.append("  classDef warning stroke:#b80,stroke-width:2px,fill:#ffd")
    out.append("  classDef info stroke:#08a,fill:#def")
    out.append("  classDef flagged stroke-dasharray:5 5")
    by_sev: dict[str, list[str]] = {}
    for n in graph.nodes:
        if n.worst is not None:
            by_sev.setdefault(n.worst.label, []).append(n.id)
        elif n.flags:
            by_sev.setdefault("flagged", []).append(n.id)
    for sev in ("error", "warning", "info", "flagged"):
        if sev in by_sev:
            out.append(f"  class {','.join(by_sev[sev])} {sev}")
    colours = {"error": "#c00", "warning": "#b80", "info": "#08a"}
    for sev in ("error", "warning", "info"):
        if sev in styled:
            out.append(f"  linkStyle {','.join(map(str, styled[sev]))} stroke:{colours[sev]},stroke-width:2px")
    out.append("")
    stream.write("\n".join(out))
