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
    # (DEBIAN itself holds etc/uwsgi, so `check DEBIAN` is now checked as a root, issue 16 #4:
    # its etc/ is the directory that is not one.)
    result = check([DEBIAN / "etc"], cwd=DEBIAN.parent)
    assert result.model.uwsgi
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


# -- openstack-pkg-tools init scripts (Debian's OpenStack packages) ------------------------------
OSINIT = FIXTURES / "deployments/debian-openstack-init"
NOT_STARTED = FIXTURES / "rules/uwsgi-ini-not-started"


def test_openstack_init_script_is_the_launcher():
    result = check([OSINIT], root=OSINIT)
    apps = {a.path.rsplit("/", 1)[-1]: a for a in result.model.uwsgi}
    assert sorted(apps) == ["nova-api-metadata-uwsgi.ini", "nova-api-uwsgi.ini", "placement-api-uwsgi.ini"]
    placement = apps["placement-api-uwsgi.ini"].config
    la = placement.launcher
    assert la.kind == "openstack-init" and la.path == "/etc/init.d/placement-api"
    assert [(a.kind, a.key, a.value) for a in la.args] == [
        ("opt", "http-socket", ":8778"), ("ini", "ini", "/etc/placement/placement-api-uwsgi.ini")]
    sock = placement.last("http-socket")
    assert sock.value == ":8778" and sock.span.source.path.endswith("etc/init.d/placement-api")
    assert sock.span.source.position(sock.span.start)[0] == 19  # UWSGI_PORT=8778
    # systemd runs `/etc/init.d/placement-api systemd-start` (exec $DAEMON $DAEMON_ARGS): it stops it
    assert la.stop_signal == "SIGTERM" and "placement-api.service: systemd's default" in la.stop_source
    assert la.user == "placement" and la.runtime_directories == ["placement", "lock/placement"]
    assert result.model.not_started == []


def test_openstack_init_without_systemd_stops_as_the_script_does(tmp_path):
    root = _copy(OSINIT, tmp_path)
    shutil.rmtree(root / "lib/systemd")
    fs = FileSystem(str(root))
    plan = read_launchers(fs)
    la = plan.for_ini(fs, "/etc/nova/nova-api-uwsgi.ini")
    assert la.kind == "openstack-init" and la.stop_signal == "SIGTERM"
    assert la.stop_source.endswith("etc/init.d/nova-api:198 (start-stop-daemon --retry)")
    assert (root / "etc/init.d/nova-api").read_text().split("\n")[197].strip() == "--retry=TERM/30/KILL/5 \\"
    assert la.user == "nova" and la.group == "nova"


def test_openstack_init_defaults_and_tls(tmp_path):
    root = _copy(OSINIT, tmp_path)
    (root / "etc/default").mkdir()
    (root / "etc/default/placement-api").write_text('PYARGV="--config-file /etc/placement/x.conf"\n')
    (root / "etc/placement/ssl/private").mkdir(parents=True)
    (root / "etc/placement/ssl/public").mkdir(parents=True)
    (root / "etc/placement/ssl/private/key.PEM").write_text("k")
    (root / "etc/placement/ssl/public/cert.crt").write_text("c")
    fs = FileSystem(str(root))
    la = read_launchers(fs).for_ini(fs, "/etc/placement/placement-api-uwsgi.ini")
    assert [(a.key, a.value) for a in la.args] == [
        ("https-socket", ":8778,/etc/placement/ssl/public/cert.crt,/etc/placement/ssl/private/key.PEM"),
        ("ini", "/etc/placement/placement-api-uwsgi.ini"), ("pyargv", "--config-file /etc/placement/x.conf")]


def test_openstack_init_bind_from_service_config_is_not_guessed(tmp_path):
    root = _copy(OSINIT, tmp_path)
    script = root / "etc/init.d/placement-api"
    script.write_text(script.read_text().replace(
        "UWSGI_INI_APP=/usr/bin/placement-api\n",
        "UWSGI_INI_APP=/usr/bin/placement-api\nUWSGI_BIND_CONFIG_FILE=/etc/placement/placement.conf\n"
        "UWSGI_BIND_CONFIG_SECTION=api\nUWSGI_BIND_CONFIG_IP_DIRECTIVE=bind_host\n"
        "UWSGI_BIND_CONFIG_PORT_DIRECTIVE=bind_port\n", 1))
    (root / "etc/placement/placement.conf").write_text("[api]\nbind_port = 1\n")
    result = check([root], root=root)
    [app] = [a for a in result.model.uwsgi if a.path.endswith("placement-api-uwsgi.ini")]
    sock = app.config.last("http-socket")
    assert sock.dynamic and "pkgos_inifile get /etc/placement/placement.conf api bind_port" in sock.value
    assert not any("WSG119" in g and "placement" in g for g in concise(result))


