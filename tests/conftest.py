"""Shared test configuration: make tests/ importable (oracle, stack helpers) and locate data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
FIXTURES = PROJECT / "fixtures"
SHARED = PROJECT.parent / "shared"
CORPUS = SHARED / "corpus"

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real configuration files (skips when ../shared is absent)."""
    if not CORPUS.is_dir():
        pytest.skip(f"../shared is absent ({CORPUS}); corpus tests need it")
    return CORPUS


def update_fixtures() -> bool:
    return os.environ.get("WSGILINT_UPDATE_FIXTURES") == "1"


# Test tiers (README "Developing"): `pytest -m "not oracle and not slow"` is the inner loop; the
# whole suite is the CI gate. `oracle`: the test uses a real server or tool through tests/oracle.py,
# tests/stack.py or tests/proofkit.py (detected from the names its code uses, nested functions
# included). `slow`: a test over ~5 s, or a module whose tests together take over ~5 s (mostly
# subprocess CLI runs). Measured with `pytest -m "not oracle and not slow" --durations=0` on the shared
# 2-core machine (load 1.3-2.6), 2026-12-02; the proof and fuzz modules: ../shared/notes/code-review.md §4.
_ORACLE_MODULES = frozenset({"oracle", "stack", "proofkit"})
_SLOW_MODULES = ("test_proof_", "test_realstack_smoke", "test_fuzz_", "test_fuzz_harness", "test_apache_fastpath",
                 "test_precommit", "test_packaging", "test_cli_fastpath", "test_fix_properties",
                 "test_py310", "test_startup", "test_fieldtest", "test_corpus",
                 # module totals: 12.0, 11.9, 9.8, 8.0, 5.6, 5.2 s
                 "test_cli_habits", "test_html_report", "test_map", "test_fix", "test_scopes_index",
                 "test_output_paths")
# single tests: 4.5, 3.6-6.5, 3.2-11.0, 2.8-3.3 s
_SLOW_TESTS = ("test_json_text_equals_dumps_on_any_values", "test_generated_trees_end_within_budget",
               "test_a_directory_swapped_for_a_symlink_during_checks_never_leaks",
               "test_render_is_json_dumps_of_to_dict")


def _code_names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _code_names(const)
    return names


def _oracle_names(module) -> set[str]:
    """Names in ``module`` bound to the oracle helpers or to what they define, and the module's
    own functions (fixtures included) that use one of those, transitively."""
    out = set()
    local = {}
    for name, value in vars(module).items():
        owner = getattr(value, "__name__", None) if isinstance(value, type(sys)) else getattr(value, "__module__", None)
        if owner in _ORACLE_MODULES:
            out.add(name)
        elif owner == module.__name__:
            code = getattr(getattr(value, "__wrapped__", value), "__code__", None)
            if code is not None:
                local[name] = _code_names(code)
    grew = True
    while grew:
        grew = False
        for name, used in local.items():
            if name not in out and used & out:
                out.add(name)
                grew = True
    return out


def pytest_collection_modifyitems(config, items):
    cache: dict[str, set[str]] = {}
    for item in items:
        module = getattr(item, "module", None)
        func = getattr(item, "function", None)
        if module is None or func is None:
            continue
        base = module.__name__.rsplit(".", 1)[-1]
        if base.startswith(_SLOW_MODULES) or func.__name__ in _SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        names = cache.get(module.__name__)
        if names is None:
            names = cache[module.__name__] = _oracle_names(module)
        code = getattr(func, "__code__", None)
        used = (_code_names(code) if code is not None else set()) | set(getattr(item, "fixturenames", ()))
        if names and used & names:
            item.add_marker(pytest.mark.oracle)
