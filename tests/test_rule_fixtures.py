"""Every rule has a bad and a good fixture; bad ones produce exactly the expected findings.

Layout: fixtures/rules/<rule-name>/{bad,good}[_<case>]{.conf,.ini,/} with a
bad*.expected next to each bad case (lines `path:line:col: ID name`, paths
relative to the rule's folder) and an optional <case>.args holding extra options
(`release=queens`, `uwsgi=2.0.21`, `httpd=2.4.62`, `nginx=1.30.0`, `config=apps.toml`: the
[tool.wsgilint.apps.NAME] tables of that file, next to the case). WSGILINT_UPDATE_FIXTURES=1 rewrites the .expected files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, update_fixtures
from lintrun import check, concise

from wsgilint import registry

RULES_DIR = FIXTURES / "rules"
NO_FIXTURE_NEEDED = {"internal-error"}  # produced by the engine; tested in test_engine.py


def _cases():
    for rule in registry.all_rules():
        folder = RULES_DIR / rule.name
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            stem = entry.name.split(".")[0]
            if entry.suffix in (".expected", ".args") or not (stem == "bad" or stem.startswith(("bad_", "good"))):
                continue
            yield pytest.param(rule, entry, id=f"{rule.name}/{entry.name}")


def _args(case: Path) -> dict:
    args_file = case.parent / (case.name.split(".")[0] + ".args")
    out = {}
    if args_file.exists():
        for line in args_file.read_text().split():
            k, _, v = line.partition("=")
            out[k] = v
    return out


@pytest.mark.parametrize("rule,case", list(_cases()))
def test_fixture(rule, case: Path):
    args = _args(case)
    kwargs = {}
    for key in ("release", "uwsgi", "httpd", "nginx"):
        if key in args:
            kwargs[key] = args[key]
    if "config" in args:  # the user's app profiles ([tool.wsgilint.apps.NAME]) from a file next to the case
        from wsgilint import config

        kwargs["apps"] = config.load(str(case.parent / args["config"])).apps
    if "root" in args:
        kwargs["root"] = case / args["root"] if args["root"] != "." else case
    result = check([case], cwd=case.parent, select=[rule.id], **kwargs)
    got = concise(result)
    stem = case.name.split(".")[0]
    if stem.startswith("good"):
        assert got == [], f"{rule.id} fired on its good fixture {case}:\n" + "\n".join(got)
        return
    expected_file = case.parent / (stem + ".expected")
    if update_fixtures():
        expected_file.write_text("".join(g + "\n" for g in got))
    assert expected_file.exists(), f"missing {expected_file} (run with WSGILINT_UPDATE_FIXTURES=1, then review)"
    expected = [line for line in expected_file.read_text().splitlines() if line.strip()]
    assert got, f"{rule.id} found nothing in its bad fixture {case}"
    assert got == expected


def test_every_rule_has_fixtures():
    missing = []
    for rule in registry.all_rules():
        if rule.name in NO_FIXTURE_NEEDED:
            continue
        folder = RULES_DIR / rule.name
        names = [p.name.split(".")[0] for p in folder.iterdir()] if folder.is_dir() else []
        if not any(n == "bad" or n.startswith("bad_") for n in names):
            missing.append(f"{rule.name}: no bad fixture")
        if not any(n.startswith("good") for n in names):
            missing.append(f"{rule.name}: no good fixture")
    assert not missing, "\n".join(missing)
