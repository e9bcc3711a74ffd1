"""Issue 16 items 4-6: no host files unasked, input recognition, --show-files.

Real files in temporary directories, the real CLI in a subprocess (as a user runs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, PROJECT

import lintrun

NGINX_GOOD = FIXTURES / "deployments" / "nginx-debian-good"


def run(*args, cwd=PROJECT, user=None):
    env = dict(os.environ, NO_COLOR="1")
    pre = None
    if user is not None:
        def pre():  # a non-root run: permission bits apply
            os.setgid(user)
            os.setuid(user)
    return subprocess.run([sys.executable, "-m", "wsgilint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60, preexec_fn=pre)


# -- item 4: a directory holding etc/ is a root; nothing outside the named paths -----------------

def test_directory_holding_etc_is_checked_as_a_root():
    rel = str(NGINX_GOOD.relative_to(PROJECT))
    proc = run("check", rel, "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    assert f"checking {rel} as a root: it holds etc/nginx; give --root {rel} to silence this" in proc.stderr
    paths = [f["path"] for f in json.loads(proc.stdout)["files"]]
    assert paths and all(p.startswith(rel + "/") for p in paths), paths  # never the host's /etc/nginx
    assert f"{rel}/etc/nginx/sites-enabled/glance-api" in paths  # the tree's own sites are read
    same = run("check", "--root", rel, "--format", "json", "--fail-on", "never")
    assert json.loads(same.stdout)["findings"] == json.loads(proc.stdout)["findings"]
    assert "as a root" not in same.stderr


def test_outside_reads_are_refused_and_shown(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "extra.conf").write_text("<VirtualHost *:9292>\n    ProxyPass / http://127.0.0.1:1/\n</VirtualHost>\n")
    named = tmp_path / "repo"
    named.mkdir()
    (named / "site.conf").write_text(f"Include {outside}/extra.conf\nServerName example.org\n")
    proc = run("check", "repo", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert [f["path"] for f in doc["files"]] == ["repo/site.conf"]
    hits = [f for f in doc["findings"] if f["rule"] == "WSG012"]
    assert len(hits) == 1 and hits[0]["line"] == 1
    assert f"outside the checked paths: {outside}/extra.conf was not read" in hits[0]["message"]
    assert "--root /" in hits[0]["message"]
    # --root / reads this host's files: the included file is then read
    host = run("check", "--root", "/", str(named), "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert "outside/extra.conf" in [f["path"] for f in json.loads(host.stdout)["files"]], host.stderr
    # naming both paths reads both
    both = run("check", "repo", "outside", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert not [f for f in json.loads(both.stdout)["findings"] if f["rule"] == "WSG012"]


# -- item 5: input recognition --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["README.md", "pyproject.toml"])
def test_documents_are_not_configs(name):
    proc = run("check", name)
    assert proc.returncode == 2
    assert f"wsgilint: error: nothing to check: {name}: not a configuration" in proc.stderr
    assert proc.stdout == ""


def test_a_file_without_any_directive_is_not_a_config(tmp_path):
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    proc = run("check", "passwd", cwd=tmp_path)
    assert proc.returncode == 2 and "passwd: not a configuration: no Apache httpd directive" in proc.stderr


def test_not_a_config_next_to_a_config_is_named_and_the_config_checked(tmp_path):
    (tmp_path / "notes.txt").write_text("ProxyPass / http://x/\n")
    (tmp_path / "site.conf").write_text("ServerName example.org\n")
    proc = run("check", "notes.txt", "site.conf", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "skipped notes.txt: not a configuration: a .txt file" in proc.stdout


TEMPLATES = {
    "keystone.conf.j2": ("<VirtualHost *:{{ port }}>\n{% if tls %}\n    SSLEngine on\n{% endif %}\n</VirtualHost>\n",
                         "kolla-ansible genconfig", 1),
    "glance-api-uwsgi.ini.erb": ("[uwsgi]\nsocket = <%= @socket %>\n<% if @threads %>\nthreads = 2\n<% end %>\n",
                                 "puppet apply --noop", 2),
    "_uwsgi.ini.tpl": ("[uwsgi]\nhttp-socket = :{{ .Values.port }}\n{{- if .Values.x }}\nharakiri = 1\n{{- end }}\n",
                       "helm template", 2),
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_template_is_one_finding_that_says_how_to_render(tmp_path, name):
    text, how, line = TEMPLATES[name]
    (tmp_path / name).write_text(text)
    proc = run("check", name, "--format", "json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("WSG011", line)]
    assert how in doc["findings"][0]["message"]
    assert doc["files"] == [{"path": name, "kind": "template"}]
    assert proc.returncode == 1  # a warning: nothing was checked


def _corpus_templates() -> list[str]:
    if not CORPUS.is_dir():
        return []
    out = []
    for line in (CORPUS / "SOURCES.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and "TEMPLATE" in cells[3] and "%VAR%" not in cells[3]:
            out.append(cells[1])
    return out


@pytest.mark.parametrize("rel", _corpus_templates() or ["<corpus absent>"])
def test_corpus_templates_give_one_finding_each(rel):
    if rel == "<corpus absent>":
        pytest.skip("../shared/corpus absent")
    result = lintrun.check([CORPUS / rel], cwd=CORPUS)
    ids = [f.rule.id for f in result.findings]
    if not any(s.kind == "template" for s in result.model.sources):
        # devstack-style %VAR% placeholders (designate's *.template): the structure is there, so the
        # file is checked as it is (its WSG407 is a real finding), and it holds no Jinja/ERB/Go marker
        text = (CORPUS / rel).read_text()
        assert "{{" not in text and "{%" not in text and "<%" not in text and "%" in text
        assert "WSG011" not in ids
        return
    assert ids == ["WSG011"], (rel, ids)


# -- item 6: --show-files, unreadable files ------------------------------------------------------

def test_show_files_lists_read_skipped_and_outside(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "site.conf").write_text("Include /nonexistent-wsgilint/x.conf\nServerName a\n")
    (tmp_path / "repo" / "README.md").write_text("# hi\n")
    proc = run("check", "--show-files", "repo/site.conf", "repo/README.md", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "read       repo/site.conf  (apache)"
    assert any(ln.startswith("skipped    repo/README.md  (not a configuration") for ln in lines)
    assert any(ln.startswith("outside    repo/site.conf:1  (outside the checked paths: /nonexistent-wsgilint/x.conf")
               for ln in lines)


def test_unreadable_ini_is_a_finding_and_its_route_not_called_unserved(tmp_path):
    """An ini wsgilint cannot read (mode 000 when not root; as root, where permission bits do not
    apply, a NUL byte: also unreadable to wsgilint) is WSG004, and the route to its socket is
    "may be served by" it (a warning), not "Apache will answer 503"."""
    tree = tmp_path / "deploy"
    tree.mkdir()
    (tree / "glance.conf").write_text("<VirtualHost *:9292>\n    ProxyPass / unix:/run/uwsgi/glance.sock|"
                                      "uwsgi://glance/\n</VirtualHost>\n")
    ini = tree / "glance-api-uwsgi.ini"
    ini.write_text("[uwsgi]\nsocket = /run/uwsgi/glance.sock\nmodule = glance.wsgi.api:application\n")
    reason = "Permission denied"
    if os.geteuid() == 0:
        ini.write_bytes(ini.read_bytes() + b"\x00")
        reason = "binary file"
    else:
        ini.chmod(0o000)
    proc = run("check", "deploy", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    by_rule = {f["rule"]: f for f in doc["findings"]}
    assert "WSG004" in by_rule, doc["findings"]
    assert "deploy/glance-api-uwsgi.ini" in by_rule["WSG004"]["message"] + (by_rule["WSG004"]["path"] or "")
    assert reason in by_rule["WSG004"]["message"]
    unserved = by_rule["WSG405"]
    assert unserved["severity"] == "warning"
    assert "may be served by deploy/glance-api-uwsgi.ini, which could not be read" in unserved["message"]
    shown = run("check", "deploy", "--show-files", cwd=tmp_path)
    assert any(ln.startswith("unreadable deploy/glance-api-uwsgi.ini") for ln in shown.stdout.splitlines()), shown.stdout
    ini.chmod(0o644)
