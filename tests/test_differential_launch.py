"""Differential tests of the launch layer: the effective options wsgilint computes for a launched
uWSGI instance equal what the real uWSGI loads when started the same way.

Each tree is a root (as with --root). uWSGI is run the way the launcher runs it, with every
config path mapped into the tree, and ``--pidfile TMP --show-config --hook-pre-jail exit:0``
appended (it prints what it loaded and exits before binding; the pidfile option keeps it from
writing one under /run). The printed values have the tree's host prefix stripped.

- Debian: like /usr/share/uwsgi/init/specific_daemon of the uwsgi package (2.0.21-5.1): bash
  sources /etc/default/uwsgi, then ``UWSGI_DEB_CONFNAMESPACE=app UWSGI_DEB_CONFNAME=NAME uwsgi
  --ini $INHERITED_CONFIG --ini FILE --daemonize LOG``. Run on a tree built from the packaging
  files installed on this machine (scripts/install-deps.sh installs them) and on the fixtures.
- systemd: ExecStart's words, with the unit's UWSGI_* environment.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import oracle
from conftest import FIXTURES
from wsgilint.fsroot import FileSystem
from wsgilint.launch import unit as unit_mod
from wsgilint.launch.read import read_launchers
from wsgilint.resolve.uwsgi import resolve

TAIL = ("pidfile", "show-config", "hook-pre-jail")
_CONFIG = re.compile(r"^(?:[^\n]* - )?;uWSGI instance configuration\n"
                     r"(?:[^\n]* - )?\[uwsgi\]\n(.*?)^(?:[^\n]* - )?;end of configuration$", re.S | re.M)
_DATE = re.compile(r"^\w{3} \w{3} +\d+ [\d:]+ \d{4} - ")

EMPEROR_FIXTURES = [
    "rules/uwsgi-sigterm-reloads/good_redhat_emperor",
    "rules/proxy-target-unserved/good_emperor_include",
    "deployments/emperor-inherit",
    "deployments/redhat-emperor-good",
]
SYSTEMD_FIXTURES = [
    "rules/uwsgi-sigterm-reloads/bad_systemd",
    "rules/uwsgi-sigterm-reloads/good_systemd_die_on_term",
    "rules/uwsgi-sigterm-reloads/good_systemd_dropin",
    "rules/uwsgi-sigterm-reloads/bad_systemd_template",
    "deployments/systemd-uwsgi-env",
    "rules/uwsgi-env-var-unset/bad",  # $(VAR) the unit does not set: kept as written
    "rules/uwsgi-env-var-unset/good",  # $(VAR) from Environment=
    "rules/uwsgi-env-var-unset/good_envfile",  # $(VAR) from EnvironmentFile=
]
DEBIAN_FIXTURES = ["deployments/debian-uwsgi-packaged", "rules/proxy-target-unserved/bad_debian"]


def _parse(out: str) -> list[tuple[str, str]]:
    m = _CONFIG.search(out)
    assert m, f"uwsgi printed no configuration:\n{out}"
    opts = []
    for line in m.group(1).splitlines():
        key, sep, value = _DATE.sub("", line).partition(" = ")
        assert sep, line
        opts.append((key, value))
    # Our own trailing options: last on the command line, yet before what --inherit loads.
    for key in TAIL:
        i = max(n for n, (k, _v) in enumerate(opts) if k == key)
        del opts[i]
    return opts


def _ours(root: Path, log: Path | None) -> dict[str, list[tuple[str, str]]]:
    fs = FileSystem(str(root))
    plan = read_launchers(fs)
    out = {}
    for ini in plan.inis:
        launcher = plan.for_ini(fs, ini)
        cfg = resolve(fs, ini, launcher=launcher)
        assert not [d for d in cfg.diagnostics if d.code != "encoding"], cfg.diagnostics
        out[ini] = [(o.key, str(log) if o.key == "daemonize" and log else o.value) for o in cfg.options]
    return out


def _run(cmd: list[str], env: dict, cwd: Path, log: Path | None) -> str:
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    if log is not None:  # --daemonize: the daemon prints the configuration into the log
        for _ in range(200):
            if log.exists() and ";end of configuration" in log.read_text(errors="replace"):
                break
            time.sleep(0.05)
        out += log.read_text(errors="replace") if log.exists() else ""
    return out


def _strip(opts, root: Path):
    prefix = str(root)
    return [(k, v.replace(prefix, "")) for k, v in opts]


def _debian_case(root: Path, tmp_path: Path):
    uwsgi = oracle.uwsgi("differential launch tests")
    log = tmp_path / "daemon.log"
    ours = _ours(root, log)
    assert ours, "no Debian-launched instance found"
    for ini, opts in ours.items():
        name = ini.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        log.unlink(missing_ok=True)
        # The init script's composition (specific_daemon), paths mapped into the tree.
        script = ('. "$R/etc/default/uwsgi"; UWSGI_DEB_CONFNAMESPACE=app UWSGI_DEB_CONFNAME="$N" '
                  'exec "$U" --ini "$R$INHERITED_CONFIG" --ini "$R$F" --daemonize "$L" '
                  '--pidfile "$T/pid" --show-config --hook-pre-jail exit:0')
        env = {"PATH": "/usr/bin:/bin", "LANG": "C", "R": str(root), "N": name, "U": uwsgi, "F": ini,
               "L": str(log), "T": str(tmp_path)}
        theirs = _strip(_parse(_run(["bash", "-c", script], env, tmp_path, log)), root)
        assert opts == theirs, f"{ini}:\nwsgilint: {opts}\nuwsgi:    {theirs}"
    return ours


def _tree_from_host(tmp_path: Path) -> Path:
    """A tree with Debian's packaging files as installed on this machine, and one app."""
    root = tmp_path / "root"
    for f in ("/usr/share/uwsgi/conf/default.ini", "/etc/default/uwsgi", "/etc/init.d/uwsgi",
              "/usr/share/uwsgi/init/specific_daemon"):
        oracle.require_file(f, "Debian's uwsgi packaging files", what=f"{f} not found (Debian uwsgi package)")
        dest = root / f.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
    apps = root / "etc/uwsgi/apps-enabled"
    apps.mkdir(parents=True)
    (apps / "glance.ini").write_text("[uwsgi]\nmodule = glance.wsgi.api:application\nworkers = 4\n"
                                     "mine = %(socket) %(deb-confname) %n %d\nsocket = /run/glance.sock\n")
    (apps / "plain.ini").write_text("[uwsgi]\nmodule = app:application\n")
    return root


