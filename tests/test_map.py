"""`wsgilint map`: golden outputs (text, mermaid, dot, json) on the example, a Red Hat and an nginx
deployment; dot checked by the real Graphviz `dot` (Debian graphviz: no warnings, the nodes it
reads are ours); the graph in `check --format json` against the shipped schema; hostile names
that cannot break out of a mermaid label or a DOT string; colour only when asked.

WSGILINT_UPDATE_FIXTURES=1 rewrites the goldens under fixtures/map/golden/: review the diff.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from importlib import resources

import pytest
from conftest import FIXTURES, PROJECT, update_fixtures
from oracle import find_binary, missing
from test_cli import run

from wsgilint import graph as graph_mod
from wsgilint import pipeline

GOLDEN = FIXTURES / "map" / "golden"
TREES = {
    "example": "fixtures/example",
    "redhat": "fixtures/deployments/redhat",
    "nginx": "fixtures/deployments/nginx-debian-good",
}
HOSTILE = "fixtures/map/hostile"
EXT = {"text": "txt", "mermaid": "mmd", "dot": "dot", "json": "json"}


def _map(root: str, fmt: str, *extra: str, env=None) -> str:
    proc = run("map", "--root", root, "--format", fmt, *extra, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


@pytest.mark.parametrize("fmt", sorted(EXT))
@pytest.mark.parametrize("name", sorted(TREES))
def test_golden(name, fmt):
    got = _map(TREES[name], fmt)
    snap = GOLDEN / f"{name}.{EXT[fmt]}"
    if update_fixtures():
        snap.parent.mkdir(parents=True, exist_ok=True)
        snap.write_text(got, encoding="utf-8")
    assert snap.exists(), f"missing {snap} (run with WSGILINT_UPDATE_FIXTURES=1, then review)"
    assert got == snap.read_text(encoding="utf-8")


def test_example_map_shows_what_the_findings_say():
    text = _map("fixtures/example", "text")
    # glance's ProxyPass target is WSG401's span: the route -> socket edge carries the error.
    assert re.search(r"uwsgi \[1 finding, error\] -> uWSGI uwsgi socket unix:/run/uwsgi/glance-api.socket", text)
    assert "mod_wsgi daemon keystone-public" in text
    assert "1 finding on no node of the map" in text  # WSG204 on an inactive site


def test_unreached_and_dangling_are_flagged():
    text = _map(HOSTILE, "text")
    assert text.count("<reaches nothing in this check>") == 4  # :60997 and :60996 are served by nothing
    doc = json.loads(_map(HOSTILE, "json"))
    flagged = [n for n in doc["graph"]["nodes"] if n["flags"]]
    assert {n["kind"] for n in flagged} == {"route"}


def _graph(root: str):
    result = pipeline.run(pipeline.CheckOptions(paths=[], root=str(PROJECT / root)))
    return result, graph_mod.build(result.model, result.findings)


@pytest.mark.parametrize("root", [*TREES.values(), HOSTILE])
def test_every_finding_is_placed_exactly_once(root):
    result, g = _graph(root)
    seen = [i for el in [*g.nodes, *g.edges] for i in el.findings] + g.unplaced
    assert sorted(seen) == list(range(len(result.findings)))
    for el in [*g.nodes, *g.edges]:
        if el.findings:
            assert el.worst == max(result.findings[i].severity for i in el.findings)


def _schema() -> dict:
    ref = resources.files("wsgilint.report").joinpath("schema/wsgilint-report.schema.json")
    return json.loads(ref.read_text(encoding="utf-8"))


@pytest.mark.parametrize("root", [*TREES.values(), HOSTILE])
def test_check_json_carries_the_graph_and_validates(root):
    import jsonschema

    proc = run("check", "--root", root, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.Draft202012Validator(_schema()).validate(doc)
    assert doc["version"] == 1
    g = doc["graph"]
    ids = {n["id"] for n in g["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in g["edges"])
    placed = sorted(i for el in g["nodes"] + g["edges"] for i in el["findings"]) + g["unplaced"]
    assert sorted(placed) == list(range(len(doc["findings"])))
    # The map command's json is the same graph.
    assert json.loads(_map(root, "json"))["graph"] == g


def test_schema_rejects_a_bad_graph():
    import jsonschema

    doc = json.loads(run("check", "--root", "fixtures/example", "--format", "json").stdout)
    doc["graph"]["nodes"][0]["kind"] = "database"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema()).validate(doc)


def _dot() -> str:
    dot = find_binary("dot")
    if dot is None:
        missing("Graphviz dot (Debian package graphviz)", "the map's --format dot")
    return dot


@pytest.mark.parametrize("root", [*TREES.values(), HOSTILE])
def test_dot_is_read_by_graphviz_without_warnings_and_holds_only_our_nodes(root):
    dot = _dot()
    text = _map(root, "dot")
    proc = subprocess.run([dot, "-Tjson"], input=text, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no syntax warnings, no "unknown attribute"
    _, g = _graph(root)
    laid = json.loads(proc.stdout)
    names = {o["name"] for o in laid.get("objects", []) if "nodes" not in o and not o["name"].startswith("cluster_")}
    assert names == {n.id for n in g.nodes}
    assert len(laid.get("edges", [])) == len(g.edges)
    svg = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
    assert svg.returncode == 0 and svg.stderr == ""


def test_dot_keeps_hostile_labels_as_text():
    dot = _dot()
    laid = json.loads(subprocess.run([dot, "-Tjson"], input=_map(HOSTILE, "dot"), capture_output=True, text=True,
                                     timeout=60).stdout)
    labels = {o["name"]: o["label"] for o in laid["objects"] if "label" in o and not o["name"].startswith("cluster_")}
    _, g = _graph(HOSTILE)
    for n in g.nodes:
        assert labels[n.id].split("\\n")[0] == n.label  # the whole label, as text: nothing became syntax


_MERMAID_NODE = re.compile(r'^ +(fe|rt|be|app|ln)[0-9]+(\(\[|\[\(|\[\[|\{\{|\[)"[^"\[\]<>{}|()]*"(\]\)|\)\]|\]\]|\}\}|\])$')
_MERMAID_EDGE = re.compile(r'^  (fe|rt|be|app|ln)[0-9]+ -->(\|"[^"|<>]*"\|)? (fe|rt|be|app|ln)[0-9]+$')


@pytest.mark.parametrize("root", [*TREES.values(), HOSTILE])
def test_mermaid_lines_have_the_expected_shape(root):
    """No config character survives as mermaid syntax: every line is one of the shapes we write
    (labels hold only entity codes, <br/> and safe characters)."""
    lines = _map(root, "mermaid").rstrip("\n").split("\n")
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        line = line.replace("<br/>", " ")
        ok = (_MERMAID_NODE.match(line) or _MERMAID_EDGE.match(line)
              or re.match(r'^  subgraph svc_\w+\["[^"\[\]<>]*"\]$', line) or line == "  end"
              or re.match(r"^  (classDef|class|linkStyle) [\w,:#. -]+$", line))
        assert ok, line


def _map_env(*args: str, **env: str) -> str:
    import os
    import sys

    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")}
    e.update(env)
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "map", "--root", "fixtures/example", *args],
                          cwd=PROJECT, capture_output=True, text=True, env=e, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_colour_only_when_asked():
    plain = _map_env()
    assert "\x1b[" not in plain  # piped: plain
    forced = _map_env("--color")
    assert "\x1b[" in forced
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced) == plain
    assert "\x1b[" in _map_env(FORCE_COLOR="1")  # rich's own override, as for check
    # NO_COLOR wins over FORCE_COLOR when --color is not given.
    assert "\x1b[" not in _map_env(NO_COLOR="1", FORCE_COLOR="1")


def test_terminal_escapes_in_names_are_made_visible(tmp_path):
    root = tmp_path / "etc" / "uwsgi" / "apps-enabled"
    root.mkdir(parents=True)
    (root / "x.ini").write_text("[uwsgi]\nsocket = /run/x.sock\nmodule = evil\x1b]0;owned\x07:app\n")
    text = _map(str(tmp_path), "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b" in text


def test_output_file_and_usage_errors(tmp_path):
    out = tmp_path / "map.mmd"
    proc = run("map", "--root", "fixtures/example", "--format", "mermaid", "--output", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    assert out.read_text().startswith("flowchart LR\n")
    bad = run("map", "--root", "fixtures/example", "--format", "png")
    assert bad.returncode == 2 and "unknown map format 'png'" in bad.stderr
    none = run("map", "--root", str(tmp_path / "nope"))
    assert none.returncode == 2 and "not a directory" in none.stderr


# -- mermaid, read by the real mermaid (npm package `mermaid`, run in headless Chromium) -------
# No Debian package ships mermaid; the test uses it where `npm install mermaid` put it
# (WSGILINT_MERMAID_JS, or /opt/wsgilint-mermaid/node_modules/mermaid/dist/mermaid.min.js) and
# otherwise skips loudly (it is not in scripts/install-deps.sh, so it never fails CI for being absent).
_MERMAID_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<pre id="src">{src}</pre><div id="out"></div>
<script src="mermaid.min.js"></script>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: 'strict'}});
var text = document.getElementById('src').textContent;
mermaid.parse(text).then(function () {{ return mermaid.render('g', text); }}).then(function (r) {{
  document.getElementById('out').innerHTML = r.svg; document.body.setAttribute('data-result', 'ok');
}}).catch(function (e) {{ document.body.setAttribute('data-result', 'error: ' + e.message); }});
</script></body></html>"""


