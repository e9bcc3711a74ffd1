"""Find every rule in wsgilint.rules (one module per rule, each with a RULE)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from wsgilint.findings import Rule

# Renamed or merged rule names/ids keep working on the command line and in config.
REDIRECTS: dict[str, str] = {}


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    import wsgilint.rules as pkg

    rules = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        rule = getattr(mod, "RULE", None)
        if isinstance(rule, Rule):
            rules.append(rule)
    return tuple(sorted(rules, key=lambda r: r.id))


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
