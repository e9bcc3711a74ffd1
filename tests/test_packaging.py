"""Packaging (issue 16 item 9): the wheel and sdist that `python -m build` makes.

A copy of the project is built in a temporary directory with the real `build` frontend
(isolated: it fetches the setuptools pyproject.toml pins, >=77 for PEP 639) and both
artefacts are checked with `twine check --strict`. The metadata carries the PEP 639 license
expression and the LICENSE file, valid trove classifiers for Python 3.10-3.13, and tomli
for 3.10; the sdist ships no tests (they need the servers, fixtures/ and ../shared, so they
could not run from it) and builds an installable wheel itself.
"""

from __future__ import annotations

import email
import importlib.util
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import oracle

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.egg-info", "build", "dist", ".hypothesis",
                              ".pytest_cache", ".benchmarks", "out")


def _need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        oracle.missing(f"python module {module} (pip install -e .[test])", "building and checking the packages")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    for module in ("build", "twine"):
        _need(module)
    work = tmp_path_factory.mktemp("pkg")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=SKIP, symlinks=True)
    dist = work / "dist"
    proc = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(src)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in dist.iterdir())
    return {"sdist": sdists[0], "wheel": wheels[0], "log": proc.stdout + proc.stderr, "work": work}


@pytest.mark.slow
def test_twine_check_accepts_both(built):
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(built["sdist"]),
                           str(built["wheel"])], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def _wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(zf.read(name))


@pytest.mark.slow
def test_metadata_license_classifiers_and_dependencies(built):
    meta = _wheel_metadata(built["wheel"])
    assert meta["Metadata-Version"] >= "2.4", meta["Metadata-Version"]  # PEP 639 fields
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None  # the deprecated free-text field is gone
    classifiers = meta.get_all("Classifier")
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression says it
    if importlib.util.find_spec("trove_classifiers") is not None:
        from trove_classifiers import classifiers as known

        assert not set(classifiers) - known, set(classifiers) - known
    assert meta["Requires-Python"] == ">=3.10"
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("tomli>=1.1") and 'python_version < "3.11"' in r for r in requires), requires


@pytest.mark.slow
def test_wheel_holds_the_package_data_and_the_license(built):
    with zipfile.ZipFile(built["wheel"]) as zf:
        names = set(zf.namelist())
        license_text = next(zf.read(n) for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert license_text == (ROOT / "LICENSE").read_bytes()
    assert b"Apache License" in license_text and b"Version 2.0, January 2004" in license_text
    for needed in ("wsgilint/cli.py", "wsgilint/rules/__init__.py", "wsgilint/py.typed",
                   "wsgilint/report/schema/wsgilint-report.schema.json", "wsgilint/data/uwsgi_options.txt"):
        assert needed in names, needed
    assert not {n.split("/")[0] for n in names} - {"wsgilint", built["wheel"].name.split("-")[0] + "-"
                                                   + built["wheel"].name.split("-")[1] + ".dist-info"}


@pytest.mark.slow
def test_sdist_ships_no_tests_and_builds_itself(built):
    with tarfile.open(built["sdist"]) as tf:
        names = tf.getnames()
        top = names[0].split("/")[0]
        rel = {n.split("/", 1)[1] for n in names if "/" in n}
        tf.extractall(built["work"] / "unpacked", filter="data") if sys.version_info >= (3, 12) \
            else tf.extractall(built["work"] / "unpacked")
    for gone in ("tests", "fixtures", "fuzz", "fieldtest", "bench", "scripts", ".ci"):
        assert not [n for n in rel if n == gone or n.startswith(gone + "/")], gone
    for kept in ("LICENSE", "README.md", "pyproject.toml", "PKG-INFO", "linter/cli.py", "rules/__init__.py",
                 "linter/report/schema/wsgilint-report.schema.json"):
        assert kept in rel, kept
    # A packager builds from the sdist alone: the wheel it gives is the same set of files.
    out = built["work"] / "from-sdist"
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out),
                           str(built["work"] / "unpacked" / top)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (again,) = out.glob("*.whl")
    with zipfile.ZipFile(again) as a, zipfile.ZipFile(built["wheel"]) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
