"""httpd's own launcher gives its -D defines (issue 14 item 1): a Red Hat httpd.service with $OPTIONS
from /etc/sysconfig/httpd, Debian's apachectl + envvars APACHE_ARGUMENTS, apache2@NAME, kolla's
command; <IfDefine> sections judged as deployed, and the real apache2 agreeing on which are active."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import oracle
from conftest import FIXTURES
from lintrun import check

from wsgilint.fsroot import FileSystem
from wsgilint.launch import httpd
from wsgilint.launch import unit as unit_mod
from wsgilint.launch.read import read_web_units

REDHAT = FIXTURES / "deployments/redhat-httpd-defines"
KOLLA = FIXTURES / "deployments/kolla-2025.1"


def _copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "root"
    shutil.copytree(src, dest, symlinks=True)
    return dest


def _timeout_lines(root: Path, **kw) -> list[int]:
    return sorted(f.line for f in check([root], root=root, select=["WSG205"], **kw).findings
                  if f.path.endswith("httpd.conf"))


def test_parse_args_like_apr_getopt():
    st = httpd.parse_args(["-DA", "-D", "B", "-tX", "-d", "/srv/h", "-fconf/x.conf", "-k", "start"])
    assert list(st.defines) == ["A", "B", "DEBUG"]
    assert (st.server_root, st.config, st.problem) == ("/srv/h", "conf/x.conf", None)
    assert st.root_config("httpd") == "/srv/h/conf/x.conf"
    assert httpd.parse_args([]).root_config("httpd") == "/etc/httpd/conf/httpd.conf"
    assert httpd.parse_args([]).root_config("apache2") == "/etc/apache2/apache2.conf"
    assert httpd.parse_args(["start"]).problem is not None  # httpd refuses it: not a launcher of anything
    assert httpd.parse_args(["-D"]).problem is not None


def test_expand_exec_as_systemd():
    env = {"OPTIONS": "-DA -DB"}
    assert unit_mod.expand_exec(["$OPTIONS", "-DFOREGROUND"], env) == ["-DA", "-DB", "-DFOREGROUND"]
    assert unit_mod.expand_exec(["${OPTIONS}"], env) == ["-DA -DB"]  # one word: -D with "A -DB"
    assert unit_mod.expand_exec(["$UNSET", "-DX"], env) == ["-DX"]


def test_redhat_unit_reads_sysconfig_options():
    [u] = [u for u in read_web_units(FileSystem(str(REDHAT))) if u.name == "httpd.service"]
    assert (u.program, u.argv, u.environment_complete) == ("httpd", ["-DSSLMODE", "-DFOREGROUND"], True)
    assert u.argv_at[1] == 14
    result = check([REDHAT], root=REDHAT, select=["WSG205"])
    [server] = result.model.apache
    assert "SSLMODE" in server.config.defines and "FOREGROUND" in server.config.defines
    assert "ExecStart= of httpd.service" in server.launched_with


def test_ifdefine_follows_the_launcher(tmp_path):
    root = _copy(REDHAT, tmp_path)
    assert _timeout_lines(root) == [7]  # <IfDefine SSLMODE>: the unit defines it
    sysconfig = root / "etc/sysconfig/httpd"
    sysconfig.write_text(sysconfig.read_text().replace("OPTIONS=-DSSLMODE", "OPTIONS="))
    assert _timeout_lines(root) == [10]  # the twin: <IfDefine !SSLMODE>
    assert _timeout_lines(root, defines={"SSLMODE": ""}) == [7]  # --define adds to the launcher's


def test_dropin_environment_and_missing_file(tmp_path):
    root = _copy(REDHAT, tmp_path)
    (root / "etc/sysconfig/httpd").unlink()
    [u] = [u for u in read_web_units(FileSystem(str(root))) if u.name == "httpd.service"]
    assert u.environment_complete is False and u.argv == ["-DFOREGROUND"]
    [server] = check([root], root=root, select=["WSG205"]).model.apache
    assert "variables are unknown" in server.launched_with
    d = root / "etc/systemd/system/httpd.service.d"
    d.mkdir(parents=True)
    (d / "override.conf").write_text("[Service]\nEnvironment=OPTIONS=-DSSLMODE\n")  # httpd.service(8)'s way
    assert _timeout_lines(root) == [7]


def test_masked_unit_is_no_launcher(tmp_path):
    root = _copy(REDHAT, tmp_path)
    mask = root / "etc/systemd/system/httpd.service"
    mask.parent.mkdir(parents=True)
    mask.symlink_to("/dev/null")
    assert _timeout_lines(root) == [10]


def test_unit_for_another_config_does_not_apply(tmp_path):
    root = _copy(REDHAT, tmp_path)
    unit = root / "usr/lib/systemd/system/httpd.service"
    unit.write_text(unit.read_text().replace("$OPTIONS -DFOREGROUND", "$OPTIONS -f conf/other.conf -DFOREGROUND"))
    assert _timeout_lines(root) == [10]


DEBIAN_UNIT = ("[Service]\nType=forking\nEnvironment=APACHE_STARTED_BY_SYSTEMD=true\n"
               "ExecStart=/usr/sbin/apachectl start\nPrivateTmp=true\n")  # apache2 2.4.71-1~deb12u1 apache2.service
DEBIAN_CONF = ("Listen 9292\n<IfDefine SSLMODE>\nTimeout 30\n</IfDefine>\n<IfDefine !SSLMODE>\nTimeout 20\n"
               "</IfDefine>\n<VirtualHost *:9292>\nProxyPass / http://127.0.0.1:60999/ retry=0\n</VirtualHost>\n")


def _debian(tmp_path: Path, confdir: str, unit: str, arguments: str | None) -> Path:
    root = tmp_path / "root"
    (root / confdir.lstrip("/")).mkdir(parents=True)
    (root / confdir.lstrip("/") / "apache2.conf").write_text(DEBIAN_CONF)
    (root / confdir.lstrip("/") / "glance-api.conf").write_text("# glance\n")
    envvars = "export APACHE_RUN_USER=www-data\n" + (f"export APACHE_ARGUMENTS='{arguments}'\n" if arguments else "")
    (root / confdir.lstrip("/") / "envvars").write_text(envvars)
    (root / "lib/systemd/system").mkdir(parents=True)
    (root / "lib/systemd/system" / unit).write_text(DEBIAN_UNIT)
    return root


def _lines(root: Path) -> list[int]:
    return sorted(f.line for f in check([root], root=root, select=["WSG205"]).findings)


def test_debian_apachectl_passes_envvars_arguments(tmp_path):
    root = _debian(tmp_path / "a", "/etc/apache2", "apache2.service", "-D SSLMODE")
    [server] = check([root], root=root, select=["WSG205"]).model.apache
    assert "apache2.service runs apachectl" in server.launched_with and "SSLMODE" in server.config.defines
    root = _debian(tmp_path / "b", "/etc/apache2", "apache2.service", None)
    [server] = check([root], root=root, select=["WSG205"]).model.apache
    assert "apache2.service runs apachectl" in server.launched_with and "SSLMODE" not in server.config.defines


def test_debian_instance_unit_maps_to_its_confdir(tmp_path):
    root = _debian(tmp_path, "/etc/apache2-two", "apache2@.service", "-DSSLMODE")
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    (wants / "apache2@two.service").symlink_to("/lib/systemd/system/apache2@.service")
    servers = check([root], root=root, select=["WSG205"]).model.apache
    [server] = [s for s in servers if s.config.root_path.endswith("apache2-two/apache2.conf")]
    assert "apache2@two.service" in server.launched_with and "SSLMODE" in server.config.defines


def test_kolla_command_defines(tmp_path):
    root = _copy(KOLLA, tmp_path)
    cj = root / "etc/kolla/keystone/config.json"
    data = json.loads(cj.read_text())
    data["command"] = "/usr/sbin/apache2 -DFOREGROUND -D KOLLA_X"
    cj.write_text(json.dumps(data))
    servers = [s for s in check([root], root=root).model.apache if s.container == "keystone"]
    assert servers and all({"FOREGROUND", "KOLLA_X"} <= set(s.config.defines) for s in servers)


# ---- the differential oracle: the real apache2 started with the launcher's words -----------------

def _includes(stdout: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\s+\((?:\*|\d+)\) (.*)$", stdout, re.M)]


def test_redhat_launcher_sections_match_apache2(tmp_path):
    binary = oracle.apache2("launcher defines differential")
    moddir = oracle.apache_module_dir("launcher defines differential")
    for options in ("-DSSLMODE", ""):
        root = tmp_path / (options or "none")
        etc = root / "etc/httpd"
        (etc / "conf").mkdir(parents=True)
        (etc / "run").mkdir()
        for name in ("on.conf", "off.conf"):
            (etc / name).write_text("\n")
        # No ServerRoot: httpd's is -d (or the compiled-in /etc/httpd); wsgilint takes it from the unit.
        (etc / "conf/httpd.conf").write_text(
            f"ServerName localhost\nPidFile {etc}/run/httpd.pid\nErrorLog {etc}/run/error.log\n"
            f"LoadModule mpm_event_module {moddir}/mod_mpm_event.so\n"
            "<IfDefine SSLMODE>\n  Include on.conf\n</IfDefine>\n<IfDefine !SSLMODE>\n  Include off.conf\n</IfDefine>\n")
        shutil.copytree(REDHAT / "usr", root / "usr")
        (root / "etc/sysconfig").mkdir()
        (root / "etc/sysconfig/httpd").write_text(f"OPTIONS={options}\n")
        [u] = [u for u in read_web_units(FileSystem(str(root))) if u.name == "httpd.service"]
        [server] = check([root], root=root).model.apache
        ours = [f.config_path.removeprefix("/etc/httpd/") for f in server.config.files]
        p = subprocess.run([binary, *u.argv, "-d", str(etc), "-f", "conf/httpd.conf", "-t", "-D", "DUMP_INCLUDES"],
                           capture_output=True, text=True, env={"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C"},
                           timeout=60)
        assert p.returncode == 0, p.stderr
        theirs = [f.removeprefix(str(etc) + "/") for f in _includes(p.stdout)]
        assert ours == theirs == ["conf/httpd.conf", "on.conf" if options else "off.conf"]


def test_debian_apachectl_sections_match_apache2(tmp_path):
    binary = oracle.apache2("launcher defines differential")
    moddir = oracle.apache_module_dir("launcher defines differential")
    for arguments in ("-D SSLMODE", None):
        root = _debian(tmp_path / str(bool(arguments)), "/etc/apache2", "apache2.service", arguments)
        conf = root / "etc/apache2"
        (conf / "run").mkdir()
        (conf / "on.conf").write_text("\n")
        (conf / "off.conf").write_text("\n")
        (conf / "apache2.conf").write_text(
            f"ServerName localhost\nPidFile {conf}/run/httpd.pid\nErrorLog {conf}/run/error.log\n"
            f"LoadModule mpm_event_module {moddir}/mod_mpm_event.so\n"
            "<IfDefine SSLMODE>\n  Include on.conf\n</IfDefine>\n<IfDefine !SSLMODE>\n  Include off.conf\n</IfDefine>\n")
        [server] = check([root], root=root).model.apache
        ours = [f.config_path.removeprefix("/etc/apache2/") for f in server.config.files]
        words = httpd.apachectl_words("/etc/apache2", arguments)[:-2]  # without "-k start": -t instead
        p = subprocess.run([binary, *words, "-d", str(conf), "-f", "apache2.conf", "-t", "-D", "DUMP_INCLUDES"],
                           capture_output=True, text=True, env={"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C"},
                           timeout=60)
        assert p.returncode == 0, p.stderr
        theirs = [f.removeprefix(str(conf) + "/") for f in _includes(p.stdout)]
        assert ours == theirs == ["apache2.conf", "on.conf" if arguments else "off.conf"]


def test_envvars_are_environment_not_defines(tmp_path):
    """Debian's envvars are httpd's environment (apache2ctl exports them): ``${APACHE_LOG_DIR}`` reads them,
    ``<IfDefine APACHE_LOG_DIR>`` does not (httpd's ap_resolve_env: Defines, then getenv; <IfDefine>: -D
    and Define only). Checked against the real apache2 started with that environment."""
    binary = oracle.apache2("envvars differential")
    moddir = oracle.apache_module_dir("envvars differential")
    conf = tmp_path / "etc/apache2"
    (conf / "run").mkdir(parents=True)
    for name in ("defined.conf", "env.conf"):
        (conf / name).write_text("\n")
    (conf / "envvars").write_text(f"export APACHE_LOG_DIR={conf}/run\nexport WSGILINT_PART=env\n")
    (conf / "apache2.conf").write_text(
        f"ServerName localhost\nPidFile {conf}/run/httpd.pid\nErrorLog ${{APACHE_LOG_DIR}}/error.log\n"
        f"LoadModule mpm_event_module {moddir}/mod_mpm_event.so\n"
        "<IfDefine APACHE_LOG_DIR>\n  Include defined.conf\n</IfDefine>\nInclude ${WSGILINT_PART}.conf\n")
    [server] = check([conf / "apache2.conf"]).model.apache
    ours = [f.config_path.rsplit("/", 1)[-1] for f in server.config.files]
    assert "APACHE_LOG_DIR" not in server.config.defines
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C", "APACHE_LOG_DIR": f"{conf}/run", "WSGILINT_PART": "env"}
    p = subprocess.run([binary, "-d", str(conf), "-f", "apache2.conf", "-t", "-D", "DUMP_INCLUDES"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    theirs = [f.rsplit("/", 1)[-1] for f in _includes(p.stdout)]
    assert ours == theirs == ["apache2.conf", "env.conf"]


def test_expand_exec_is_bounded():
    """10k `$OPTIONS` words with a 100 KB value (a hostile unit): at most MAX_EXEC_CHARS kept, at once."""
    import time

    t0 = time.perf_counter()
    words = unit_mod.expand_exec(["$OPTIONS"] * 10000 + ["${OPTIONS}x"] * 10000, {"OPTIONS": "-D" + "X" * 100_000})
    assert time.perf_counter() - t0 < 2
    assert sum(map(len, words)) <= unit_mod.MAX_EXEC_CHARS
    assert unit_mod.expand_exec(["/usr/sbin/httpd", "$OPTIONS", "-f", "${CONF}/x"], {"OPTIONS": "-DA -DB", "CONF": "/c"}) \
        == ["/usr/sbin/httpd", "-DA", "-DB", "-f", "/c/x"]