def test_debian_packaging_as_installed(tmp_path):
    root = _tree_from_host(tmp_path)
    ours = _debian_case(root, tmp_path)
    glance = dict(ours["/etc/uwsgi/apps-enabled/glance.ini"][:2])
    assert glance == {"deb-confname": "glance", "deb-confnamespace": "app"}
    plain = ours["/etc/uwsgi/apps-enabled/plain.ini"]
    assert ("workers", "2") in plain and ("socket", "/run/uwsgi/app/plain/socket") in plain


@pytest.mark.parametrize("rel", DEBIAN_FIXTURES)
def test_debian_fixtures(rel, tmp_path):
    _debian_case(FIXTURES / rel, tmp_path)


@pytest.mark.parametrize("rel", SYSTEMD_FIXTURES + EMPEROR_FIXTURES)
def test_systemd_and_emperor_fixtures(rel, tmp_path):
    """A unit's ExecStart words, or the argv the Emperor gives a vassal (core/emperor.c, 2.0.21)."""
    uwsgi = oracle.uwsgi("differential launch tests")
    root = FIXTURES / rel
    ours = _ours(root, None)
    want = "emperor" if rel in EMPEROR_FIXTURES else "systemd"
    fs = FileSystem(str(root))
    plan = read_launchers(fs)
    launched = {ini: plan.for_ini(fs, ini) for ini in ours}
    assert any(la.kind == want for la in launched.values()), f"no {want}-launched instance in {rel}"
    for ini, opts in ours.items():
        launcher = launched[ini]
        if launcher.kind != want:
            continue
        args = []
        for a in launcher.args:
            value = str(root) + a.value if a.kind in ("ini", "inherit") else a.value
            args += [f"--{a.key}", value] if a.value != "true" or a.kind != "opt" else [f"--{a.key}"]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C"}
        env.update(launcher.environment)  # Environment=, EnvironmentFile= (what $(VAR) reads)
        env.update({"UWSGI_" + k.upper().replace("-", "_"): v for k, v, _line in launcher.env})
        out = _run([uwsgi, *args, "--pidfile", str(tmp_path / "pid"), "--show-config", "--hook-pre-jail",
                    "exit:0"], env, tmp_path, None)
        theirs = _strip(_parse(out), root)
        assert opts == theirs, f"{rel} {ini}:\nwsgilint: {opts}\nuwsgi:    {theirs}"


def test_command_line_words_match_uwsgi():
    # The parser's own view of a command line, checked against uWSGI above through the fixtures;
    # here the cases those do not reach: short options, --key=value, a positional ini.
    got = unit_mod.uwsgi_args(["-M", "-p", "4", "--http=:80", "--master", "app.ini", "-s", "/x.sock"])
    assert got == [("opt", "master", "true"), ("opt", "processes", "4"), ("opt", "http", ":80"),
                   ("opt", "master", "true"), ("opt", "socket", "/x.sock"), ("ini", "", "app.ini")]


OPENSTACK_INIT_FIXTURES = ["deployments/debian-openstack-init", "rules/uwsgi-ini-not-started/good"]


