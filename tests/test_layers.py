"""Layering, enforced: rules read no files, parsers know no rules, the base modules import nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import PROJECT

LINTER = PROJECT / "linter"
RULES = PROJECT / "rules"

# What a rule may import from wsgilint: the model, findings, knowledge, sources and its helpers.
RULE_ALLOWED = ("wsgilint.findings", "wsgilint.model", "wsgilint.knowledge", "wsgilint.source", "wsgilint.rules",
                "wsgilint.numbers")
FILE_ACCESS_MODULES = {"os", "io", "pathlib", "shutil", "subprocess", "socket", "glob", "tempfile"}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
    return out


def _calls_open(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), str(path))
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("open", "exec", "eval")]


def test_rules_read_no_files_and_import_only_the_model():
    bad = []
    for path in sorted(RULES.glob("*.py")):
        for mod, line in _imports(path):
            top = mod.split(".")[0]
            if top in FILE_ACCESS_MODULES:
                bad.append(f"{path.name}:{line}: imports {mod}")
            if mod.startswith("wsgilint") and not mod.startswith(RULE_ALLOWED):
                bad.append(f"{path.name}:{line}: imports {mod}")
        bad.extend(f"{path.name}:{line}: calls open/exec/eval" for line in _calls_open(path))
    assert bad == [], "\n".join(bad)


def test_parsers_and_resolvers_know_no_rules():
    bad = []
    for folder in ("parse", "resolve", "model"):
        for path in sorted((LINTER / folder).glob("*.py")):
            for mod, line in _imports(path):
                if mod.startswith(("wsgilint.rules", "wsgilint.registry", "wsgilint.engine", "wsgilint.report",
                                   "wsgilint.cli", "wsgilint.pipeline")):
                    bad.append(f"{folder}/{path.name}:{line}: imports {mod}")
    assert bad == [], "\n".join(bad)


def test_parsers_do_no_io():
    bad = []
    for path in sorted((LINTER / "parse").glob("*.py")):
        for mod, line in _imports(path):
            if mod.split(".")[0] in FILE_ACCESS_MODULES or mod == "wsgilint.fsroot":
                bad.append(f"parse/{path.name}:{line}: imports {mod}")
        bad.extend(f"parse/{path.name}:{line}: calls open/exec/eval" for line in _calls_open(path))
    assert bad == [], "\n".join(bad)


def test_base_modules_import_nothing_from_wsgilint_at_run_time():
    # record.py (the bases of the record classes) is itself a base module: it imports nothing.
    for name in ("findings.py", "source.py", "record.py"):
        tree = ast.parse((LINTER / name).read_text())
        for node in tree.body:  # module level only; TYPE_CHECKING blocks are `if` statements
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wsgilint") \
                    and node.module != "wsgilint.record":
                raise AssertionError(f"{name}:{node.lineno} imports {node.module}")
