"""Versions are read, not assumed: precedence (command line > config > detected > unknown), what each
version-dependent rule says with and without a version, and where every version came from."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES
from lintrun import check
from oracle import missing
from test_cli import run

KEYSTONE_SITE = textwrap.dedent("""\
    <VirtualHost *:5000>
        WSGIDaemonProcess keystone-public processes=4 threads=1
        WSGIProcessGroup keystone-public
        WSGIApplicationGroup %{GLOBAL}
        WSGIScriptAlias / /usr/bin/keystone-wsgi-public
        <Directory /usr/bin>
            Require all granted
        </Directory>
    </VirtualHost>
""")


def _dpkg_paragraph(package: str, version: str) -> str:
    return (f"Package: {package}\nStatus: install ok installed\nPriority: optional\nSection: python\n"
            f"Architecture: all\nVersion: {version}\nDescription: test\n\n")


def _tree(tmp_path: Path, *, dpkg: dict[str, str] | None = None, files: tuple[str, ...] = ()) -> Path:
    """A rendered root: Debian's apache2 layout with keystone's site, an optional dpkg status."""
    root = tmp_path / "root"
    apache = root / "etc/apache2"
    (apache / "sites-enabled").mkdir(parents=True)
    (apache / "apache2.conf").write_text("IncludeOptional sites-enabled/*.conf\n")
    (apache / "sites-enabled/keystone.conf").write_text(KEYSTONE_SITE)
    if dpkg is not None:
        status = root / "var/lib/dpkg/status"
        status.parent.mkdir(parents=True)
        status.write_text("".join(_dpkg_paragraph(p, v) for p, v in dpkg.items()))
    for f in files:
        p = root / f.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("#!/usr/bin/python3\n")
    return root


def _wsg407(root: Path, *args: str) -> list[dict]:
    proc = run("check", "--root", str(root), "--select", "WSG407", "--format", "json", "--isolated", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_removed_script_keystone_25_from_dpkg_is_quiet(tmp_path):
    root = _tree(tmp_path, dpkg={"python3-keystone": "2:25.0.0-0ubuntu1", "keystone": "2:25.0.0-0ubuntu1"})
    assert _wsg407(root) == []


def test_removed_script_keystone_28_from_dpkg_is_an_error_naming_its_source(tmp_path):
    root = _tree(tmp_path, dpkg={"python3-keystone": "2:28.0.0-0ubuntu1"})
    [f] = _wsg407(root)
    assert f["severity"] == "error"
    assert "keystone 28.0.0" in f["message"] and "/var/lib/dpkg/status" in f["message"], f["message"]


def test_removed_script_without_evidence_is_a_warning_naming_the_upgrade(tmp_path):
    root = _tree(tmp_path)
    [f] = _wsg407(root)
    assert f["severity"] == "warning"
    assert "breaks once keystone is 28.0.0 or later" in f["message"], f["message"]


def test_removed_script_with_release_given_is_an_error(tmp_path):
    root = _tree(tmp_path)
    [f] = _wsg407(root, "--openstack-release", "2025.2")
    assert f["severity"] == "error"
    assert "--openstack-release" in f["message"], f["message"]
    assert _wsg407(root, "--openstack-release", "2025.1") == []


def test_command_line_beats_detected(tmp_path):
    root = _tree(tmp_path, dpkg={"python3-keystone": "2:28.0.0-0ubuntu1"})
    # The service's own detected version is more specific than a release: it still wins over the
    # release given, because a release maps to a major only when the service's version is unknown.
    [f] = _wsg407(root, "--openstack-release", "2024.1")
    assert f["severity"] == "error" and "dpkg" in f["message"]


def test_script_in_the_tree_is_quiet_and_a_missing_one_beside_others_is_an_error(tmp_path):
    present = _tree(tmp_path / "a", files=("/usr/bin/keystone-wsgi-public",))
    assert _wsg407(present, "--openstack-release", "2026.2") == []
    absent = _tree(tmp_path / "b", files=("/usr/bin/python3",))
    [f] = _wsg407(absent)
    assert f["severity"] == "error"
    assert "not in the tree although /usr/bin is" in f["message"], f["message"]


def test_fragment_without_root_never_probes_the_host(tmp_path):
    """Without --root a checked file's absolute paths are not looked up on this host."""
    site = tmp_path / "keystone.conf"
    site.write_text(KEYSTONE_SITE)
    proc = run("check", str(site), "--select", "WSG407", "--format", "json", "--isolated")
    [f] = json.loads(proc.stdout)["findings"]
    assert f["severity"] == "warning"
    assert json.loads(proc.stdout)["targets"] == []


