"""kolla-ansible containers (issue 14): /etc/kolla/<container>/config.json read as each container
sees its files (wsgilint.launch.kolla), on trees rendered from kolla-ansible stable/2025.1
(fixtures/deployments/kolla-2025.1*/SOURCE.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import oracle
import pytest
from conftest import FIXTURES, PROJECT
from lintrun import check

from wsgilint.findings import INFO
from wsgilint.launch import kolla

GOOD = FIXTURES / "deployments/kolla-2025.1"
BAD = FIXTURES / "deployments/kolla-2025.1-bad"


def test_parse_config_json():
    text = (GOOD / "etc/kolla/placement-api/config.json").read_text()
    cfg = kolla.parse(text)
    assert cfg.problem is None
    assert cfg.command == "uwsgi /etc/placement/placement-api-uwsgi.ini"
    assert [e.dest for e in cfg.entries] == ["/etc/placement/placement.conf", "/etc/placement/placement-api-uwsgi.ini",
                                            "/etc/placement/migrate-db.rc"]
    ini = cfg.entries[1]
    assert text.count("\n", 0, ini.offset) + 1 == 12  # the line of its "dest"
    assert kolla.parse('{"config_files": []}').problem.startswith('no "command"')
    bad = kolla.parse('{\n  "command": "x",\n  "config_files": [\n}\n')
    assert bad.problem.startswith("invalid JSON") and bad.line == 4
    assert kolla.parse('{"command": "x", "config_files": [{"dest": "/a"}]}').problem.startswith("a config_files")
    assert kolla.parse("[1]").problem == "not a JSON object"


def test_script_exec_and_server():
    assert kolla.script_exec("#!/bin/bash\nset -e\nexec /usr/sbin/apache2 $@\n") == (["/usr/sbin/apache2"], 3)
    assert kolla.server_of(["/usr/sbin/apache2"]) == "apache"
    assert kolla.server_of(["/usr/sbin/httpd", "-DFOREGROUND"]) == "apache"
    assert kolla.server_of(["uwsgi", "/etc/x.ini"]) == "uwsgi"
    assert kolla.server_of(["/usr/bin/keystone-startup.sh"]) is None


def test_good_tree_is_quiet_above_info():
    # The release the tree was rendered from (kolla-ansible stable/2025.1): keystone 27.x still ships
    # keystone-wsgi-public (without it, WSG407 warns that 28.0.0 removed it).
    r = check(["etc/kolla"], cwd=GOOD, release="2025.1")
    assert [f for f in r.findings if f.severity > INFO] == [], [(f.rule.id, f.message) for f in r.findings]
    # Without a flag: globals.yml's openstack_release "2025.1" is the evidence.
    plain = check(["etc/kolla"], cwd=GOOD)
    assert [f for f in plain.findings if f.severity > INFO] == [], [(f.rule.id, f.message) for f in plain.findings]
    assert plain.model.targets.get("openstack").source == "etc/kolla/globals.yml:49 (kolla-ansible openstack_release)"
    shown = {p: kind for p, kind in r.files}
    base = "etc/kolla"
    assert shown == {f"{base}/keystone/wsgi-keystone.conf": "apache",
                     f"{base}/placement-api/placement-api-uwsgi.ini": "uwsgi",
                     f"{base}/keystone/keystone.conf": "service",
                     f"{base}/placement-api/placement.conf": "service"}
    assert r.skipped == []
    # the container's command is the ini's launcher
    (app,) = r.model.uwsgi
    assert app.config.launcher.kind == "kolla"
    assert "kolla container placement-api" in app.config.launcher.name


def test_each_file_is_read_once_also_from_the_tree_root():
    r = check([GOOD], release="2025.1")
    paths = [p for p, _ in r.files]
    assert len(paths) == len(set(paths)) == 4
    assert [f for f in r.findings if f.severity > INFO] == []


def test_bad_twin_reports_at_the_host_file_and_names_the_container():
    r = check(["etc/kolla"], cwd=BAD, release="2025.1")
    bad = [f for f in r.findings if f.severity > INFO]
    assert [(f.rule.id, f.path, f.line) for f in bad] == [("WSG208", "etc/kolla/keystone/wsgi-keystone.conf", 27)]
    f = bad[0]
    assert "kolla container keystone" in f.message and "/etc/apache2/conf-enabled/wsgi-keystone.conf" in f.message
    (rel,) = [x for x in f.related if "kolla container" in x.message]
    assert rel.span.source.path == "etc/kolla/keystone/config.json"
    assert rel.span.source.locate(rel.span.start, rel.span.end)[0] == 32


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "kolla"
    shutil.copytree(GOOD / "etc/kolla", dest)
    return dest


def test_bad_config_json_is_a_clear_skip(tmp_path):
    root = _copy(tmp_path)
    (root / "keystone/config.json").write_text(
        '{\n  "command": "/usr/bin/keystone-startup.sh",\n  "config_files": [\n}\n')
    r = check(["kolla"], cwd=tmp_path)
    (skip,) = [s for s in r.skipped if "keystone" in s[0]]
    assert skip[0] == "kolla/keystone/config.json"
    assert skip[1].startswith("line 4: invalid JSON") and "container keystone does not start" in skip[1]
    assert [p for p, _ in r.files if "/keystone/" in p] == []  # its files are not read as something else


def test_missing_required_source_is_said(tmp_path):
    root = _copy(tmp_path)
    (root / "placement-api/migrate-db.rc").unlink()
    r = check([root])
    assert any("MissingRequiredSource" in why and path.endswith("placement-api/config.json")
               for path, why in r.skipped)


def test_startup_script_exec_uwsgi_is_the_launcher(tmp_path):
    # kolla-ansible master (openstack/kolla-ansible@1a681814eb19a4840ca307a25f21b2907b432272):
    # keystone.json.j2 runs /usr/bin/keystone-startup.sh, which ends `exec uwsgi /etc/keystone/keystone-api-uwsgi.ini`.
    root = tmp_path / "etc/kolla"
    c = root / "keystone"
    c.mkdir(parents=True)
    (c / "config.json").write_text(json.dumps({"command": "/usr/bin/keystone-startup.sh", "config_files": [
        {"source": "/var/lib/kolla/config_files/keystone-startup.sh", "dest": "/usr/bin/keystone-startup.sh",
         "owner": "root", "perm": "0755"},
        {"source": "/var/lib/kolla/config_files/keystone-uwsgi.ini", "dest": "/etc/keystone/keystone-api-uwsgi.ini",
         "owner": "keystone", "perm": "0600"}]}, indent=4))
    (c / "keystone-startup.sh").write_text(
        "#!/bin/bash -x\nset -o errexit\n\nexec uwsgi /etc/keystone/keystone-api-uwsgi.ini\n")
    (c / "keystone-uwsgi.ini").write_text("[uwsgi]\nhttp = 192.0.2.10:5000\nmodule = keystone.wsgi.api:application\n"
                                          "master = true\nprocesses = 5\n")
    r = check([root])
    (app,) = r.model.uwsgi
    la = app.config.launcher
    assert la.kind == "kolla" and la.path == str(c / "keystone-startup.sh")
    assert "exec in" in la.name and ":4" in la.name
    assert [(a.kind, a.value, a.line) for a in la.args] == [("ini", "/etc/keystone/keystone-api-uwsgi.ini", 4)]


def test_tree_without_kolla_does_not_import_it():
    code = ("import sys; from wsgilint import pipeline; "
            f"pipeline.run(pipeline.CheckOptions(paths=[{str(FIXTURES / 'deployments/correct')!r}])); "
            "print('wsgilint.launch.kolla' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def _cli(*args, cwd=PROJECT):
    return subprocess.run([sys.executable, "-m", "wsgilint", "check", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "NO_COLOR": "1"})


def test_cli_check_etc_kolla():
    p = _cli("--openstack-release", "2025.1", "fixtures/deployments/kolla-2025.1/etc/kolla")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    p = _cli("--openstack-release", "2025.1", "--format", "json", "fixtures/deployments/kolla-2025.1-bad/etc/kolla")
    assert p.returncode == 1, p.stderr
    data = json.loads(p.stdout)
    (f,) = [f for f in data["findings"] if f["severity"] != "info"]
    assert (f["rule"], f["path"], f["line"]) == (
        "WSG208", "fixtures/deployments/kolla-2025.1-bad/etc/kolla/keystone/wsgi-keystone.conf", 27)
    assert f["related"][-1]["path"] == "fixtures/deployments/kolla-2025.1-bad/etc/kolla/keystone/config.json"
    assert f["related"][-1]["line"] == 32
    assert sorted(x["path"] for x in data["files"]) == sorted(
        f"fixtures/deployments/kolla-2025.1-bad/etc/kolla/{p}" for p in (
            "keystone/wsgi-keystone.conf", "keystone/keystone.conf", "placement-api/placement-api-uwsgi.ini",
            "placement-api/placement.conf"))


@pytest.mark.oracle
def test_keystone_container_view_is_accepted_by_apache2(tmp_path):
    """The keystone container's view, laid out at its dests (as kolla_set_configs copies them), is
    accepted by real `apache2 -t` with a minimal main config standing for the image's apache2.conf.
    Two substitutions stand for the image: its log directory (/var/log/kolla -> tmp) and its
    `keystone` user (absent on this host; mod_wsgi refuses a daemon running as root: nobody/nogroup)."""
    apache2 = oracle.apache2("kolla keystone container view")
    mods = oracle.apache_module_dir()
    wsgi = oracle.mod_wsgi_so()
    from wsgilint.fsroot import FileSystem

    host = FileSystem()
    cdir = str(GOOD / "etc/kolla/keystone")
    cfg = kolla.parse((GOOD / "etc/kolla/keystone/config.json").read_text())
    files, problems = kolla.copies(host, cdir, cfg)
    assert problems == []
    root = tmp_path / "c"
    (root / "logs").mkdir(parents=True)
    for dest, (src, _e) in files.items():
        out = root / dest.lstrip("/")
        out.parent.mkdir(parents=True, exist_ok=True)
        text = Path(src).read_text().replace("/var/log/kolla/keystone", str(root / "logs"))
        out.write_text(text.replace("user=keystone group=keystone", "user=nobody group=nogroup"))
    conf_enabled = root / "etc/apache2/conf-enabled"
    assert (conf_enabled / "wsgi-keystone.conf").is_file()
    main = root / "apache2.conf"
    main.write_text(f"ServerRoot {root}\nPidFile {root}/httpd.pid\nErrorLog {root}/logs/error.log\nServerName kolla\n"
                    f"LoadModule mpm_event_module {mods}/mod_mpm_event.so\n"
                    f"LoadModule authz_core_module {mods}/mod_authz_core.so\n"
                    f"LoadModule wsgi_module {wsgi}\nIncludeOptional {conf_enabled}/*.conf\n")
    p = subprocess.run([apache2, "-d", str(root), "-f", str(main), "-t"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "Syntax OK" in p.stderr + p.stdout, p.stderr


def test_openstack_release_from_globals_yml(tmp_path):
    """The operator's openstack_release in /etc/kolla/globals.yml is evidence of the release the containers
    run (kolla-ansible's own sample ships it commented out: then nothing is known)."""
    root = _copy(tmp_path)

    def warnings() -> list[str]:
        r = check(["kolla"], cwd=tmp_path)
        return [f.rule.id for f in r.findings if f.severity > INFO]

    (root / "globals.yml").write_text('---\nkolla_base_distro: "debian"\n#openstack_release: "master"\n')
    assert warnings() == ["WSG407"]  # keystone-wsgi-public: removed in keystone 28.0.0; the release is unknown
    (root / "globals.yml").write_text('---\nkolla_base_distro: "debian"\nopenstack_release: "2025.1"  # epoxy\n')
    r = check(["kolla"], cwd=tmp_path)
    assert [f.rule.id for f in r.findings if f.severity > INFO] == []
    t = r.model.targets.get("openstack")
    assert (t.value, t.origin, t.source) == ("2025.1", "detected",
                                             "kolla/globals.yml:3 (kolla-ansible openstack_release)")
    (root / "globals.yml").write_text("openstack_release: 2026.1\n")  # keystone 29: the script is gone
    r = check(["kolla"], cwd=tmp_path)
    assert [(f.rule.id, f.severity.label) for f in r.findings if f.severity > INFO] == [("WSG407", "error")]
    (root / "globals.yml").write_text("openstack_release: master\n")
    r = check(["kolla"], cwd=tmp_path)
    assert any("openstack_release 'master'" in why for _, why in r.skipped)
    assert r.model.targets.get("openstack") is None
    # The command line still wins over the tree.
    r = check(["kolla"], cwd=tmp_path, release="2026.1")
    assert r.model.targets.get("openstack").origin == "command line"


def test_release_setting_reads_only_top_level_keys():
    assert kolla.release_setting('openstack_release: "2025.2"\n') == ("2025.2", 1)
    assert kolla.release_setting("a: 1\nopenstack_release: 'epoxy'\n") == ("epoxy", 2)
    assert kolla.release_setting('#openstack_release: "master"\n') is None
    assert kolla.release_setting('  openstack_release: "2025.1"\n') is None  # nested: not the global
    assert kolla.release_setting('openstack_release: ""\n') is None


def test_container_ini_is_one_instance_when_the_tree_root_is_checked():
    """/etc/kolla/<container>/*-uwsgi.ini is read in its container's view only: the plain scan of
    /etc/<dir>/*uwsgi*.ini used to add it a second time, and every uWSGI finding came twice
    (fieldtest kolla-glance: WSG112 x2 on one line)."""
    p = _cli("--root", str(GOOD), "--format", "json", "--fail-on", "never")
    assert p.returncode == 0, p.stderr
    keys = [(f["rule"], f["path"], f["line"]) for f in json.loads(p.stdout)["findings"]]
    assert ("WSG112", "fixtures/deployments/kolla-2025.1/etc/kolla/placement-api/placement-api-uwsgi.ini", 8) in keys
    assert len(keys) == len(set(keys)), keys


def test_each_container_reads_its_own_service_config(tmp_path):
    """nova-api and nova-metadata each copy their own nova.conf: a rule judging one app reads the copy its
    container sees, never the other container's (Deployment.service_config(service, container))."""
    import json as _json

    root = tmp_path / "kolla"
    for name, module, handler in (("nova-api", "nova.wsgi.osapi_compute:application", ""),
                                  ("nova-metadata", "nova.wsgi.metadata:application",
                                   "[oslo_reports]\nfile_event_handler = /var/lib/nova/gmr_trigger\n")):
        d = root / name
        d.mkdir(parents=True)
        (d / "config.json").write_text(_json.dumps({
            "command": f"uwsgi /etc/nova/{name}-uwsgi.ini",
            "config_files": [{"source": f"/var/lib/kolla/config_files/{name}-uwsgi.ini",
                              "dest": f"/etc/nova/{name}-uwsgi.ini", "owner": "nova", "perm": "0600"},
                             {"source": "/var/lib/kolla/config_files/nova.conf", "dest": "/etc/nova/nova.conf",
                              "owner": "nova", "perm": "0600"}]}, indent=4))
        (d / f"{name}-uwsgi.ini").write_text(f"[uwsgi]\nmaster = true\nhttp-socket = 127.0.0.1:8774\n"
                                             f"module = {module}\n")
        (d / "nova.conf").write_text(f"[DEFAULT]\ndebug = false\n{handler}")
    r = check(["kolla"], cwd=tmp_path, select=["WSG432"])
    assert [(f.path, f.related[0].span.source.path) for f in r.findings] == [
        ("kolla/nova-api/nova-api-uwsgi.ini", "kolla/nova-api/nova.conf")]
