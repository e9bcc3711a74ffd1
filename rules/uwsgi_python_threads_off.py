"""Python threads are off: app threads run only while a request is being served.

## What it does
Finds uWSGI instances that load an app without `enable-threads = true` and
without `threads` above 1, on a uWSGI older than 2.0.27. With the uWSGI version
given (`--uwsgi-version`) or read from the tree (dpkg, rpm, pip metadata) the
message names it; 2.0.27 and later are not reported. With the version unknown
the warning says it applies to 2.0.26 and older.

## Why is this bad?
Before 2.0.27 uWSGI does not enable the GIL machinery for Python threads: the
worker holds the GIL while it waits for the next request, so threads the app
starts (oslo.messaging heartbeats, glance's import task pool, periodic tasks)
only get to run while a request is in progress. uWSGI says so at startup:
`*** Python threads support is disabled. You can enable it with
--enable-threads ***`. Measured on uWSGI 2.0.21 (with `lazy-apps`): a
background thread ticking every 50 ms advanced ~10 ticks per 0.5 s request and
not at all in between; with `enable-threads` it ran all the time. Idle workers
then miss RabbitMQ heartbeats and get disconnected.

uWSGI 2.0.27 (2024-09) sets threads on by default ("core/uwsgi: set enable
threads by default", unbit/uwsgi@1caea16df8; `enable-threads` is now a stub).
tests/test_proof_uwsgi_versions.py runs both: on Debian's 2.0.21 the thread
stalls between requests, on the pip-built current 2.0.x it keeps running.
Debian 12 ships 2.0.21, Ubuntu 24.04 2.0.24, Debian 13 2.0.28.

## Example
```ini
[uwsgi]
processes = 4
module = nova.wsgi.osapi_compute:application
```

## Use instead
```ini
[uwsgi]
processes = 4
enable-threads = true
module = nova.wsgi.osapi_compute:application
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#enable-threads
- https://uwsgi-docs.readthedocs.io/en/latest/Changelog-2.0.27.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._uwsgi_threads import threads_off


def check(model: Deployment):
    for app in model.uwsgi:
        if app.app_option is None:
            continue
        when = threads_off(model, app)
        if when is None:
            continue
        opt = app.config.last("enable-threads")
        span = opt.span if opt is not None else app.app_option.span
        yield Hit(span, f"Python threads are disabled {when}: threads the app starts only run during requests "
                  "(set enable-threads = true)", service=app.service)


RULE = Rule(
    id="WSG114",
    name="uwsgi-python-threads-off",
    severity=WARNING,
    summary="uWSGI < 2.0.27 with neither enable-threads nor threads > 1: app threads stall between requests",
    fix="Set `enable-threads = true`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#enable-threads",
        "https://uwsgi-docs.readthedocs.io/en/latest/Changelog-2.0.27.html",
    ),
    check=check,
    docs=__doc__,
)
