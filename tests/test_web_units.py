"""The web servers' own systemd units (wsgilint.launch.read.read_web_units) and what WSG213/WSG215
make of them: PrivateTmp= with drop-ins and /etc over /lib, masks, template instances, User=."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES
from lintrun import check

from wsgilint.fsroot import FileSystem
from wsgilint.launch.read import read_web_units

CASES = FIXTURES / "rules/proxy-unix-socket-in-tmp"
# Debian apache2 2.4.71-1~deb12u1 /lib/systemd/system/apache2.service (PrivateTmp=true on line 13)
APACHE_UNIT = (CASES / "bad_httpd_private_tmp/lib/systemd/system/apache2.service").read_text()


def _tree(tmp_path: Path, case: str) -> Path:
    root = tmp_path / "root"
    shutil.copytree(CASES / case, root, symlinks=True)
    return root


def _units(root: Path) -> dict[str, object]:
    return {u.name: u for u in read_web_units(FileSystem(str(root)))}


def _wsg213(root: Path) -> list[str]:
    return [f.message for f in check([root], root=root, select=["WSG213"]).findings]


def test_debian_apache_unit_private_tmp_is_named(tmp_path):
    root = _tree(tmp_path, "bad_httpd_private_tmp")
    [u] = _units(root).values()
    assert (u.server, u.name, u.config_dir, u.private_tmp, u.masked) == ("apache", "apache2.service",
                                                                          "/etc/apache2", True, False)
    assert u.private_tmp_at[1] == 13
    [msg] = _wsg213(root)
    assert "httpd's unit apache2.service sets PrivateTmp=true" in msg
    assert "lib/systemd/system/apache2.service:13" in msg


def test_unit_without_private_tmp_is_quiet(tmp_path):
    root = _tree(tmp_path, "good_httpd_no_private_tmp")
    assert _units(root)["apache2.service"].private_tmp is None
    assert _wsg213(root) == []


def test_drop_in_turns_private_tmp_off_and_on(tmp_path):
    root = _tree(tmp_path, "bad_httpd_private_tmp")
    d = root / "etc/systemd/system/apache2.service.d"
    d.mkdir(parents=True)
    (d / "override.conf").write_text("[Service]\nPrivateTmp=false\n")
    assert _units(root)["apache2.service"].private_tmp is False
    assert _wsg213(root) == []
    root2 = _tree(tmp_path / "b", "good_httpd_no_private_tmp")
    d2 = root2 / "etc/systemd/system/apache2.service.d"
    d2.mkdir(parents=True)
    (d2 / "tmp.conf").write_text("[Service]\nPrivateTmp=yes\n")
    [msg] = _wsg213(root2)
    assert "etc/systemd/system/apache2.service.d/tmp.conf:2" in msg


def test_etc_unit_overrides_lib(tmp_path):
    root = _tree(tmp_path, "bad_httpd_private_tmp")
    (root / "etc/systemd/system/apache2.service").write_text(APACHE_UNIT.replace("PrivateTmp=true\n", ""))
    u = _units(root)["apache2.service"]
    assert u.path.endswith("etc/systemd/system/apache2.service") and u.private_tmp is None
    assert _wsg213(root) == []


def test_masked_unit_falls_back_to_the_condition(tmp_path):
    root = _tree(tmp_path, "bad_httpd_private_tmp")
    (root / "etc/systemd/system/apache2.service").symlink_to("/dev/null")
    assert _units(root)["apache2.service"].masked
    [msg] = _wsg213(root)
    assert "if httpd's unit sets PrivateTmp=true" in msg
    (root / "etc/systemd/system/apache2.service").unlink()
    (root / "etc/systemd/system/apache2.service").write_text("")  # an empty unit file is masked too
    assert _units(root)["apache2.service"].masked


def test_no_web_unit_keeps_the_condition(tmp_path):
    root = _tree(tmp_path, "bad_httpd_private_tmp")
    shutil.rmtree(root / "lib")
    assert _units(root) == {}
    [msg] = _wsg213(root)
    assert "if httpd's unit sets PrivateTmp=true (Debian's apache2.service does)" in msg


def test_template_instance_reads_its_own_confdir(tmp_path):
    root = tmp_path / "root"
    lib = root / "lib/systemd/system"
    lib.mkdir(parents=True)
    (lib / "apache2@.service").write_text(
        "[Service]\nEnvironment=APACHE_CONFDIR=/etc/apache2-%i APACHE_STARTED_BY_SYSTEMD=true\n"
        "ExecStart=/usr/sbin/apachectl start\nPrivateTmp=true\n")
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    (wants / "apache2@public.service").symlink_to("/lib/systemd/system/apache2@.service")
    u = _units(root)["apache2@public.service"]
    assert (u.config_dir, u.private_tmp) == ("/etc/apache2-public", True)


def test_joined_namespaces_share_tmp(tmp_path):
    root = _tree(tmp_path, "bad_httpd_private_tmp")
    unit = root / "etc/systemd/system/keystone.service"
    unit.write_text(unit.read_text().replace("[Service]\n", "JoinsNamespaceOf=apache2.service\n\n[Service]\n"
                                             "PrivateTmp=true\n"))
    assert _wsg213(root) == []


def test_nginx_unit_user_and_hostile_files_are_no_traceback(tmp_path):
    root = tmp_path / "root"
    lib = root / "lib/systemd/system"
    lib.mkdir(parents=True)
    (lib / "nginx.service").write_bytes(b"[Service]\nUser=\xff\xfe\nPrivateTmp=maybe\\\n")
    (lib / "httpd.service").symlink_to("httpd.service")  # a loop
    units = _units(root)
    assert units["nginx.service"].server == "nginx" and units["nginx.service"].private_tmp is False
    assert units["httpd.service"].masked  # never started as read: its configuration is not loaded


PERMS = FIXTURES / "rules/proxy-unix-socket-permissions"


def _wsg215(case: Path, root: bool = True) -> list[str]:
    kwargs = {"root": case} if root else {}
    return [f.message for f in check([case], select=["WSG215"], **kwargs).findings]


def test_socket_permissions_name_both_users():
    [msg] = _wsg215(PERMS / "bad_known_users")
    assert "gets owner keystone (User=keystone of keystone.service, Group=keystone)" in msg
    assert "mode 755 (0777 minus umask 022: keystone.service sets no UMask= (systemd's default 0022))" in msg
    assert "Apache runs as www-data (" in msg and "apache2.conf:3 via envvars" in msg
    assert "answers 503 ((13)Permission denied)" in msg
    assert "uWSGI runs as keystone, not root, so `chown-socket = keystone:www-data` works only if" in msg
    assert _wsg215(PERMS / "good_same_user") == []


def test_socket_permissions_nginx_users():
    [msg] = _wsg215(PERMS / "bad_nginx_users", root=False)
    assert "belongs to www-data (uid = www-data (" in msg and "nginx runs as nobody (" in msg
    assert "answers 502 ((13: Permission denied))" in msg
    assert _wsg215(PERMS / "good_nginx_users", root=False) == []


def test_socket_permissions_unresolved_apache_user_keeps_todays_wording(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(PERMS / "bad_known_users", root)
    (root / "etc/apache2/envvars").unlink()
    [msg] = _wsg215(root)
    assert "gets uWSGI's owner (User=keystone of keystone.service, Group=keystone) and umask" in msg
    assert "Apache's user cannot connect" in msg


def test_socket_permissions_root_uwsgi_without_user(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(PERMS / "bad_known_users", root)
    unit = root / "etc/systemd/system/keystone.service"
    unit.write_text(unit.read_text().replace("User=keystone\nGroup=keystone\n", ""))
    [msg] = _wsg215(root)
    assert "gets owner root (keystone.service sets no User= (systemd runs it as root))" in msg
    ini = root / "etc/keystone/keystone-uwsgi.ini"
    ini.write_text(ini.read_text() + "chmod-socket = 666\n")
    assert _wsg215(root) == []
    ini.write_text(ini.read_text().replace("chmod-socket = 666", "chmod-socket = 600"))
    [msg] = _wsg215(root)
    assert "owner root (" in msg and "mode 600 (chmod-socket = 600 (" in msg