def test_commented_uwsgi_ini_path_starts_nothing():
    case = NOT_STARTED / "bad"
    result = check([case], root=case)
    assert result.model.uwsgi == []
    [ns] = result.model.not_started
    assert ns.path.endswith("etc/glance/glance-api-uwsgi.ini") and ns.line == 22
    assert ns.evidence.text.split("\n")[21] == "#UWSGI_INI_PATH=/etc/glance/glance-api-uwsgi.ini"
    assert "glance-api's UWSGI_INI_PATH is commented out (the service runs without uWSGI)" in ns.reason
    [f] = result.findings  # WSG117/WSG111 on the inert ini are gone: only the note that it is inert
    assert f.rule.id == "WSG122" and f.severity.name == "INFO"
    assert "not started by anything in this tree" in f.message
    assert dict(result.files)[ns.path] == "uwsgi-not-started"


def test_an_ini_another_launcher_starts_is_an_instance():
    case = NOT_STARTED / "good_unit"
    result = check([case], root=case)
    [app] = result.model.uwsgi
    assert app.config.launcher.kind == "systemd" and result.model.not_started == []


def test_without_launcher_evidence_the_ini_is_checked_as_before(tmp_path):
    case = NOT_STARTED / "good_no_launcher"
    result = check([case], root=case)
    assert [a.path.rsplit("/", 1)[-1] for a in result.model.uwsgi] == ["glance-api-uwsgi.ini"]
    assert result.model.not_started == []
    # the same tree named without --root is not a whole root: init scripts are not read
    result = check([NOT_STARTED / "bad"], cwd=NOT_STARTED)
    assert [a.path.rsplit("/", 1)[-1] for a in result.model.uwsgi] == ["glance-api-uwsgi.ini"]


def test_script_naming_another_ini_leaves_the_packaged_one_unstarted(tmp_path):
    root = _copy(NOT_STARTED / "bad", tmp_path)
    script = root / "etc/init.d/glance-api"
    script.write_text(script.read_text().replace(
        "#UWSGI_PORT=9292\n#UWSGI_INI_PATH=/etc/glance/glance-api-uwsgi.ini\n",
        "UWSGI_PORT=9292\nUWSGI_INI_PATH=/etc/glance/mine.ini\nUWSGI_INI_APP=/usr/bin/glance-wsgi-api\n", 1))
    (root / "etc/glance/mine.ini").write_text("[uwsgi]\nmaster = true\nwsgi-file = /usr/bin/glance-wsgi-api\n")
    result = check([root], root=root)
    assert [a.path.rsplit("/", 1)[-1] for a in result.model.uwsgi] == ["mine.ini"]
    [ns] = result.model.not_started
    assert ns.path.endswith("glance-api-uwsgi.ini") and "UWSGI_INI_PATH names /etc/glance/mine.ini" in ns.reason


def test_dynamic_or_hostile_init_scripts_are_no_evidence(tmp_path):
    root = _copy(NOT_STARTED / "bad", tmp_path)
    script = root / "etc/init.d/glance-api"
    script.write_text(script.read_text().replace(
        "#UWSGI_INI_PATH=/etc/glance/glance-api-uwsgi.ini\n", "UWSGI_INI_PATH=$(pick-an-ini)\n", 1))
    (root / "etc/init.d/junk").write_bytes(b"\xff\xfeUWSGI_INI_PATH=\x00pkgos\n#UWSGI_INI_PATH=/etc/../../x\n" * 100)
    result = check([root], root=root)
    assert [a.path.rsplit("/", 1)[-1] for a in result.model.uwsgi] == ["glance-api-uwsgi.ini"]
    assert result.model.not_started == []
    assert not [f for f in result.findings if f.rule.id in ("WSG002", "WSG122")]


def test_environment_file_overrides_environment(tmp_path):
    """systemd.exec(5), EnvironmentFile=: "Settings from these files override settings made with
    Environment=" (whatever the order of the two lines in the unit)."""
    root = tmp_path / "root"
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    (root / "etc/default").mkdir(parents=True)
    (root / "etc/uwsgi").mkdir(parents=True)
    (root / "etc/default/app").write_text("UWSGI_PROCESSES=8\n")
    (root / "etc/uwsgi/app.ini").write_text("[uwsgi]\nmodule = app:application\nsocket = /run/app/app.sock\n")
    unit = root / "etc/systemd/system/app.service"
    unit.write_text("[Service]\nEnvironmentFile=/etc/default/app\nEnvironment=UWSGI_PROCESSES=2 OTHER=1\n"
                    "ExecStart=/usr/bin/uwsgi --ini /etc/uwsgi/app.ini\n[Install]\nWantedBy=multi-user.target\n")
    (root / "etc/systemd/system/multi-user.target.wants/app.service").symlink_to(unit)
    fs = FileSystem(str(root))
    plan = read_launchers(fs)
    launcher = plan.for_ini(fs, "/etc/uwsgi/app.ini")
    assert launcher.environment["UWSGI_PROCESSES"] == "8" and launcher.environment["OTHER"] == "1"
    from wsgilint.resolve.uwsgi import resolve

    assert resolve(fs, "/etc/uwsgi/app.ini", launcher=launcher).last("processes").value == "8"


