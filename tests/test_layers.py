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


def _module_files() -> dict[str, Path]:
    """wsgilint module name -> file (wsgilint is linter/, wsgilint.rules is rules/)."""
    out = {}
    for base, pkg in ((LINTER, "wsgilint"), (RULES, "wsgilint.rules")):
        for path in base.rglob("*.py"):
            rel = path.relative_to(base).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out[".".join([pkg, *parts])] = path
    return out


def _runtime_imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The wsgilint modules ``name`` imports anywhere (module level or inside functions), but not
    under ``if TYPE_CHECKING:`` (never run). ``from wsgilint import x`` names the module x when it is one."""
    tree = ast.parse(path.read_text(), str(path))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([mod] if mod else []))
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return {m for m in out if m in modules and m != name}


def test_no_import_cycle_among_wsgilint_modules():
    """Static, from the AST, function-level imports included: no wsgilint module reaches itself
    (wsgilint.cli and wsgilint.cli_app share wsgilint.check_cmd instead of importing each other)."""
    modules = _module_files()
    graph = {name: _runtime_imports(path, name, modules) for name, path in modules.items()}
    # A package's __init__ is imported with each of its submodules: not an edge of its own.
    graph = {n: {m for m in deps if not n.startswith(m + ".")} for n, deps in graph.items()}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    assert not cycles, [" -> ".join(c) for c in cycles]


def test_parse_layer_does_not_import_the_resolve_layer():
    modules = _module_files()
    bad = [(name, m) for name, path in modules.items() if name.startswith("wsgilint.parse")
           for m in _runtime_imports(path, name, modules) if m.startswith("wsgilint.resolve")]
    assert not bad, bad


def test_cycle_detection_sees_function_level_imports(tmp_path):
    """The detector is not vacuous: a lazy import inside a function is an edge."""
    mod = tmp_path / "m.py"
    mod.write_text("def f():\n    from wsgilint import cli_app\n")
    assert "wsgilint.cli_app" in _runtime_imports(mod, "wsgilint.m", {**_module_files(), "wsgilint.m": mod})
