"""An upload or long-request service runs one process with one thread.

## What it does
Finds a service known to take uploads or to serve long requests (glance and swift
from wsgilint's knowledge, or an app of `[tool.wsgilint.apps.NAME]` with
`uploads = true` or `long-requests = N`) that can serve only one request at a time:

- a uWSGI instance with `processes`/`workers` unset or 1 and `threads` unset or 1
  (and no `async`/`gevent` loop), or
- a mod_wsgi `WSGIDaemonProcess` with `processes` unset or 1 and `threads=1`
  (mod_wsgi's default is 15 threads).

The service's identity comes from evidence only (its `module =`, its
`WSGIScriptAlias` script, the backend a route reaches, or the user's
configuration), never from a port; the message names it.

## Why is this bad?
One worker with one thread serves one request at a time. While an image upload
streams in (minutes for a large image), every other request to the service, a
health check or a token validation included, waits behind it, and front ends
time out (Apache `Timeout`, nginx `*_read_timeout`, 60 s by default). The
failure depends on the load, so it is a warning: it bites as soon as an upload
or a long request overlaps another request.

## Example
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
module = glance.wsgi.api:application
master = true
```

## Use instead
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
module = glance.wsgi.api:application
master = true
processes = 4
threads = 1
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#processes
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#threads
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.knowledge import MOD_WSGI_DEFAULTS
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import is_long, profile, served_by

# Options that give one uWSGI worker more than one request at a time (an async loop).
_CONCURRENT = ("async", "gevent", "greenlet", "ugreen", "coroae", "asyncio", "tornado")


def _count(text: str | None) -> int | None:
    """A literal count (`4`), None when the value is not one (a placeholder, garbage)."""
    if text is None:
        return None
    t = text.strip()
    from wsgilint.numbers import parse_int  # ASCII digits, no 4300-digit ValueError

    return parse_int(t)


def _what(model: Deployment, service: str) -> str:
    prof = profile(model, service)
    if prof is not None and prof.upload:
        return "upload"
    return f"long request (up to {prof.long_requests} s)" if prof is not None else "long request"


def check(model: Deployment):
    for app in model.uwsgi:
        if app.app_option is None or not is_long(model, app.service):
            continue
        cfg = app.config
        if cfg.has(*_CONCURRENT):
            continue
        procs = cfg.last("processes", "workers", "p")
        threads = cfg.last("threads")
        n_procs = 1 if procs is None else _count(procs.value)
        n_threads = 1 if threads is None else _count(threads.value)
        if n_procs != 1 or n_threads != 1:  # more than one, or not a literal count: not judged
            continue
        set_at = [o for o in (procs, threads) if o is not None]
        span = set_at[0].span if set_at else app.app_option.span
        said = " and ".join(f"{o.key} = {o.value.strip()}" for o in set_at) or "no processes/workers/threads"
        yield Hit(span, f"{said}: uWSGI serves {app.service} (known from {app.service_reason}) with one process "
                  f"and one thread, so one {_what(model, app.service)} blocks every other request to it",
                  service=app.service)
    seen: set[int] = set()
    for route in model.routes:
        daemon = route.daemon
        if route.kind != "mod_wsgi" or daemon is None or id(daemon) in seen or not is_long(model, route.service):
            continue
        seen.add(id(daemon))
        procs = daemon.options.get("processes")
        threads = daemon.options.get("threads")
        n_procs = MOD_WSGI_DEFAULTS["processes"].value if procs is None else _count(procs)
        n_threads = MOD_WSGI_DEFAULTS["threads"].value if threads is None else _count(threads)
        if n_procs != 1 or n_threads != 1:
            continue
        yield Hit(daemon.directive.span,
                  f"WSGIDaemonProcess {daemon.name} runs {served_by(route)} with one process and one thread "
                  f"(processes={procs or '1 (default)'} threads={threads}), so one {_what(model, route.service)} "
                  f"blocks every other request to it",
                  service=route.service, related=[Related(route.span, "the route it serves")])


RULE = Rule(
    id="WSG121",
    name="upload-service-single-worker",
    severity=WARNING,
    summary="an upload or long-request service with one process and one thread: one upload blocks every request",
    fix="Run more than one worker: uWSGI `processes = 4` (or `threads = N`); mod_wsgi "
        "`WSGIDaemonProcess NAME processes=2 threads=15`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#processes",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#threads",
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html",
    ),
    check=check,
    docs=__doc__,
)
