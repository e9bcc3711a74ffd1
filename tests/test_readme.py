"""The README's rule table is the registry's: every rule, its name and severity (issue 17: one source)."""

from __future__ import annotations

import re

from conftest import PROJECT

from wsgilint import registry


def test_readme_rule_table_matches_the_registry():
    text = (PROJECT / "README.md").read_text()
    rows = re.findall(r"^\| (WSG\d{3}) \| ([a-z0-9-]+) \| (error|warning|info) \|", text, re.M)
    table = [(rid, name, sev) for rid, name, sev in rows]
    want = [(r.id, r.name, r.severity.label) for r in registry.all_rules()]
    assert table == want, "README rule table differs from `wsgilint rules`:\n" + "\n".join(
        f"{a} != {b}" for a, b in zip(table, want) if a != b) + f"\n(lengths {len(table)} vs {len(want)})"
