"""Are Python threads off in a uWSGI instance? Shared by WSG114 and WSG106 (not a rule)."""

from __future__ import annotations

from wsgilint.knowledge import UWSGI_THREADS_DEFAULT_SINCE, version_text
from wsgilint.model.types import Deployment, UwsgiApp


def threads_off(model: Deployment, app: UwsgiApp) -> str | None:
    """None when Python threads run in ``app``; else the condition under which they do not,
    for a message ("on uWSGI 2.0.21 (--uwsgi-version)", "on uWSGI 2.0.26 and older ...")."""
    if app.config.flag("enable-threads"):
        return None
    threads = app.config.number("threads")
    if threads is not None and threads > 1:
        return None
    since = version_text(UWSGI_THREADS_DEFAULT_SINCE)
    have = model.targets.version("uwsgi")
    if have is not None:
        if have >= UWSGI_THREADS_DEFAULT_SINCE:
            return None
        return f"on {model.targets.describe('uwsgi')}"
    before = version_text(UWSGI_THREADS_DEFAULT_SINCE[:2] + (UWSGI_THREADS_DEFAULT_SINCE[2] - 1,))
    return (f"on uWSGI {before} and older (uWSGI {since} turned threads on by default; Debian 12 ships 2.0.21, "
            f"Ubuntu 24.04 2.0.24); the uWSGI version is unknown (give --uwsgi-version)")
