"""Python 3.10 to 3.13 (issue 16 item 2).

pyproject.toml declares ``requires-python = ">=3.10"``. Python 3.10 has no ``tomllib``:
wsgilint.config falls back to ``tomli`` (the same parser; a dependency on 3.10 only, and in
the test extras so this file can test it anywhere). Here a subprocess hides ``tomllib``
behind a meta-path finder, as 3.10 is, and reads real config files through the real CLI.
The sources must also parse as Python 3.10 (no ``except*``) and use no 3.11+ module API.
scripts/test.sh runs this file (and the other server-free tests) on pyenv's 3.10 and 3.13.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "fixtures" / "example")
SOURCES = sorted(p for d in ("linter", "rules") for p in (ROOT / d).rglob("*.py"))

# Run before wsgilint: `import tomllib` fails as on Python 3.10.
HIDE_TOMLLIB = """
import sys
class _No310:
    def find_spec(self, name, path=None, target=None):
        if name == "tomllib" or name.startswith("tomllib."):
            raise ModuleNotFoundError("No module named 'tomllib'", name="tomllib")
        return None
sys.meta_path.insert(0, _No310())
sys.modules.pop("tomllib", None)
"""


def _tomli_or_missing():
    try:
        import tomli  # noqa: F401
    except ModuleNotFoundError:
        import oracle

        oracle.missing("tomli (pip install -e .[test])", "the Python 3.10 config-file path")


def _run(code: str, *args: str, cwd: Path):
    return subprocess.run([sys.executable, "-c", HIDE_TOMLLIB + code, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_the_blocker_really_hides_tomllib(tmp_path):
    proc = _run("import tomllib\n", cwd=tmp_path)
    assert proc.returncode == 1 and "No module named 'tomllib'" in proc.stderr


def test_config_file_is_read_with_tomli_when_tomllib_is_missing(tmp_path):
    _tomli_or_missing()
    (tmp_path / ".wsgilint.toml").write_text('fail-on = "error"\nignore = ["WSG401", "site-not-enabled"]\n')
    code = ("from wsgilint import config\n"
            f"cfg = config.load(None, cwd={str(tmp_path)!r})\n"
            "print(cfg.fail_on, sorted(cfg.ignore), 'tomli' in sys.modules, 'tomllib' in sys.modules)\n")
    proc = _run(code, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["error", "['WSG401',", "'site-not-enabled']", "True", "False"]


@pytest.mark.parametrize("where", [".wsgilint.toml", "pyproject.toml", "--config"])
def test_check_with_a_config_file_runs_without_tomllib(where, tmp_path):
    """Issue 16: on 3.10 every run with a config file ended in `internal error: ModuleNotFoundError`."""
    _tomli_or_missing()
    body = 'ignore = ["WSG401"]\nfail-on = "never"\n'
    args = ["check", "-f", "json", EXAMPLE]
    if where == "pyproject.toml":
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.wsgilint]\n' + body)
    elif where == "--config":
        (tmp_path / "cfg.toml").write_text(body)
        args[1:1] = ["--config", "cfg.toml"]
    else:
        (tmp_path / ".wsgilint.toml").write_text(body)
    (tmp_path / ".git").mkdir()  # config discovery stops at a repository root
    code = "import sys\nfrom wsgilint import cli\nsys.argv = ['wsgilint', *sys.argv[1:]]\ncli.main()\n"
    proc = _run(code, *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # fail-on = "never" came from the file
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert rules and "WSG401" not in rules, rules


def test_bad_toml_under_tomli_is_one_line(tmp_path):
    _tomli_or_missing()
    (tmp_path / ".wsgilint.toml").write_text("fail-on = \n")
    (tmp_path / ".git").mkdir()
    code = "import sys\nfrom wsgilint import cli\nsys.argv = ['wsgilint', *sys.argv[1:]]\ncli.main()\n"
    proc = _run(code, "check", EXAMPLE, cwd=tmp_path)
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr and ".wsgilint.toml" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_sources_parse_as_python_3_10(path):
    ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 10))


# Module API added in 3.11 or 3.12 (What's New in Python 3.11 / 3.12), and re's atomic groups and
# possessive quantifiers (3.11). A use of one would pass on the CI's main Python and fail on 3.10.
NEWER_API = re.compile(
    r"^\s*import tomllib|\bfrom tomllib\b|\bStrEnum\b|\benum\.verify\b|\bTaskGroup\b|\bExceptionGroup\b"
    r"|\.add_note\(|\bLiteralString\b|\bassert_never\b|\breveal_type\b|\bNotRequired\b|\btyping\.Self\b"
    r"|from typing import[^\n]*\bSelf\b|contextlib\.chdir|datetime\.UTC\b|file_digest|math\.(?:cbrt|exp2)\b"
    r"|operator\.call\b|locale\.getencoding|itertools\.batched|\(\?>|(?<![\\\w])[*+?}]\+(?=[^\n]*[\"'])",
    re.M)


def test_no_python_3_11_api():
    hits = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for m in NEWER_API.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            src = text.splitlines()[line - 1]
            if "tomllib" in m.group(0) and path.name == "config.py" and "    import tomllib" in src:
                continue  # the guarded import, with tomli as its fallback
            hits.append(f"{path.relative_to(ROOT)}:{line}: {src.strip()}")
    assert not hits, "\n".join(hits)


def test_pyproject_declares_310_to_313_and_tomli():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.10"' in text
    for minor in (10, 11, 12, 13):
        assert f'"Programming Language :: Python :: 3.{minor}"' in text
    assert "\"tomli>=1.1; python_version < '3.11'\"" in text


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="on 3.10 only: tomllib really is absent there")
def test_on_310_tomllib_is_really_absent_and_tomli_installed():
    with pytest.raises(ModuleNotFoundError):
        import tomllib  # noqa: F401
    import tomli  # noqa: F401  (pyproject: a dependency on 3.10)