QUIET_LAUNCHED = [  # issue 14 item 5: correct deployments, each started by its launcher, stay quiet
    ("deployments/debian-uwsgi-packaged", True, "debian-init"),  # Debian apps-enabled, default socket
    ("deployments/redhat-emperor-good", True, "emperor"),  # Red Hat's Emperor over /etc/uwsgi.d
    ("deployments/systemd-uwsgi-env", True, "systemd"),  # a unit with --die-on-term
    ("deployments/emperor-inherit", True, "emperor"),
    ("deployments/kolla-2025.1/etc/kolla", False, "kolla"),  # a kolla container
    ("deployments/docker-uwsgi-good", False, "container"),  # a Dockerfile with STOPSIGNAL SIGQUIT
    ("deployments/docker-uwsgi-multistage", False, "container"),  # COPY --from=builder, --die-on-term
]


def test_correct_launched_deployments_are_quiet_above_info():
    from wsgilint.findings import INFO

    for rel, as_root, kind in QUIET_LAUNCHED:
        path = FIXTURES / rel
        result = check([path], root=path if as_root else None)
        loud = [(f.rule.id, f.path, f.line) for f in result.findings if f.severity > INFO]
        assert loud == [], (rel, loud)
        kinds = {a.config.launcher.kind for a in result.model.uwsgi if a.config.launcher is not None}
        assert result.model.uwsgi and kind in kinds, (rel, kinds)


def test_env_expansion_from_the_unit_is_bounded(tmp_path):
    """$(V) with V = 500 KB from an EnvironmentFile=, 2,000 times a line, 200 lines: each value is capped
    while it is built (max-expansion), the check stays fast and says so (WSG010), nothing is expanded past it."""
    import time

    root = tmp_path / "root"
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    (root / "etc/default").mkdir(parents=True)
    (root / "etc/app").mkdir(parents=True)
    (root / "etc/default/app").write_text("V=" + "x" * 500_000 + "\nS=/run/app.sock\n")
    (root / "etc/app/app.ini").write_text("[uwsgi]\nmodule = app:application\nsocket = $(S)\n"
                                          + "".join(f"env{i} = " + "$(V)" * 2000 + "\n" for i in range(200)))
    unit = root / "etc/systemd/system/app.service"
    unit.write_text("[Service]\nEnvironmentFile=/etc/default/app\nExecStart=/usr/bin/uwsgi --ini /etc/app/app.ini\n"
                    "[Install]\nWantedBy=multi-user.target\n")
    (root / "etc/systemd/system/multi-user.target.wants/app.service").symlink_to("/etc/systemd/system/app.service")
    t0 = time.perf_counter()
    result = check([], root=root)
    assert time.perf_counter() - t0 < 20
    assert "WSG010" in {f.rule.id for f in result.findings}
    [app] = result.model.uwsgi
    assert app.config.last("socket").value == "/run/app.sock"  # small values are still expanded
    assert app.config.last("env0").value.startswith("$(V)$(V)")  # kept as written past the cap


def test_too_many_boot_dirs_make_wsg123_unknown(tmp_path):
    """Boot-time directories are read up to MAX_BOOT_DIRS entries, one list shared by every launcher; past
    it, whether /run/app exists at boot is unknown and WSG123 says nothing (it warns with a short file)."""
    from wsgilint.launch.read import MAX_BOOT_DIRS

    root = tmp_path / "root"
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    (root / "etc/tmpfiles.d").mkdir(parents=True)
    (root / "etc/app").mkdir(parents=True)
    (root / "etc/app/app.ini").write_text("[uwsgi]\nmodule = app:application\nsocket = /run/app/app.sock\n")
    unit = root / "etc/systemd/system/app.service"
    unit.write_text("[Service]\nExecStart=/usr/bin/uwsgi --ini /etc/app/app.ini\n[Install]\nWantedBy=multi-user.target\n")
    (root / "etc/systemd/system/multi-user.target.wants/app.service").symlink_to("/etc/systemd/system/app.service")
    tmpfiles = root / "etc/tmpfiles.d/other.conf"
    tmpfiles.write_text("d /run/other 0755 root root -\n")
    assert [f.rule.id for f in check([], root=root, select=["WSG123"]).findings] == ["WSG123"]
    tmpfiles.write_text("".join(f"d /run/other{i} 0755 root root -\n" for i in range(MAX_BOOT_DIRS + 1)))
    assert check([], root=root, select=["WSG123"]).findings == []
