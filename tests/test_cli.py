"""The command line end to end: exit codes, the JSON contract, usage errors, confinement."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, PROJECT

EXAMPLE = FIXTURES / "example"


def run(*args, cwd=PROJECT, env=None):
    e = dict(os.environ, NO_COLOR="1")
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "wsgilint", *args], cwd=cwd, capture_output=True, text=True,
                          env=e, timeout=60)


def _tree_digest(root: Path) -> dict:
    out = {}
    for p in sorted(root.rglob("*")):
        st = os.lstat(p)
        data = p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p) if p.is_symlink() else ""
        out[str(p)] = (st.st_mtime_ns, hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest())
    return out


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("wsgilint ")


def test_example_text_report_and_exit_code():
    before = _tree_digest(EXAMPLE)
    proc = run("check", "--root", "fixtures/example")
    assert proc.returncode == 1, proc.stderr
    for rid in ("WSG401", "WSG402", "WSG203", "WSG102", "WSG204"):
        assert rid in proc.stdout
    assert "fixtures/example/etc/apache2/sites-enabled/glance-api.conf" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert _tree_digest(EXAMPLE) == before, "check must not write to what it reads"


def test_json_contract():
    proc = run("check", "--root", "fixtures/example", "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    assert doc["tool"]["name"] == "wsgilint"
    paths = {f["path"] for f in doc["files"]}
    assert "fixtures/example/etc/apache2/apache2.conf" in paths
    assert "fixtures/example/etc/glance/glance-api-uwsgi.ini" in paths
    keys = {"rule", "name", "severity", "message", "path", "line", "column", "fix", "service", "related"}
    assert doc["findings"]
    for f in doc["findings"]:
        assert keys <= set(f)
        assert f["severity"] in ("error", "warning", "info")
        assert not os.path.isabs(f["path"])
    glance = [f for f in doc["findings"] if f["rule"] == "WSG401"]
    assert len(glance) == 1
    assert glance[0]["line"] == 6 and glance[0]["service"] == "glance"
    assert glance[0]["related"][0]["path"].endswith("glance-api-uwsgi.ini")
    s = doc["summary"]
    assert s["error"] == sum(f["severity"] == "error" for f in doc["findings"])


def test_fail_on_thresholds_and_select():
    assert run("check", "--root", "fixtures/example", "--fail-on", "never").returncode == 0
    assert run("check", "--root", "fixtures/example", "--fail-on", "error").returncode == 1
    # Only the info-level rule: fails on info, passes on warning.
    assert run("check", "--root", "fixtures/example", "--select", "WSG204").returncode == 0
    assert run("check", "--root", "fixtures/example", "--select", "site-not-enabled", "--fail-on", "info").returncode == 1
    proc = run("check", "--root", "fixtures/example", "--ignore", "WSG2,WSG4,WSG1", "--format", "json")
    assert json.loads(proc.stdout)["findings"] == []


def test_correct_deployment_is_clean():
    proc = run("check", "fixtures/deployments/correct", "--fail-on", "info", "--format", "json")
    assert proc.returncode == 0, proc.stdout
    doc = json.loads(proc.stdout)
    assert doc["findings"] == []
    assert len(doc["files"]) == 5


def test_usage_errors_exit_2_with_one_line(tmp_path):
    for args in (["check", str(tmp_path / "missing")], ["check", "--format", "xml", "fixtures/example"],
                 ["check", "--select", "WSG999", "fixtures/example"], ["check", "--fail-on", "fatal", "."],
                 ["check", str(tmp_path)], ["check", "--openstack-release", "nonsense", "fixtures/example"],
                 ["rule", "no-such-rule"]):
        proc = run(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.strip().startswith("wsgilint: error:"), (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_input_is_a_finding_not_a_traceback(tmp_path):
    (tmp_path / "apache2.conf").write_text("Include bin.conf\nInclude latin.conf\n<VirtualHost *:80>\n")
    (tmp_path / "bin.conf").write_bytes(b"Listen 80\x00\x01\x02")
    (tmp_path / "latin.conf").write_bytes("ServerAdmin caf\xe9@example.org\n".encode("latin-1"))
    proc = run("check", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    got = {(f["rule"], f["path"], f["line"]) for f in doc["findings"]}
    assert ("WSG004", "apache2.conf", 1) in got  # binary include, reported where it is included
    assert ("WSG006", "latin.conf", 1) in got
    assert ("WSG001", "apache2.conf", 3) in got  # unclosed <VirtualHost>
    assert proc.returncode == 1


def test_root_confines_absolute_paths_and_symlinks(tmp_path):
    tree = tmp_path / "tree"
    (tree / "etc/apache2/sites-enabled").mkdir(parents=True)
    (tree / "etc/inside").mkdir(parents=True)
    outside = tmp_path / "outside.conf"
    outside.write_text("ProxyPass /x uwsgi://127.0.0.1:1/\n")
    (tree / "etc/inside/site.conf").write_text("ProxyPass /image uwsgi://127.0.0.1:9292/\n")
    (tree / "etc/apache2/apache2.conf").write_text(
        "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n"
        "Include /etc/inside/site.conf\nIncludeOptional sites-enabled/*.conf\nInclude ../../../outside.conf\n")
    # An absolute symlink: inside the root it must resolve to <root>/etc/inside/site.conf, not the host's.
    os.symlink("/etc/inside/site.conf", tree / "etc/apache2/sites-enabled/abs.conf")
    os.symlink(str(outside), tree / "etc/apache2/sites-enabled/escape.conf")
    proc = run("check", "--root", str(tree), "--format", "json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    files = {f["path"] for f in doc["files"]}
    assert not any("outside.conf" == Path(p).name and "tree" not in p for p in files), files
    assert "tree/etc/inside/site.conf" in files
    assert all(p.startswith("tree/") for p in files), files
    # `..` stops at the root: ../../../outside.conf is /outside.conf inside the tree, which is missing.
    assert any(f["rule"] == "WSG003" and "outside.conf" in f["message"] for f in doc["findings"])


def test_rules_listing_and_rule_page():
    proc = run("rules", "--format", "json")
    assert proc.returncode == 0
    rules = json.loads(proc.stdout)
    assert len(rules) >= 25
    assert {"id", "name", "severity", "summary", "references"} <= set(rules[0])
    page = run("rule", "WSG401")
    assert page.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert section in page.stdout
    assert "proxy-sendcl" in page.stdout


def test_output_file_written_atomically(tmp_path):
    out = tmp_path / "report.json"
    proc = run("check", "--root", "fixtures/example", "--format", "json", "--output", str(out))
    assert proc.returncode == 1
    assert json.loads(out.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
