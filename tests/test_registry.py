"""The rule registry: ids, names, module names, docs and references are consistent."""

from __future__ import annotations

import re

from wsgilint import registry
from wsgilint.findings import Severity

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References")


def test_ids_and_names_unique_and_well_formed():
    rules = registry.all_rules()
    ids = [r.id for r in rules]
    names = [r.name for r in rules]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    for r in rules:
        assert re.fullmatch(r"WSG[0-4]\d\d", r.id), r.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name
        assert isinstance(r.severity, Severity)
        assert r.summary and r.fix


def test_module_name_matches_rule_name():
    for r in registry.all_rules():
        module = r.check.__module__.rsplit(".", 1)[-1]
        assert module == r.name.replace("-", "_"), (module, r.name)


def test_docs_have_ruff_style_sections_and_https_references():
    for r in registry.all_rules():
        for s in SECTIONS:
            assert s in r.docs, f"{r.id} docs lack {s!r}"
        positions = [r.docs.index(s) for s in SECTIONS]
        assert positions == sorted(positions), f"{r.id}: sections out of order"
        assert r.references, r.id
        for ref in r.references:
            assert ref.startswith("https://"), (r.id, ref)


def test_lookup_by_id_name_and_prefix():
    assert registry.lookup("WSG201").name == "modwsgi-chunked-request-off"
    assert registry.lookup("modwsgi-chunked-request-off").id == "WSG201"
    assert registry.lookup("wsg201").id == "WSG201"
    assert registry.lookup("nope") is None
    fam = registry.select(["WSG4"])
    assert fam and all(i.startswith("WSG4") for i in fam)


def test_module_names_are_pkgutils(tmp_path):
    """registry.module_names lists what pkgutil.iter_modules does, without importing inspect."""
    import pkgutil

    import wsgilint.rules as pkg
    from wsgilint import registry

    assert registry.module_names(pkg.__path__) == sorted(i.name for i in pkgutil.iter_modules(pkg.__path__))
    for name in ("a_rule.py", "_private.py", "compiled.cpython-311-x86_64-linux-gnu.so", "notes.txt",
                 "bad-name.py", "__init__.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "subpkg").mkdir()
    (tmp_path / "subpkg" / "__init__.py").write_text("")
    (tmp_path / "plaindir").mkdir()
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a_rule.cpython-311.pyc").write_text("")
    assert registry.module_names([str(tmp_path)]) == sorted(i.name for i in pkgutil.iter_modules([str(tmp_path)]))
    assert registry.module_names([str(tmp_path / "missing")]) == []
