"""CI's short fuzzing budget: every atheris harness runs a few seconds without a crash."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "fuzz" / "run.py"


def test_fuzz_short_budget(tmp_path):
    pytest.importorskip("atheris", reason="atheris not installed (pip install atheris)")
    proc = subprocess.run([sys.executable, str(RUN), "--seconds", "3", "--artifacts", str(tmp_path)],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 4
    for line in lines:
        m = re.match(r"(\w+): (\d+) inputs in 3s: clean$", line)
        assert m and int(m.group(2)) > 100, line
