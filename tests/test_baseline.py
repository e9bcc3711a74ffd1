"""Baselines end to end through the CLI: record, edit above a finding, add a new one, move directories."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES
from test_cli import run

EXAMPLE = FIXTURES / "example"


def _tree(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "deploy")
    return tmp_path / "deploy"


def _json(proc):
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_create_then_only_new_findings(tmp_path):
    tree = _tree(tmp_path)
    base = tmp_path / "wsgilint-baseline.json"
    proc = run("check", "--root", "deploy", "--create-baseline", str(base), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(base.read_text())
    assert doc["version"] == 1 and doc["findings"]
    assert all("line" not in e and e["context"] is not None for e in doc["findings"])
    assert any(e["rule"] == "WSG401" and "ProxyPass" in e["context"] for e in doc["findings"])
    # Nothing changed: nothing is new, exit 0 even though findings exist.
    proc = run("check", "--root", "deploy", "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0 and _json(proc) == []

    # Edit above the findings: lines move, nothing resurrects.
    site = tree / "etc/apache2/sites-enabled/glance-api.conf"
    ini = tree / "etc/glance/glance-api-uwsgi.ini"
    site.write_text("# reviewed 2026-11\n\n\n" + site.read_text())
    ini.write_text("; owner: images team\n" + ini.read_text())
    before = {(f["rule"], f["line"]) for f in _json(run("check", "--root", "deploy", "-f", "json", cwd=tmp_path))}
    assert ("WSG401", 9) in before  # it did move (line 6 -> 9)
    proc = run("check", "--root", "deploy", "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0 and _json(proc) == []

    # A new problem is reported, and only it.
    site.write_text(site.read_text() + "<VirtualHost *:9393>\n"
                    "    ProxyPass /v2 unix:/run/uwsgi/glance-api.socket|uwsgi://glance-api/ retry=0\n"
                    "</VirtualHost>\n")
    proc = run("check", "--root", "deploy", "--baseline", str(base), "-f", "json", cwd=tmp_path)
    new = _json(proc)
    assert {(f["rule"], f["line"]) for f in new if f["rule"] == "WSG401"} == {("WSG401", 13)}, new
    assert all(f["line"] >= 12 and f["path"].endswith("glance-api.conf") for f in new), new
    assert proc.returncode == 1


def test_fixed_findings_are_noted_and_paths_are_relative_to_the_baseline(tmp_path):
    _tree(tmp_path)
    (tmp_path / "ci").mkdir()
    base = tmp_path / "ci" / "baseline.json"
    assert run("check", "--root", "deploy", "--create-baseline", str(base), cwd=tmp_path).returncode == 0
    assert all(e["path"].startswith("../deploy/") for e in json.loads(base.read_text())["findings"])
    # Run from another directory: the same findings still match.
    proc = run("check", "--root", "../deploy", "--baseline", "baseline.json", "-f", "json", cwd=tmp_path / "ci")
    assert proc.returncode == 0 and _json(proc) == []
    # A finding fixed since: reported on stderr, not an error.
    site = tmp_path / "deploy/etc/apache2/sites-enabled/glance-api.conf"
    site.write_text(site.read_text().replace("SetEnv proxy-sendcl 1", ""))
    proc = run("check", "--root", "deploy", "--baseline", str(base), cwd=tmp_path)
    assert proc.returncode == 0 and "no longer found" in proc.stderr


def test_repeated_finding_beyond_the_recorded_count_is_new(tmp_path):
    tree = _tree(tmp_path)
    base = tmp_path / "b.json"
    run("check", "--root", "deploy", "--create-baseline", str(base), cwd=tmp_path)
    site = tree / "etc/apache2/sites-enabled/glance-api.conf"
    text = site.read_text()
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("ProxyPass "))
    site.write_text(text.replace(line, line + "\n" + line, 1))  # the same directive twice, same context
    new = _json(run("check", "--root", "deploy", "--baseline", str(base), "-f", "json", cwd=tmp_path))
    assert [f["rule"] for f in new if f["rule"] == "WSG401"] == ["WSG401"]


def test_bad_baseline_is_exit_2(tmp_path):
    _tree(tmp_path)
    for body in ("not json", '{"version": 99, "findings": []}', '{"version": 1, "findings": [{"x": 1}]}'):
        (tmp_path / "b.json").write_text(body)
        proc = run("check", "--root", "deploy", "--baseline", "b.json", cwd=tmp_path)
        assert proc.returncode == 2 and proc.stderr.startswith("wsgilint: error:") and "b.json" in proc.stderr
    proc = run("check", "--root", "deploy", "--baseline", "missing.json", cwd=tmp_path)
    assert proc.returncode == 2


def _long_headers_tree(root, findings: int, header: int, depth: int = 30):
    a = root / "etc/apache2"
    a.mkdir(parents=True)
    with open(a / "apache2.conf", "w") as f:
        f.write("ServerName x\n")
        for i in range(depth):
            f.write(f"<IfDefine !X{i}{'y' * header}>\n")
        for i in range(findings):
            f.write(f"Include /missing{i}\n")
        for _ in range(depth):
            f.write("</IfDefine>\n")
    return root


def test_long_contexts_are_bounded_and_the_baseline_grows_linearly(tmp_path):
    """200 nested 10 KB headers repeated whole per finding made a baseline quadratic
    (../shared/hostile/superlinear-baseline-context); the bounded form keeps head, hash and tail."""
    sizes = []
    for k in (1, 4):
        tree = _long_headers_tree(tmp_path / f"t{k}", 10 * k, 400 * k)
        base = tmp_path / f"b{k}.json"
        proc = run("check", "--root", str(tree), "--create-baseline", str(base), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(base.read_text())
        ctxs = [e["context"] for e in doc["findings"] if e["context"].endswith("Include /missing3")]
        assert len(ctxs) == 1 and "…[sha256:" in ctxs[0] and len(ctxs[0]) < 400, ctxs
        assert len({e["context"] for e in doc["findings"]}) == len(doc["findings"])  # still tells them apart
        sizes.append(base.stat().st_size)
        # The baseline matches the check that wrote it.
        proc = run("check", "--root", str(tree), "--baseline", str(base), "-f", "json", cwd=tmp_path)
        assert proc.returncode == 0 and _json(proc) == [], proc.stderr
    assert sizes[1] <= 6 * sizes[0], sizes  # 4x findings and 4x header bytes: ~4x, not ~16x


def test_a_baseline_with_whole_long_contexts_still_matches(tmp_path):
    """A baseline written before contexts were bounded holds the whole chain: it still matches."""
    from wsgilint.context import CONTEXT_CAP

    tree = _long_headers_tree(tmp_path / "t", 3, 100)
    base = tmp_path / "b.json"
    proc = run("check", "--root", str(tree), "--create-baseline", str(base), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(base.read_text())
    conf = (tree / "etc/apache2/apache2.conf").read_text().splitlines()
    heads = [line for line in conf if line.startswith("<IfDefine")]
    for e in doc["findings"]:  # what the older wsgilint wrote: every label in full, outermost first
        inner = e["context"].rsplit(" > ", 1)[-1]
        e["context"] = " > ".join(heads + [inner])
        assert len(e["context"]) > CONTEXT_CAP
    base.write_text(json.dumps(doc))
    proc = run("check", "--root", str(tree), "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0 and _json(proc) == [], proc.stderr
    # and one entry changed is new again (the match is not vacuous)
    doc["findings"][0]["context"] = doc["findings"][0]["context"].replace("X7", "X8", 1)
    base.write_text(json.dumps(doc))
    proc = run("check", "--root", str(tree), "--baseline", str(base), "-f", "json", cwd=tmp_path)
    assert len(_json(proc)) == 1


def test_incremental_chain_equals_the_bounded_whole_chain():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from wsgilint import context

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.text(alphabet="ab >\udcff\u00e9", max_size=700), min_size=1, max_size=8))
    def check(labels):
        chain = None
        for label in labels:
            chain = context._extend(chain, label)
        assert context._render(chain) == context.bounded(" > ".join(labels))

    check()
    assert context.bounded(context.bounded("x" * 5000)) == context.bounded("x" * 5000)
    assert context.bounded("\ud800" * 2000)  # a lone surrogate from a JSON file: no crash
