"""The ``map`` command's work: read the deployment as ``check`` does (wsgilint.pipeline.run, the
same model and the same rules, so the map shows the findings), build the graph
(wsgilint.graph) and write it as text, mermaid, dot or json."""

from __future__ import annotations

import gc
import os
import sys

FORMATS = {
    "text": "wsgilint.report.map_text:render",
    "mermaid": "wsgilint.report.map_mermaid:render",
    "dot": "wsgilint.report.map_dot:render",
    "json": "wsgilint.report.map_cli:render_json",
}


def render_json(graph, stream, **_: object) -> None:
    import json

    from wsgilint import __version__
    from wsgilint.report.escape import json_text

    doc = {"version": 1, "tool": {"name": "wsgilint", "version": __version__}, "graph": graph.as_json()}
    stream.write(json_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":"))) + "\n")


def run_map(paths=None, root=None, fmt="text", output=None, color=None, config_file=None, isolated=False) -> None:
    """Ends by raising SystemExit: 0 when the map was written, 2 on a usage error or nothing read."""
    gc.disable()  # a one-shot process: see wsgilint.pipeline.run
    import importlib

    from wsgilint import config as config_mod
    from wsgilint import discover, graph, pipeline
    from wsgilint.check_cmd import _die, _given_targets, _write_output

    target = FORMATS.get(fmt)
    if target is None:
        _die(f"unknown map format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    cwd = os.getcwd()
    try:
        cfg = config_mod.Config() if isolated else config_mod.load(config_file, cwd=cwd)
    except config_mod.ConfigError as exc:
        _die(str(exc))
    try:
        targets = _given_targets(cfg, httpd=None, uwsgi=None, nginx=None, openstack=None)
    except ValueError as exc:
        _die(str(exc))
    root = root or cfg.root
    if root is not None and not os.path.isdir(root):
        _die(f"--root {root}: not a directory")
    opts = pipeline.CheckOptions(paths=list(paths or []), root=root, defines=dict(cfg.defines), targets=targets,
                                 apps=cfg.apps)
    try:
        result = pipeline.run(opts)
    except (discover.UsageError, pipeline.NothingRead) as exc:
        _die(str(exc))
    g = graph.build(result.model, result.findings)
    mod, _, func = target.partition(":")
    render = getattr(importlib.import_module(mod), func)
    if color is None and os.environ.get("NO_COLOR"):
        color = False
    if output:
        import io

        buf = io.StringIO()
        render(g, buf, color=False, findings=result.findings)
        _write_output(output, buf.getvalue(), "--output")
    else:
        render(g, sys.stdout, color=color, findings=result.findings)
    raise SystemExit(0)
