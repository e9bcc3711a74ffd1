"""Shared input for reporter tests: the golden tree checked in-process, fingerprints set."""

from __future__ import annotations

from conftest import FIXTURES, PROJECT
from lintrun import check

from wsgilint import __version__, context

GOLDEN = FIXTURES / "report" / "golden"
# A fixed rule set, so rules added later do not change the snapshots.
GOLDEN_RULES = ("WSG001", "WSG102", "WSG401", "WSG402")


def golden_result():
    result = check([GOLDEN.relative_to(PROJECT)], cwd=PROJECT, select=GOLDEN_RULES)
    context.annotate(result.findings)
    return result


def normalise(text: str) -> str:
    return text.replace(__version__, "<version>").replace(str(PROJECT), "<project>")
