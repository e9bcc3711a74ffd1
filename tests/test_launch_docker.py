"""Dockerfiles/Containerfiles as uWSGI launchers (wsgilint.launch.docker, containers.read_containers):
the parser (continuations, comments, directives, exec/shell form, variables, stages), the image's
command, the instance each one starts, WSG115 on containers, and hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from conftest import FIXTURES, PROJECT
from lintrun import check, concise

from wsgilint.launch import docker

GOOD = FIXTURES / "deployments/docker-uwsgi-good"
BAD = FIXTURES / "deployments/docker-uwsgi-bad"


def _image(text):
    return docker.image(docker.parse(text))


def test_continuations_comments_and_escape_directive():
    df = docker.parse("# escape=`\nFROM x\nCMD uwsgi `\n  # a comment inside\n\n  --ini /a.ini `\n  --master\n")
    assert df.escape == "`" and not df.errors
    cmd = df.instructions[-1]
    assert cmd.cmd == "CMD" and cmd.exec is None and cmd.line == 3 and cmd.end == 7
    assert cmd.rest.split() == ["uwsgi", "--ini", "/a.ini", "--master"]
    # a directive after another line is a comment; a backslash is then a plain character
    df = docker.parse("FROM x\n# escape=`\nCMD a \\\n b\n")
    assert df.escape == "\\" and df.instructions[-1].rest.split() == ["a", "b"]


def test_exec_form_and_its_fallback_to_shell_form():
    img = _image('FROM x\nCMD ["uwsgi", "--ini", "/a.ini"] trailing\n')
    assert img.cmd == (["uwsgi", "--ini", "/a.ini"], 2, False)
    img = _image("FROM x\nCMD ['uwsgi', '--ini', '/a.ini']\n")  # not JSON: shell form
    assert img.cmd == (["/bin/sh", "-c", "['uwsgi', '--ini', '/a.ini']"], 2, True)
    df = docker.parse('FROM x\nCMD ["uwsgi", 4]\n')  # a JSON array with a number: the build fails
    assert df.errors and df.errors[0][0] == 2


def test_cmd_entrypoint_combination_and_stages():
    img = _image('FROM x AS build\nCMD ["a"]\nSTOPSIGNAL SIGINT\nFROM build\nENTRYPOINT ["tini", "--"]\n'
                 'CMD ["uwsgi", "x.ini"]\n')
    assert [w for w, _l in img.argv()] == ["tini", "--", "uwsgi", "x.ini"]
    assert img.stop_signal == ("SIGINT", 3)  # FROM an earlier stage starts from its config
    img = _image('FROM x\nCMD ["uwsgi", "x.ini"]\nENTRYPOINT ["/e.sh"]\n')  # CMD of this stage kept
    assert [w for w, _l in img.argv()] == ["/e.sh", "uwsgi", "x.ini"]
    img = _image('FROM x AS a\nCMD ["uwsgi", "x.ini"]\nFROM y\nENTRYPOINT ["/e.sh"]\n')  # only the last stage
    assert [w for w, _l in img.argv()] == ["/e.sh"] and img.base == "y"
    img = _image('FROM x\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT exec uwsgi a.ini\nCMD ["ignored"]\n')
    assert [w for w, _l in img.argv()] == ["/bin/bash", "-c", "exec uwsgi a.ini", "ignored"]
    words, cwd = docker.command(img.argv(), img.env)
    assert [w for w, _l in words] == ["uwsgi", "a.ini"] and cwd == ""


def test_variables_arg_env_and_workdir():
    img = _image('ARG V=3.12\nFROM python:${V}\nARG DIR=/srv\nENV APP=$DIR/app UWSGI_PROCESSES="4"\n'
                 'WORKDIR $APP\nWORKDIR sub\nENV UWSGI_PROCESSES=8\nARG SECRET\nENV X=${SECRET:-d}\n'
                 'STOPSIGNAL ${SIG:-SIGQUIT}\n')
    assert img.base == "python:3.12" and img.workdir == "/srv/app/sub"
    assert list(img.env) == ["APP", "UWSGI_PROCESSES", "X"] and img.env["UWSGI_PROCESSES"] == ("8", 7, False)
    assert img.env["X"][2] is True  # from a --build-arg: not known
    assert img.stop_signal == ("SIGQUIT", 10)
    words, cwd = docker.command([("/bin/sh", 2), ("-c", 2), ("cd $APP && exec uwsgi --ini u.ini", 2)], img.env)
    assert [w for w, _l in words] == ["uwsgi", "--ini", "u.ini"] and cwd == "/srv/app"
    assert docker.command([("sh", 1), ("-c", 1), ("uwsgi a.ini | tee log", 1)], {}) == ([], "")


def test_heredoc_lines_are_not_instructions():
    img = _image("FROM x\nRUN <<EOF\nCMD [\"not\", \"this\"]\nEOF\nCMD [\"uwsgi\", \"a.ini\"]\n")
    assert img.cmd[0] == ["uwsgi", "a.ini"] and img.cmd[1] == 5


def test_hostile_input_is_bounded_and_never_raises():
    assert docker.parse("").errors == [(1, "file with no instructions")]
    assert docker.image(docker.parse("CMD [\"uwsgi\"]\n")) is None  # no FROM
    t = time.monotonic()
    for text in ("FROM x\nCMD " + "[" * 100000 + "\n", "FROM x\nCMD " + "a \\\n" * 50000 + "\n",
                 "FROM x\nENV " + "A=b " * 100000 + "\n", "FROM x\nRUN <<EOF\n" + "x\n" * 100000,
                 "FROM x\n" + "# c\n" * 100000, "\ufeff# escape=q\nFROM x\n" + "x" * 2_000_000):
        img = docker.image(docker.parse(text))
        assert img is not None
    assert time.monotonic() - t < 20


def test_container_fixtures_good_quiet_bad_wsg115():
    result = check([GOOD])
    [app] = result.model.uwsgi
    la = app.config.launcher
    assert la.kind == "container" and la.stop_signal == "SIGQUIT" and la.path.endswith("docker-uwsgi-good/Dockerfile")
    assert la.user == "app"
    assert app.config.last("processes").value == "4"  # from the CMD, read by WSG105/WSG405
    assert app.config.last("processes").span.source.path.endswith("Dockerfile")
    assert [g for g in concise(result) if " info " not in g] == []
    result = check([BAD], root=BAD)
    [app] = result.model.uwsgi
    assert app.config.last("processes").value == "4"  # ENV UWSGI_PROCESSES
    assert concise(result) == ["fixtures/deployments/docker-uwsgi-bad/uwsgi.ini:4:1: WSG115 uwsgi-sigterm-reloads"]


def test_cli_json_names_the_dockerfile():
    p = subprocess.run([sys.executable, "-m", "wsgilint", "check", str(BAD), "--format", "json"],
                       cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    findings = json.loads(p.stdout)["findings"]
    [f] = [f for f in findings if f["rule"] == "WSG115"]
    assert "Dockerfile" in f["message"] and "no STOPSIGNAL" in f["message"] and f["line"] == 4
    p = subprocess.run([sys.executable, "-m", "wsgilint", "check", str(GOOD), "--format", "json"],
                       cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr


def test_a_check_without_dockerfile_does_not_import_the_parser():
    code = ("import sys; from wsgilint import pipeline\n"
            f"pipeline.run(pipeline.CheckOptions(paths=[{str(FIXTURES / 'deployments/systemd-uwsgi-env')!r}], "
            f"root={str(FIXTURES / 'deployments/systemd-uwsgi-env')!r}))\n"
            "print('wsgilint.launch.docker' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert p.stdout.strip().splitlines()[-1] == "False", p.stdout + p.stderr


def test_public_bind_inside_a_container_is_not_reported(tmp_path):
    """WSG119: 0.0.0.0 inside a container (its own network namespace) is how the proxy outside reaches it;
    the same ini without the Dockerfile that starts it is a host's bind and is reported."""
    import shutil

    case = tmp_path / "c"
    shutil.copytree(FIXTURES / "rules/uwsgi-public-bind/good_container", case)
    assert [f.rule.id for f in check([case], select=["WSG119"]).findings] == []
    (case / "Dockerfile").unlink()
    assert [f.rule.id for f in check([case], select=["WSG119"]).findings] == ["WSG119"]