def test_show_settings_precedence(tmp_path):
    root = _tree(tmp_path, dpkg={"uwsgi-core": "2.0.21-5.1", "apache2-bin": "2.4.62-1~deb12u2",
                                 "nginx-core": "1.22.1-9"})
    cfg = tmp_path / "wsgilint.toml"
    cfg.write_text('[tool.wsgilint]\nhttpd-version = "2.4.41"\nuwsgi-version = "2.0.24"\n')
    proc = run("check", "--root", str(root), "--config", str(cfg), "--uwsgi-version", "2.0.30", "--show-settings")
    assert proc.returncode == 0, proc.stderr
    lines = {ln.split()[0]: ln for ln in proc.stdout.splitlines() if ln.startswith("  ")}
    assert "2.0.30" in lines["uWSGI"] and "command line: --uwsgi-version" in lines["uWSGI"]
    assert "2.4.41" in lines["httpd"] and "config: httpd-version in" in lines["httpd"]
    assert "1.22.1" in lines["nginx"] and "detected: /var/lib/dpkg/status" in lines["nginx"]
    assert "unknown (give --openstack-release)" in lines["OpenStack"]


def test_json_reports_targets_with_sources(tmp_path):
    root = _tree(tmp_path, dpkg={"uwsgi-core": "2.0.21-5.1"})
    proc = run("check", "--root", str(root), "--format", "json", "--isolated", "--httpd-version", "2.4.62")
    doc = json.loads(proc.stdout)
    got = {t["component"]: (t["version"], t["origin"]) for t in doc["targets"]}
    assert got["uwsgi"] == ("2.0.21", "detected")
    assert got["httpd"] == ("2.4.62", "command line")
    assert "openstack" not in got


def test_bad_version_is_a_usage_error():
    proc = run("check", "--uwsgi-version", "two", str(FIXTURES / "example"))
    assert proc.returncode == 2 and "not a version" in proc.stderr


@pytest.mark.parametrize("name", ["hibiscus", "2026.2", "gazpacho", "indri"])
def test_release_names(name, tmp_path):
    proc = run("check", "--openstack-release", name, "--show-settings", "--isolated", str(tmp_path))
    assert "unknown OpenStack release" not in proc.stderr


# -- rules whose truth depends on a version ------------------------------------------------
THREADS_OFF = "[uwsgi]\nmaster = true\nprocesses = 2\nmodule = nova.wsgi.osapi_compute:application\n"


def _one(tmp_path: Path, name: str, text: str, rule: str, **versions) -> list:
    f = tmp_path / name
    f.write_text(text)
    return check([f], cwd=tmp_path, select=[rule], **versions).findings


@pytest.mark.parametrize("version,fires", [("2.0.21", True), ("2.0.26", True), ("2.0.27", False),
                                           ("2.0.30", False)])
def test_wsg114_by_uwsgi_version(tmp_path, version, fires):
    found = _one(tmp_path, "nova.ini", THREADS_OFF, "WSG114", uwsgi=version)
    assert bool(found) == fires
    if fires:
        assert f"uWSGI {version} (--uwsgi-version)" in found[0].message


