"""The launch layer: launchers parsed and read inside the root, effective options with their
sources, and the rules that read them (WSG115, WSG105, WSG405) on Debian and systemd trees."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES
from lintrun import check, concise

from wsgilint.fsroot import FileSystem
from wsgilint.launch import unit as unit_mod
from wsgilint.launch.read import read_launchers

DEBIAN = FIXTURES / "deployments/debian-uwsgi-packaged"


def _copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "root"
    shutil.copytree(src, dest, symlinks=True)
    return dest


def test_unit_parser_continuation_comments_and_reset():
    u = unit_mod.Unit()
    u.add("[Service]\n# c\nExecStart=/usr/bin/uwsgi --ini a.ini \\\n  ; skipped\n  --master\nKillSignal=3\n", "/u")
    u.add("[Service]\nExecStart=\nExecStart=/usr/bin/uwsgi --ini b.ini\n", "/d")
    assert [v for v, _p, _l in u.all("Service", "ExecStart")] == ["/usr/bin/uwsgi --ini b.ini"]
    assert unit_mod.signal_name(u.get("Service", "KillSignal")[0]) == "SIGQUIT"
    assert unit_mod.signal_name("quit") == "SIGQUIT"
    u2 = unit_mod.Unit()
    u2.add("[Service]\nExecStart=/usr/bin/uwsgi --ini a.ini \\\n  --master\n", "/u")
    assert u2.get("Service", "ExecStart")[0] == "/usr/bin/uwsgi --ini a.ini  --master"


def test_specifiers_of_an_instance():
    assert unit_mod.specifiers("/etc/uwsgi/%i.ini %n %p %%", "uwsgi@key-stone.service") == \
        "/etc/uwsgi/key-stone.ini uwsgi@key-stone.service uwsgi %"
    assert unit_mod.specifiers("%I", "app@a-b.service") == "a/b"


def test_debian_effective_options_name_their_file():
    fs = FileSystem(str(DEBIAN))
    plan = read_launchers(fs)
    assert plan.inis == ["/etc/uwsgi/apps-enabled/keystone.ini"]
    result = check([DEBIAN], root=DEBIAN)
    [app] = result.model.uwsgi
    assert app.path.endswith("etc/uwsgi/apps-enabled/keystone.ini")
    workers = app.config.last("workers")
    assert workers.value == "2" and workers.span.source.path.endswith("usr/share/uwsgi/conf/default.ini")
    assert workers.span.source.position(workers.span.start)[0] == 46
    sock = app.config.last("socket")
    assert sock.value == "/run/uwsgi/app/keystone/socket"
    assert [str(b.address) for b in app.binds] == ["unix:/run/uwsgi/app/keystone/socket"]
    assert app.config.launcher.kind == "debian-init" and app.config.launcher.stop_signal == "SIGQUIT"
    assert app.config.launcher.stop_source.endswith("usr/share/uwsgi/init/specific_daemon:97")
    assert app.config.last("deb-confname").span.source.path.endswith("usr/share/uwsgi/init/specific_daemon")
    # default.ini is loaded by the instance, not an instance of its own
    assert all(not a.path.endswith("default.ini") for a in result.model.uwsgi)
    assert concise(result) == []


def test_debian_without_defaults_inherits_nothing(tmp_path):
    root = _copy(DEBIAN, tmp_path)
    (root / "etc/default/uwsgi").unlink()
    result = check([root], root=root)
    [app] = [a for a in result.model.uwsgi if a.path.endswith("apps-enabled/keystone.ini")]
    assert app.config.launcher.inherited == []
    assert app.config.last("workers") is None and app.binds == []
    got = concise(result)
    assert any("WSG405" in g for g in got) and any("WSG105" in g for g in got)


def test_without_the_init_script_apps_enabled_is_read_alone(tmp_path):
    root = _copy(DEBIAN, tmp_path)
    (root / "etc/init.d/uwsgi").unlink()
    result = check([root], root=root)
    assert result.model.uwsgi and all(a.config.launcher is None for a in result.model.uwsgi)
    assert any("WSG405" in g for g in concise(result))


def test_launchers_need_a_whole_tree():
    # A directory named without --root is not a root: the host's /etc/systemd is never read for it.
    result = check([DEBIAN], cwd=DEBIAN.parent)
    assert all(a.config.launcher is None for a in result.model.uwsgi)


def test_broken_unit_quoting_is_no_launcher(tmp_path):
    root = tmp_path / "root"
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/app").mkdir(parents=True)
    (root / "etc/app/app-uwsgi.ini").write_text("[uwsgi]\nmaster = true\nmodule = app:application\n")
    (root / "etc/systemd/system/app.service").write_text(
        '[Service]\nExecStart=/usr/bin/uwsgi --ini "/etc/app/app-uwsgi.ini\n')
    result = check([root], root=root)
    assert all(a.config.launcher is None for a in result.model.uwsgi)


def test_unit_ini_outside_the_root_is_not_read(tmp_path):
    outside = tmp_path / "outside.ini"
    outside.write_text("[uwsgi]\nmaster = true\nmodule = secret:application\n")
    root = tmp_path / "root"
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/app").mkdir(parents=True)
    (root / "etc/app/app-uwsgi.ini").symlink_to(outside)
    (root / "etc/app/x-uwsgi.ini").write_text("[uwsgi]\nmodule = x:application\n")
    (root / "etc/systemd/system/app.service").write_text(
        f"[Service]\nExecStart=/usr/bin/uwsgi --ini /etc/app/app-uwsgi.ini --ini {outside}\n")
    result = check([root], root=root)
    assert all("secret" not in o.value for a in result.model.uwsgi for o in a.config.options)


def test_sigterm_finding_names_the_unit():
    case = FIXTURES / "rules/uwsgi-sigterm-reloads/bad_systemd"
    result = check([case], root=case, select=["WSG115"])
    [f] = result.findings
    assert "glance-api.service stops it with SIGTERM" in f.message
    assert "no KillSignal= in" in f.message and "glance-api.service: systemd's default" in f.message


def test_systemd_environment_and_drop_in_reach_the_options():
    root = FIXTURES / "deployments/systemd-uwsgi-env"
    result = check([root], root=root)
    [app] = result.model.uwsgi
    cfg = app.config
    assert cfg.last("processes").value == "4"  # %(workers-from-env) from Environment=UWSGI_WORKERS_FROM_ENV
    assert cfg.last("socket-timeout").value == "30"  # EnvironmentFile=-/etc/default/keystone
    assert cfg.flag("die-on-term") and cfg.flag("master")  # the drop-in's ExecStart replaced the unit's
    assert cfg.launcher.user == "keystone" and cfg.launcher.runtime_directories == ["keystone"]
    assert concise(result) == []


def test_cli_debian_tree_is_quiet():
    p = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--root", str(DEBIAN), "--fail-on", "info"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr


def test_hostile_launcher_files_are_no_traceback(tmp_path):
    root = tmp_path / "root"
    (root / "etc/systemd/system/x.service.d").mkdir(parents=True)
    (root / "etc/init.d").mkdir(parents=True)
    (root / "etc/default").mkdir(parents=True)
    (root / "etc/uwsgi/apps-enabled").mkdir(parents=True)
    (root / "etc/uwsgi/apps-enabled/a.ini").write_text("[uwsgi]\nmodule = a:application\n")
    (root / "etc/init.d/uwsgi").write_text("UWSGI_APPS_CONFDIR_SUFFIX=s-enabled\n")
    (root / "etc/default/uwsgi").write_bytes(b"INHERITED_CONFIG='\xff\x00\n$(rm -rf /)\n")
    (root / "etc/systemd/system/x.service").write_bytes(
        b"\xff\xfe[Service\nExecStart=/usr/bin/uwsgi --ini \\\n" * 50 + b"KillSignal=99999\nExecStart=uwsgi '\n")
    (root / "etc/systemd/system/x.service.d/a.conf").write_bytes(b"[Service]\nExecStart=/usr/bin/uwsgi %\n")
    (root / "etc/uwsgi.ini").write_text("[uwsgi]\nemperor = /etc/uwsgi.d/[*.ini\nemperor = zmq://x\n"
                                        "emperor = $(EVIL)\n")
    result = check([root], root=root)
    assert any(a.path.endswith("apps-enabled/a.ini") for a in result.model.uwsgi)
    assert not [f for f in result.findings if f.rule.id == "WSG002"]
