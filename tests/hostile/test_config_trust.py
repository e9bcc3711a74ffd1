"""Which configuration file applies, and reading it safely (wsgilint.config).

../shared/notes/adversarial.md #25, #26, #30, #36: the search walked past the repository up to
``/`` (a planted ``/tmp/.wsgilint.toml`` turned an error into exit 0), followed a symlink to a
3 GB file and read it whole, and wrong TOML types or deep nesting were internal errors. Now the
search stops at the repository's root (``.git``, or a pyproject.toml with ``[project]``) and at
a world-writable directory; a config file is a regular file of at most 1 MiB; a config wsgilint
cannot use is one line, ``wsgilint: error: <file>: ...``, exit 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wsgilint import config

PLANTED = 'ignore = ["WSG"]\nfail-on = "never"\n'


def _run(args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wsgilint", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, NO_COLOR="1"), timeout=60, stdin=subprocess.DEVNULL)


def _repo(base: Path, marker: str | None) -> Path:
    repo = base / "user" / "repo"
    (repo / "etc" / "apache2").mkdir(parents=True)
    (repo / "etc" / "apache2" / "apache2.conf").write_text("ServerName x\nInclude missing.conf\n")
    if marker == ".git dir":
        (repo / ".git").mkdir()
    elif marker == ".git file":
        (repo / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n")
    elif marker == "pyproject [project]":
        (repo / "pyproject.toml").write_text('[project]\nname = "site"\n')
    return repo


@pytest.mark.parametrize("marker", [".git dir", ".git file", "pyproject [project]"])
def test_a_config_above_the_repository_root_never_applies(tmp_path, marker):
    repo = _repo(tmp_path, marker)
    (tmp_path / ".wsgilint.toml").write_text(PLANTED)
    assert config.find(str(repo / "etc")) is None
    proc = _run(["check", "--root", "."], repo)
    assert proc.returncode == 1 and "WSG003" in proc.stdout, proc.stdout + proc.stderr


def test_without_a_marker_the_parent_still_applies(tmp_path):
    """The control: the same tree without .git takes the parent's file (so the test above measures the stop)."""
    repo = _repo(tmp_path, None)
    (tmp_path / ".wsgilint.toml").write_text(PLANTED)
    assert config.find(str(repo)) == str(tmp_path / ".wsgilint.toml")


def test_the_repository_roots_own_config_applies_from_a_subdirectory(tmp_path):
    repo = _repo(tmp_path, "pyproject [project]")
    (repo / "pyproject.toml").write_text('[project]\nname = "site"\n[tool.wsgilint]\nfail-on = "never"\n')
    assert config.find(str(repo / "etc" / "apache2")) == str(repo / "pyproject.toml")
    proc = _run(["check", "--root", ".."], repo / "etc")
    assert proc.returncode == 0, proc.stderr


def test_a_world_writable_directory_is_not_looked_in(tmp_path):
    shared = tmp_path / "shared"
    repo = _repo(shared, None)
    (shared / ".wsgilint.toml").write_text(PLANTED)
    assert config.find(str(repo)) == str(shared / ".wsgilint.toml")
    os.chmod(shared, 0o1777)
    try:
        assert config.find(str(repo)) is None
    finally:
        os.chmod(shared, 0o755)


def _error(cwd: Path) -> str:
    proc = _run(["check", "--root", "."], cwd)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wsgilint: error: ") and "internal error" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("text,named", [
    ('tool = ""\n', "'tool' must be a table"),
    ("[tool]\nwsgilint = 1\n", "'tool.wsgilint' must be a table, not a integer"),
    ("[tool]\nwsgilint = [1]\n", "'tool.wsgilint' must be a table, not a array"),
    ("select = " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than"),
    ("select = " + "[" * 150 + "]" * 150 + "\n", "nested deeper than"),
    ("select = '" + "[" * 5000 + "'\n", "'select' must be a list"),  # brackets in a string are text
    ("fail-on = \"never\"\n\xff", "not UTF-8"),
])
def test_a_config_that_cannot_be_used_is_one_line(tmp_path, text, named):
    (tmp_path / ".git").mkdir()
    (tmp_path / "etc" / "apache2").mkdir(parents=True)
    (tmp_path / "etc" / "apache2" / "apache2.conf").write_text("ServerName x\n")
    (tmp_path / ".wsgilint.toml").write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text
                                             else text.replace("\xff", "").encode() + b"\xff")
    line = _error(tmp_path)
    assert named in line and ".wsgilint.toml" in line


def test_an_unrelated_deep_pyproject_is_skipped(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    assert config.find(str(tmp_path)) is None


def test_a_config_symlinked_to_a_huge_file_is_not_read(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024 ** 3)  # sparse: 3 GB that cost no disk
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".wsgilint.toml").symlink_to(big)
    line = _error(repo)
    assert "larger than 1 MiB" in line


def test_a_named_fifo_config_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "cfg.toml")
    with pytest.raises(config.ConfigError, match="a FIFO"):
        config.load(str(tmp_path / "cfg.toml"))
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / ".wsgilint.toml")
    assert config.find(str(tmp_path)) is None  # the search takes regular files only