def test_wsg114_unknown_version_names_the_versions(tmp_path):
    [f] = _one(tmp_path, "nova.ini", THREADS_OFF, "WSG114")
    assert "2.0.26 and older" in f.message and "version is unknown" in f.message
    assert f.severity.label == "warning"


LIMITLESS_GLANCE = textwrap.dedent("""\
    <VirtualHost *:9292>
        ProxyPass /image unix:/run/uwsgi/glance-api.socket|uwsgi://glance-api/ retry=0
    </VirtualHost>
""")


@pytest.mark.parametrize("httpd,severity", [(None, "warning"), ("2.4.62", "error"), ("2.4.53", None)])
def test_wsg211_default_limit_by_httpd_version(tmp_path, httpd, severity):
    # glance is known from the uWSGI ini the route reaches (a URL path alone caps at warning: issue 15)
    (tmp_path / "glance-api-uwsgi.ini").write_text(
        "[uwsgi]\nsocket = /run/uwsgi/glance-api.socket\nmodule = glance.wsgi.api:application\n")
    f = tmp_path / "glance.conf"
    f.write_text(LIMITLESS_GLANCE)
    found = check([tmp_path], cwd=tmp_path, select=["WSG211"], httpd=httpd).findings
    assert [f.severity.label for f in found] == ([severity] if severity else [])


NGINX_PROXY = textwrap.dedent("""\
    server {
        listen 9292;
        location /image {
            client_max_body_size 0;
            proxy_request_buffering off;
            proxy_pass http://127.0.0.1:60999;
        }
    }
""")


@pytest.mark.parametrize("nginx,fires", [(None, True), ("1.22.1", True), ("1.29.7", False), ("1.30.0", False)])
def test_wsg302_proxy_http_version_by_nginx_version(tmp_path, nginx, fires):
    found = _one(tmp_path, "nginx.conf", NGINX_PROXY, "WSG302", nginx=nginx)
    assert bool(found) == fires, [f.message for f in found]
    if nginx is None:
        assert "before nginx 1.29.7" in found[0].message


# -- this machine ---------------------------------------------------------------------------
def _dpkg_version(package: str) -> str | None:
    if not shutil.which("dpkg-query"):
        return None
    proc = subprocess.run(["dpkg-query", "-W", "-f", "${Status}|${Version}", package], capture_output=True,
                          text=True)
    status, _, version = proc.stdout.partition("|")
    return version if proc.returncode == 0 and status.endswith(" installed") else None


def test_root_slash_names_this_machines_servers_as_detected():
    versions = {comp: _dpkg_version(pkg) for comp, pkg in (("httpd", "apache2-bin"), ("uwsgi", "uwsgi-core"))}
    if not all(versions.values()):
        missing("Debian's apache2 and uwsgi packages", "versions detected on this machine")
    proc = run("check", "--root", "/", "--show-settings", "--isolated")
    assert proc.returncode == 0, proc.stderr
    for comp, label in (("httpd", "httpd"), ("uwsgi", "uWSGI")):
        upstream = versions[comp].split(":")[-1].split("-")[0]
        line = next(ln for ln in proc.stdout.splitlines() if ln.strip().startswith(label + " "))
        assert upstream in line and "detected: /var/lib/dpkg/status" in line, line


def test_removed_script_keystone_25_from_a_kolla_venv_is_quiet(tmp_path):
    root = _tree(tmp_path)
    meta = root / "var/lib/kolla/venv/lib/python3.12/site-packages/keystone-25.0.1.dist-info/METADATA"
    meta.parent.mkdir(parents=True)
    meta.write_text("Metadata-Version: 2.1\nName: keystone\nVersion: 25.0.1\n\n")
    assert _wsg407(root) == []
    meta.write_text("Metadata-Version: 2.1\nName: keystone\nVersion: 28.0.0\n\n")
    meta.parent.rename(meta.parent.with_name("keystone-28.0.0.dist-info"))
    [f] = _wsg407(root)
    assert f["severity"] == "error" and "dist-info" in f["message"], f["message"]
