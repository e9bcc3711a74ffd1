"""Pieces shared by the real-server proof tests: a time limit, oracle requirements, runnable fixtures."""

from __future__ import annotations

import contextlib
import re
import signal
from pathlib import Path

import oracle


@contextlib.contextmanager
def time_limit(seconds: int):
    """Fail (not hang) a test that runs over ``seconds``; the harness's finally blocks still stop servers."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _expired(signum, frame):
        raise TimeoutError(f"test exceeded its {seconds} s budget")

    old = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def need_apache(why: str, wsgi: bool = False) -> None:
    oracle.apache2(why)
    if wsgi:
        oracle.mod_wsgi_so(why)


def need_uwsgi(why: str) -> None:
    oracle.uwsgi(why)
    oracle.uwsgi_python_plugin(why)


def fixture_text(path: Path, replacements: dict) -> str:
    """The fixture text with each key replaced by its value; every key must occur (no silent no-op)."""
    text = path.read_text()
    for old, new in replacements.items():
        assert old in text, f"{old!r} not in {path}: the fixture changed, update this proof"
        text = text.replace(old, new)
    return text


def runnable_ini(path: Path, replacements: dict, keys: str = "module|wsgi-file") -> str:
    """A fixture's uWSGI ini made runnable here: the OpenStack app replaced by the test app."""
    text = fixture_text(path, replacements)
    text, n = re.subn(rf"(?m)^({keys})\s*=.*$", "wsgi-file = @@APP_PY@@", text)
    assert n == 1, f"{path}: expected one {keys} line"
    return text
