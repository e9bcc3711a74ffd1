"""Find every rule in wsgilint.rules (one module per rule, each with a RULE)."""

from __future__ import annotations

import importlib
import os
from functools import lru_cache
from importlib.machinery import all_suffixes

from wsgilint.findings import Rule

# Renamed or merged rule names/ids keep working on the command line and in config.
REDIRECTS: dict[str, str] = {}


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    import wsgilint.rules as pkg

    rules = []
    for name in module_names(pkg.__path__):
        if name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{name}")
        rule = getattr(mod, "RULE", None)
        if isinstance(rule, Rule):
            rules.append(rule)
    return tuple(sorted(rules, key=lambda r: r.id))


def module_names(paths) -> list[str]:
    """The modules and subpackages in a package's directories, named as
    ``pkgutil.iter_modules`` names them for a package on disk (its file finder's rules),
    without its import of ``inspect``, which brings ast, dis and tokenize: ~3 ms of every
    check. tests/test_registry.py compares the two."""
    suffixes = sorted(all_suffixes(), key=len, reverse=True)  # as inspect.getmodulename tries them

    def modname(filename: str) -> str | None:
        for suffix in suffixes:
            if filename.endswith(suffix):
                return filename[: -len(suffix)]
        return None

    names: set[str] = set()
    for path in paths:
        try:
            entries = sorted(os.listdir(path))
        except OSError:
            continue
        for entry in entries:
            name = modname(entry)
            if name == "__init__" or name in names:
                continue
            if not name and "." not in entry and os.path.isdir(os.path.join(path, entry)):
                try:
                    inside = os.listdir(os.path.join(path, entry))
                except OSError:
                    inside = []
                if not any(modname(f) == "__init__" for f in inside):
                    continue  # not a package
                name = entry
            if name and "." not in name:
                names.add(name)
    return sorted(names)


def lookup(key: str) -> Rule | None:
    """A rule by id (WSG201), name (modwsgi-chunked-request-off) or an old id/name."""
    key = REDIRECTS.get(key, key)
    for r in all_rules():
        if key.upper() == r.id or key.lower() == r.name:
            return r
    return None


def select(codes: list[str]) -> set[str]:
    """Rule ids matched by ids, names or id prefixes (WSG2 selects every WSG2xx rule)."""
    out: set[str] = set()
    for code in codes:
        code = code.strip()
        if not code:
            continue
        if code.upper() == "ALL":
            out.update(r.id for r in all_rules())
            continue
        r = lookup(code)
        if r is not None:
            out.add(r.id)
            continue
        matched = [r.id for r in all_rules() if r.id.startswith(code.upper())]
        if not matched:
            raise ValueError(f"unknown rule {code!r} (see `wsgilint rules`)")
        out.update(matched)
    return out
