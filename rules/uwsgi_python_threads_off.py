"""Python threads are off: app threads run only while a request is being served.

## What it does
Finds uWSGI instances that load an app without `enable-threads = true` and
without `threads` above 1.

## Why is this bad?
By default uWSGI does not enable the GIL machinery for Python threads: the
worker holds the GIL while it waits for the next request, so threads the app
starts (oslo.messaging heartbeats, glance's import task pool, periodic tasks)
only get to run while a request is in progress. uWSGI says so at startup:
`*** Python threads support is disabled. You can enable it with
--enable-threads ***`. Measured on uWSGI 2.0.21 (with `lazy-apps`): a
background thread ticking every 50 ms advanced ~10 ticks per 0.5 s request and
not at all in between; with `enable-threads` it ran all the time. Idle workers
then miss RabbitMQ heartbeats and get disconnected.

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
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for app in model.uwsgi:
        if app.app_option is None:
            continue
        if app.config.flag("enable-threads"):
            continue
        threads = app.config.number("threads")
        if threads is not None and threads > 1:
            continue
        opt = app.config.last("enable-threads")
        span = opt.span if opt is not None else app.app_option.span
        yield Hit(span, "Python threads are disabled: threads the app starts only run during requests "
                  "(set enable-threads = true)", service=app.service)


RULE = Rule(
    id="WSG114",
    name="uwsgi-python-threads-off",
    severity=WARNING,
    summary="neither enable-threads nor threads > 1: app threads stall between requests",
    fix="Set `enable-threads = true`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#enable-threads",
    ),
    check=check,
    docs=__doc__,
)
