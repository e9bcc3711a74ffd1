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
