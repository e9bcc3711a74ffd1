"""Configuration files end to end through the CLI: discovery upward, precedence, validation."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES
from test_cli import run

from wsgilint import config

EXAMPLE = FIXTURES / "example"


@pytest.fixture
def project(tmp_path):
    """A repository holding the example tree under deploy/, checked from a subdirectory."""
    shutil.copytree(EXAMPLE, tmp_path / "deploy")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    return tmp_path


def _rules(proc) -> set[str]:
    assert proc.returncode in (0, 1), proc.stderr
    return {f["rule"] for f in json.loads(proc.stdout)["findings"]}


def test_no_config_sees_everything(project):
    got = _rules(run("check", "--root", "deploy", "-f", "json", cwd=project))
    assert {"WSG401", "WSG102", "WSG204"} <= got


def test_pyproject_found_upward_and_root_relative_to_it(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.wsgilint]\nroot = "deploy"\nignore = ["WSG204", "uwsgi-socket-timeout-short"]\n'
        'fail-on = "error"\n[tool.wsgilint.severity]\nWSG402 = "info"\n')
    proc = run("check", "-f", "json", cwd=project / "sub" / "deeper")
    got = _rules(proc)
    assert "WSG401" in got and "WSG204" not in got and "WSG102" not in got
    doc = json.loads(proc.stdout)
    assert {f["severity"] for f in doc["findings"] if f["rule"] == "WSG402"} == {"info"}
    assert doc["summary"]["fail_on"] == "error"
    # CLI flags win over the file.
    got = _rules(run("check", "-f", "json", "--ignore", "WSG401", cwd=project / "sub"))
    assert "WSG401" not in got and "WSG204" in got
    proc = run("check", "-f", "json", "--fail-on", "never", cwd=project / "sub")
    assert proc.returncode == 0 and json.loads(proc.stdout)["summary"]["fail_on"] == "never"


def test_wsgilint_toml_beats_pyproject_and_select_extend_select(project):
    (project / "pyproject.toml").write_text('[tool.wsgilint]\nignore = ["WSG4"]\n')
    (project / ".wsgilint.toml").write_text('root = "deploy"\nselect = ["WSG1"]\nextend-select = ["WSG401"]\n')
    got = _rules(run("check", "-f", "json", cwd=project / "sub"))
    assert got and all(r.startswith("WSG1") or r == "WSG401" for r in got) and "WSG401" in got
    # --select on the command line replaces the file's selection; --isolated ignores the file.
    assert _rules(run("check", "-f", "json", "--select", "WSG204", cwd=project)) == {"WSG204"}
    got = _rules(run("check", "deploy", "--root", "deploy", "-f", "json", "--isolated", cwd=project))
    assert "WSG204" in got


def test_per_file_ignores_and_defines(project):
    (project / ".wsgilint.toml").write_text(
        'root = "deploy"\n[per-file-ignores]\n"deploy/etc/apache2/sites-enabled/glance-*.conf" = ["WSG4"]\n'
        '"*.ini" = ["uwsgi-socket-timeout-short"]\n')
    doc = json.loads(run("check", "-f", "json", cwd=project).stdout)
    got = {(f["rule"], f["path"].rsplit("/", 1)[-1]) for f in doc["findings"]}
    assert not any(r.startswith("WSG4") and p.startswith("glance-") for r, p in got)
    assert not any(r == "WSG102" for r, _ in got)
    assert ("WSG203", "cinder-api.conf") in got  # other files keep their findings


def test_explicit_config_file(project, tmp_path_factory):
    other = tmp_path_factory.mktemp("cfg") / "ci.toml"
    other.write_text('[tool.wsgilint]\nselect = ["WSG204"]\n')
    got = _rules(run("check", "--root", "deploy", "-f", "json", "--config", str(other), cwd=project))
    assert got == {"WSG204"}


@pytest.mark.parametrize("body,needle", [
    ('selct = ["WSG1"]\n', "'selct'"),
    ('per_file_ignores = {}\n', "'per_file_ignores'"),
    ('select = ["WSG999"]\n', "WSG999"),
    ('fail-on = "fatal"\n', "fail-on"),
    ('[severity]\nWSG401 = "loud"\n', "loud"),
    ('select = "WSG1"\n', "'select' must be a list"),
    ('select = [\n', "invalid TOML"),
])
def test_bad_config_is_exit_2_naming_the_problem(project, body, needle):
    (project / ".wsgilint.toml").write_text(body)
    proc = run("check", "--root", "deploy", cwd=project)
    assert proc.returncode == 2, proc.stdout
    err = proc.stderr.strip()
    assert err.startswith("wsgilint: error:") and ".wsgilint.toml" in err and needle in err, err
    assert len(err.splitlines()) == 1


def test_unknown_key_under_tool_table_in_pyproject(project):
    (project / "pyproject.toml").write_text('[tool.wsgilint]\nbogus = 1\n')
    proc = run("check", "--root", "deploy", cwd=project)
    assert proc.returncode == 2 and "'bogus'" in proc.stderr


def test_glob_match():
    assert config.glob_match("**/sites-enabled/*.conf", "etc/apache2/sites-enabled/a.conf")
    assert config.glob_match("**/sites-enabled/*.conf", "sites-enabled/a.conf")
    assert not config.glob_match("etc/*.conf", "etc/apache2/a.conf")
    assert config.glob_match("*.ini", "etc/glance/glance-api-uwsgi.ini")  # no slash: basename too
    assert not config.glob_match("glance?.ini", "glance.ini")


def test_find_skips_pyproject_files_that_cannot_name_wsgilint(tmp_path):
    """find() parses a pyproject.toml only when its bytes could hold tool.wsgilint: the word,
    or a \\u escape in a quoted key; the others are passed over, valid or not."""
    top = tmp_path / "top"
    mid = top / "mid"
    low = mid / "low"
    low.mkdir(parents=True)
    (top / "pyproject.toml").write_text('[tool."wsgi\\u006cint"]\nselect = ["WSG2"]\n')
    (mid / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    (low / "pyproject.toml").write_bytes(b"not = [valid toml\xff")
    assert config.find(str(low)) == str(top / "pyproject.toml")
    assert config.load(cwd=str(low)).select is not None
    (low / "pyproject.toml").write_bytes(b"[tool.wsgilint]\nselect = [\xff")  # ours, but not UTF-8
    assert config.find(str(low)) == str(top / "pyproject.toml")


@pytest.mark.parametrize("text", [
    '[tool.wsgilint]\nselect = ["WSG2"]\n',
    '[ tool . wsgilint ]\nselect = ["WSG2"]\n',
    '[tool."wsgilint"]\nselect = ["WSG2"]\n',
    "['tool'.'wsgilint']\nselect = ['WSG2']\n",
    '[tool]\nwsgilint = { select = ["WSG2"] }\n',
    '["tool"]\nwsgilint.select = ["WSG2"]\n',
    'tool = { wsgilint = { select = ["WSG2"] } }\n',
    'tool.wsgilint.select = ["WSG2"]\n',
    '"tool" .\t"wsgilint" . select = ["WSG2"]\n',
    '[tool."wsgi\\u006cint"]\nselect = ["WSG2"]\n',
    '[tool."\\U00000077sgilint"]\nselect = ["WSG2"]\n',
    '[[tool]]\n',  # not a table we can read, but tomllib must be the one to say so
])
def test_every_spelling_of_tool_wsgilint_is_parsed(tmp_path, text):
    """The pre-filter never skips a pyproject.toml that defines tool.wsgilint, however spelled."""
    (tmp_path / "pyproject.toml").write_text(text)
    assert config._may_configure_us(text.encode())
    if text != '[[tool]]\n':
        assert config.find(str(tmp_path)) == str(tmp_path / "pyproject.toml")
        assert config.load(cwd=str(tmp_path)).select == ["WSG2"]


def test_a_project_naming_wsgilint_is_not_parsed(tmp_path):
    """A project called wsgilint, or depending on it, has no tool.wsgilint: tomllib is not even imported."""
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "wsgilint"\ndependencies = ["wsgilint>=0.1"]\n[project.scripts]\n'
        'wsgilint = "wsgilint.cli:main"\n[tool.setuptools]\npackage-dir = { "wsgilint" = "linter" }\n'
        '[tool.black]\nline-length = 100\n[tools.wsgilint]\nx = 1\n[Tool.wsgilint]\nx = 1\n')
    assert not config._may_configure_us((tmp_path / "pyproject.toml").read_bytes())
    code = ("import sys\nfrom wsgilint import config\nassert config.load(cwd=sys.argv[1]).select is None\n"
            "print('tomllib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
