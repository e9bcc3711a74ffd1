"""Reporters: one module per output format, imported only when chosen."""

from __future__ import annotations

import importlib

FORMATS = {
    "text": "wsgilint.report.text:render",
    "json": "wsgilint.report.json_report:render",
    "concise": "wsgilint.report.concise:render",
    "sarif": "wsgilint.report.sarif:render",
    "github": "wsgilint.report.github:render",
    "gitlab": "wsgilint.report.gitlab:render",
    "junit": "wsgilint.report.junit:render",
    "html": "wsgilint.report.html:render",
}


def get(fmt: str):
    target = FORMATS.get(fmt)
    if target is None:
        raise ValueError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    mod, _, func = target.partition(":")
    return getattr(importlib.import_module(mod), func)