def _openstack_init_argv(script: Path, tmp_path: Path) -> list[str]:
    """What the openstack-pkg-tools init script itself composes: its head and its uWSGI block
    (up to the `fi` after NO_OPENSTACK_LOGFILE_DAEMON_ARG=yes) run by sh, then `$DAEMON
    $DAEMON_ARGS` printed. Only the `[ -f "${UWSGI_INI_APP}" ] || exit 0` guard is neutralised
    (the app is not installed here); the daemon is picked by the script's own loop over
    /usr/bin/uwsgi_python3X of this machine (Debian's uwsgi-plugin-python3)."""
    text = script.read_text()
    end = text.index("NO_OPENSTACK_LOGFILE_DAEMON_ARG=yes\nfi\n") + len("NO_OPENSTACK_LOGFILE_DAEMON_ARG=yes\nfi\n")
    block = text[:end].replace('if ! [ -f "${UWSGI_INI_APP}" ] ; then\n\t\texit 0', 'if false ; then\n\t\texit 0')
    assert block != text[:end], "the script's UWSGI_INI_APP guard changed: read it again"
    sh = tmp_path / "compose.sh"
    sh.write_text(block + 'printf "%s\\n" "$DAEMON" $DAEMON_ARGS\n')
    p = subprocess.run(["sh", str(sh)], capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


@pytest.mark.parametrize("rel", OPENSTACK_INIT_FIXTURES)
def test_openstack_init_fixtures(rel, tmp_path):
    """Debian's OpenStack packages (openstack-pkg-tools 123 init-script-template): the script's own
    composition of the command line, run by the real uWSGI 2.0.21 with its show-config."""
    oracle.uwsgi("differential launch tests")
    oracle.require_file("/usr/bin/uwsgi_python3*", "the daemon openstack-pkg-tools' init script runs",
                        what="/usr/bin/uwsgi_python3X not found (Debian's uwsgi-plugin-python3)")
    root = FIXTURES / rel
    ours = _ours(root, None)
    fs = FileSystem(str(root))
    plan = read_launchers(fs)
    launched = {ini: plan.for_ini(fs, ini) for ini in ours}
    assert any(la.kind == "openstack-init" for la in launched.values()), f"no openstack-init instance in {rel}"
    for ini, opts in ours.items():
        launcher = launched[ini]
        if launcher.kind != "openstack-init":
            continue
        argv = _openstack_init_argv(root / launcher.path.lstrip("/"), tmp_path)
        assert argv[0].rsplit("/", 1)[-1].startswith("uwsgi_python3"), argv
        # the ini inside the tree; logto to a file of ours (the ini's own logto names /var/log/...)
        argv = [str(root) + w if w == ini else w for w in argv]
        log = tmp_path / "uwsgi.log"
        log.unlink(missing_ok=True)
        out = _run([*argv, "--logto", str(log), "--pidfile", str(tmp_path / "pid"), "--show-config",
                    "--hook-pre-jail", "exit:0"], {"PATH": "/usr/bin:/bin", "LANG": "C"}, tmp_path, log)
        theirs = _strip(_parse(out), root)
        i = max(n for n, (k, _v) in enumerate(theirs) if k == "logto")
        del theirs[i]
        assert opts == theirs, f"{rel} {ini}:\nwsgilint: {opts}\nuwsgi:    {theirs}"


# Container images: (image directory the build context is copied to, Entrypoint + Cmd after the
# uwsgi argv[0] as `docker inspect` shows it, read by hand from each Dockerfile, and the image's
# UWSGI_* ENV). uWSGI runs with the image directory mapped to the fixture (its WORKDIR as cwd);
# the printed values have the fixture mapped back to the image directory.
CONTAINER_CASES = {
    "deployments/docker-uwsgi-good": ("/opt/app", ["--ini", "uwsgi.ini", "--processes", "4"], {}),
    "deployments/docker-uwsgi-bad": ("/opt/app", ["/opt/app/uwsgi.ini"], {"UWSGI_PROCESSES": "4"}),
    "rules/uwsgi-sigterm-reloads/bad_docker": ("/app", ["--ini", "/app/uwsgi.ini"], {}),
    "rules/uwsgi-sigterm-reloads/good_docker_die_on_term": ("/srv/app", ["/srv/app/uwsgi.ini", "--die-on-term"], {}),
    "rules/uwsgi-sigterm-reloads/good_docker_stopsignal": ("/etc/uwsgi", ["--ini", "/etc/uwsgi/uwsgi.ini"], {}),
    "deployments/docker-uwsgi-multistage": ("/opt/hc", ["/opt/hc/docker/uwsgi.ini"], {}),  # COPY --from=builder
}


@pytest.mark.parametrize("rel", sorted(CONTAINER_CASES))
def test_container_fixtures(rel, tmp_path):
    """A Dockerfile's CMD/ENTRYPOINT (wsgilint.launch.docker) run by the real uWSGI."""
    from wsgilint import pipeline

    uwsgi = oracle.uwsgi("differential launch tests")
    root = FIXTURES / rel
    image_dir, argv, env_opts = CONTAINER_CASES[rel]
    result = pipeline.run(pipeline.CheckOptions(paths=[str(root)]))
    [app] = result.model.uwsgi
    launcher = app.config.launcher
    assert launcher is not None and launcher.kind == "container", rel
    assert not [d for d in app.config.diagnostics if d.code != "encoding"], app.config.diagnostics
    ours = [(o.key, o.value) for o in app.config.options]
    words = [str(root) + w[len(image_dir):] if w.startswith(image_dir + "/") else w for w in argv]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C", **env_opts}
    out = _run([uwsgi, *words, "--pidfile", str(tmp_path / "pid"), "--show-config", "--hook-pre-jail", "exit:0"],
               env, root, None)
    theirs = [(k, v.replace(str(root), image_dir)) for k, v in _parse(out)]
    assert ours == theirs, f"{rel}:\nwsgilint: {ours}\nuwsgi:    {theirs}"


# kolla-ansible containers: the container's config.json `command` (wsgilint.launch.kolla), run by the real
# uWSGI on the host file its config_files entry copies to the dest the command names.
KOLLA_CASES = {
    "deployments/kolla-2025.1": ("placement-api", ["/etc/placement/placement-api-uwsgi.ini"],
                                 "etc/kolla/placement-api/placement-api-uwsgi.ini"),
}


@pytest.mark.parametrize("rel", sorted(KOLLA_CASES))
def test_kolla_container_fixtures(rel, tmp_path):
    from wsgilint import pipeline

    uwsgi = oracle.uwsgi("differential launch tests")
    root = FIXTURES / rel
    container, argv, host_ini = KOLLA_CASES[rel]
    result = pipeline.run(pipeline.CheckOptions(paths=[str(root / "etc/kolla")]))
    [app] = result.model.uwsgi
    launcher = app.config.launcher
    assert launcher is not None and launcher.kind == "kolla" and container in launcher.name, launcher
    assert not [d for d in app.config.diagnostics if d.code != "encoding"], app.config.diagnostics
    ours = [(o.key, o.value) for o in app.config.options]
    words = [str(root / host_ini) if w == argv[0] else w for w in argv]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C"}
    out = _run([uwsgi, *words, "--pidfile", str(tmp_path / "pid"), "--show-config", "--hook-pre-jail", "exit:0"],
               env, tmp_path, None)
    theirs = _parse(out)
    assert ours == theirs, f"{rel}:\nwsgilint: {ours}\nuwsgi:    {theirs}"


def test_exec_start_variables_are_substituted(tmp_path):
    """`ExecStart=/usr/bin/uwsgi $UWSGI_OPTS --ini FILE` with UWSGI_OPTS from EnvironmentFile=: systemd splits
    the value into words (systemd.service(5) "Command lines"); the effective options equal uWSGI's when a
    shell does that splitting (`sh -c 'exec uwsgi $UWSGI_OPTS ...'`, independent of wsgilint)."""
    uwsgi = oracle.uwsgi("differential launch tests")
    root = tmp_path / "root"
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    (root / "etc/default").mkdir(parents=True)
    (root / "etc/app").mkdir(parents=True)
    opts = "--processes 4 --die-on-term --harakiri 120"
    (root / "etc/default/app").write_text(f'UWSGI_OPTS="{opts}"\n')
    (root / "etc/app/app.ini").write_text("[uwsgi]\nmodule = app:application\nmaster = true\nprocesses = 2\n")
    unit = root / "etc/systemd/system/app.service"
    unit.write_text("[Service]\nEnvironmentFile=/etc/default/app\n"
                    "ExecStart=/usr/bin/uwsgi $UWSGI_OPTS --ini /etc/app/app.ini\n[Install]\nWantedBy=multi-user.target\n")
    (root / "etc/systemd/system/multi-user.target.wants/app.service").symlink_to("/etc/systemd/system/app.service")
    [(ini, ours)] = _ours(root, None).items()
    assert ("processes", "4") in ours and ("die-on-term", "true") in ours
    script = f'exec "$U" $UWSGI_OPTS --ini "$R/etc/app/app.ini" --pidfile "$T/pid" --show-config --hook-pre-jail exit:0'
    env = {"PATH": "/usr/bin:/bin", "LANG": "C", "U": uwsgi, "R": str(root), "T": str(tmp_path), "UWSGI_OPTS": opts}
    theirs = _strip(_parse(_run(["sh", "-c", script], env, tmp_path, None)), root)
    assert ours == theirs, f"wsgilint: {ours}\nuwsgi:    {theirs}"
