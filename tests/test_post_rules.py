"""The one post-rule stage (wsgilint.pipeline.after_rules): the library API and the CLI filter
findings alike, and suppression comments in service configs count like the others."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import PROJECT

from wsgilint import config, engine, pipeline
from wsgilint.findings import Severity

EXAMPLE = PROJECT / "fixtures" / "example"
HEARTBEAT = PROJECT / "fixtures" / "rules" / "oslo-heartbeat-in-pthread" / "bad"
RELEASE = ("--openstack-release", "2024.1")  # as its bad.args: WSG431 fires on that release


def _cli(cwd, *args):
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--format", "json", "--fail-on", "never",
                           *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _keys(findings):
    return [(f["rule"], f["path"], f["line"], f["column"], f["severity"]) for f in findings]


def _lib_keys(result):
    return [(f.rule.id, f.path, f.line, f.column, f.severity.label) for f in result.findings]


def test_library_and_cli_apply_suppressions_per_file_ignores_severity_and_baseline_alike(tmp_path):
    tree = tmp_path / "deploy"
    shutil.copytree(EXAMPLE, tree)
    site = tree / "etc/apache2/sites-enabled/glance-api.conf"
    lines = site.read_text().splitlines(keepends=True)
    # silences WSG402 on SetEnv (line 5), and one unused (WSG9xx-free) suppression -> WSG009
    lines.insert(4, "    # wsgilint: ignore[WSG402] measured: harmless here\n")
    lines.insert(0, "# wsgilint: ignore-file[WSG203] nothing of that kind in this file\n")
    site.write_text("".join(lines))
    (tmp_path / ".wsgilint.toml").write_text(
        '[per-file-ignores]\n"deploy/etc/cinder/*.ini" = ["WSG115"]\n[severity]\nWSG120 = "error"\n')
    # A baseline recording today's WSG103 (from the CLI itself).
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--root", "deploy", "--select", "WSG103",
                           "--create-baseline", "base.json"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr

    out = _cli(tmp_path, "--root", "deploy", "--baseline", "base.json")
    cfg = config.load(None, cwd=str(tmp_path))
    opts = pipeline.CheckOptions(root=str(tree), cwd=str(tmp_path), report_cwd=str(tmp_path), config=cfg,
                                 baseline=str(tmp_path / "base.json"),
                                 engine=engine.EngineOptions(severity_overrides={"WSG120": Severity.parse("error")}))
    lib = pipeline.run(opts)
    assert _keys(out["findings"]) == _lib_keys(lib)
    ids = {(r, p.rsplit("/", 1)[-1]) for r, p, *_ in _lib_keys(lib)}
    assert ("WSG402", "glance-api.conf") not in ids  # inline suppression
    assert ("WSG009", "glance-api.conf") in ids  # the ignore-file that silenced nothing
    assert ("WSG115", "cinder-api-uwsgi.ini") not in ids and ("WSG115", "glance-api-uwsgi.ini") in ids  # per-file
    assert "WSG103" not in {i for i, _ in ids}  # in the baseline
    assert {f.severity.label for f in lib.findings if f.rule.id == "WSG120"} == {"error"}  # override
    assert [f.path for f in lib.findings if f.rule.id == "WSG009"] == [
        "deploy/etc/apache2/sites-enabled/glance-api.conf"]


def _heartbeat_tree(tmp_path, comment):
    tree = tmp_path / "t"
    shutil.copytree(HEARTBEAT, tree)
    conf = tree / "etc/nova/nova.conf"
    lines = conf.read_text().splitlines(keepends=True)
    lines.insert(3, comment + "\n")
    conf.write_text("".join(lines))
    return tree


def test_suppression_in_a_service_config_is_honoured(tmp_path):
    plain = _cli(PROJECT, str(HEARTBEAT), *RELEASE)
    assert "WSG431" in {f["rule"] for f in plain["findings"]}  # the finding the comment silences
    tree = _heartbeat_tree(tmp_path, "# wsgilint: ignore[WSG431] heartbeats run in a green thread here")
    out = _cli(tmp_path, str(tree), *RELEASE)
    assert {f["rule"] for f in out["findings"]} & {"WSG431", "WSG009"} == set()
    assert any(f["path"].endswith("etc/nova/nova.conf") and f["kind"] == "service" for f in out["files"])


def test_unused_suppression_in_a_service_config_is_reported(tmp_path):
    tree = _heartbeat_tree(tmp_path, "; wsgilint: ignore[WSG401] nothing of that kind here")
    out = _cli(tmp_path, str(tree), *RELEASE)
    unused = [f for f in out["findings"] if f["rule"] == "WSG009"]
    assert [(f["path"].rsplit("/", 1)[-1], f["line"]) for f in unused] == [("nova.conf", 4)]
    assert "WSG431" in {f["rule"] for f in out["findings"]}


def test_sources_list_every_file_once_with_its_text(tmp_path):
    result = pipeline.run(pipeline.CheckOptions(paths=[str(HEARTBEAT)]))
    paths = [s.path for s in result.model.sources]
    assert len(paths) == len(set(paths))
    assert result.files == [(s.path, s.kind) for s in result.model.sources]
    assert all(s.source.path == s.path and s.source.text for s in result.model.sources)
