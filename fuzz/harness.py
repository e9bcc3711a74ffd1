"""Shared atheris entry point: fuzz one parser's ``parse(text)``; any exception is a crash."""

from __future__ import annotations

import sys


def main(module_name: str, call) -> None:
    """Run libFuzzer on ``call(module, text)``; argv carries libFuzzer flags (-max_total_time=N)."""
    import importlib

    import atheris

    with atheris.instrument_imports(include=["wsgilint"]):
        mod = importlib.import_module(module_name)
    from wsgilint.limits import Limits

    small = Limits(max_depth=16, max_line_length=4096, max_lines=10_000, max_expansion=4096)

    def one_input(data: bytes) -> None:
        text = data.decode("utf-8", "surrogateescape") if data[:1] != b"\x01" else data.decode("latin-1")
        call(mod, text, small)

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