def _mermaid_js():
    import os
    from pathlib import Path

    for cand in (os.environ.get("WSGILINT_MERMAID_JS", ""),
                 "/opt/wsgilint-mermaid/node_modules/mermaid/dist/mermaid.min.js"):
        if cand and Path(cand).is_file():
            return Path(cand)
    pytest.skip("MERMAID MISSING: `npm install mermaid` into /opt/wsgilint-mermaid or set WSGILINT_MERMAID_JS "
                "(no Debian package provides mermaid)")


@pytest.mark.parametrize("root", [*TREES.values(), HOSTILE])
def test_mermaid_is_read_and_drawn_by_mermaid(root, tmp_path):
    import html
    import shutil

    js = _mermaid_js()
    exe = find_binary("chromium")
    if exe is None:
        missing("Chromium (Debian package chromium)", "mermaid's own parser runs in it")
    shutil.copy(js, tmp_path / "mermaid.min.js")
    text = _map(root, "mermaid")
    page = tmp_path / "m.html"
    page.write_text(_MERMAID_PAGE.format(src=html.escape(text)))
    proc = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                           "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = re.search(r'data-result="([^"]*)"', proc.stdout)
    assert result is not None and result.group(1) == "ok", result and result.group(1)
    _, g = _graph(root)
    # Node ids: "g-flowchart-fe1-0" (mermaid 10, render id prefix) or "flowchart-fe1-0" (11.12).
    drawn = set(re.findall(r'id="(?:g-)?flowchart-((?:fe|rt|be|app|ln)[0-9]+)-[0-9]+"', proc.stdout))
    assert drawn == {n.id for n in g.nodes}  # every node drawn, none added by a label