def test_copy_from_a_build_stage_reaches_the_build_context(tmp_path):
    """healthchecks' Dockerfile copies the build context into a builder stage and the final stage copies it
    from there (`COPY --from=builder /opt/hc/ /opt/hc/`): the ini CMD names is the context's docker/uwsgi.ini."""
    import shutil

    from wsgilint import pipeline

    case = tmp_path / "c"
    shutil.copytree(FIXTURES / "deployments/docker-uwsgi-multistage", case)

    def launcher_kind():
        [app] = pipeline.run(pipeline.CheckOptions(paths=[str(case)])).model.uwsgi
        return app.config.launcher.kind if app.config.launcher is not None else None

    assert launcher_kind() == "container"
    df = case / "Dockerfile"
    df.write_text(df.read_text().replace("COPY --from=builder /opt/hc/ /opt/hc/\n", ""))
    assert launcher_kind() is None  # the image has no such file: the ini is checked on its own
    img = docker.image(docker.parse("FROM a AS b\nCOPY x /x\nFROM b\nCOPY --from=0 /x /y\nCOPY --from=nosuch /z /z\n"
                                    "COPY --from=2 /x /w\n"))
    assert [(c[0], c[1], c[4] is not None) for c in img.copies] == [(["x"], "/x", False), (["/x"], "/y", True)]


def test_copy_from_chains_are_bounded(tmp_path):
    """60 `COPY --from` of the previous stage in each of 8 stages: without memoised stages and a bounded
    lookup this was 30**8 stage builds and never finished (killed after 120 s); now linear and bounded."""
    lines = ["FROM scratch AS s0", "COPY a.ini /x/a.ini"]
    for i in range(1, 9):
        lines.append(f"FROM scratch AS s{i}")
        for j in range(30):
            lines += [f"COPY --from=s{i - 1} /x/ /x{j}/", f"COPY --from=s{i - 1} /x/ /x/"]
    lines += ["FROM s8", 'CMD ["uwsgi", "--ini", "/nope/none.ini"]']
    (tmp_path / "Dockerfile").write_text("\n".join(lines) + "\n")
    (tmp_path / "a.ini").write_text("[uwsgi]\nmodule = a:application\n")
    t0 = time.perf_counter()
    result = check([tmp_path])
    assert time.perf_counter() - t0 < 10
    assert [a.config.launcher for a in result.model.uwsgi] == [None]  # the CMD's ini is not in the image
    img = docker.image(docker.parse("\n".join(lines) + "\n"))
    assert sum(1 for c in img.copies if c[4] is not None) == 60
