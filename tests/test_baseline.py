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
