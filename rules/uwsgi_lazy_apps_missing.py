"""The app is loaded in the uWSGI master and forked into the workers (no `lazy-apps`).

## What it does
Finds uWSGI instances with `master = true` or more than one process that load
an app without `lazy-apps = true`. The deprecated `lazy = true` is reported
at **info** level wherever it appears (use `lazy-apps`).

## Why is this bad?
Without `lazy-apps`, uWSGI imports the app once in the master and forks the
workers from it. Everything opened at import time is shared by all workers:
memcache and database sockets (keystone bug 1600394: responses of one worker
read by another), and threads started at import time do **not exist** in the
workers. Measured on uWSGI 2.0.21: a background thread started when the app
is imported ticks in every worker with `lazy-apps = true`, and never runs in
the worker without it. `lazy` also changes how reloads work and is discouraged
by the uWSGI docs.

## Example
```ini
[uwsgi]
master = true
processes = 4
module = keystone.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
master = true
processes = 4
lazy-apps = true
module = keystone.wsgi.api:application
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://opendev.org/openstack/keystone/commit/cc3e797bc
"""

from wsgilint.findings import INFO, WARNING, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for app in model.uwsgi:
        if app.config.flag("lazy-apps"):
            continue
        lazy = app.config.last("lazy")
        if lazy is not None and lazy.as_bool():
            yield Hit(lazy.span, "`lazy` is discouraged: use `lazy-apps = true`", severity=INFO, service=app.service)
            continue
        if app.app_option is None:
            continue
        procs = app.config.number("processes", "workers") or 1
        if not (app.config.flag("master") or procs > 1):
            continue
        yield Hit(app.app_option.span, "the app is imported in the master and forked: sockets opened at import "
                  "are shared by the workers and threads started at import do not run (set lazy-apps = true)",
                  severity=WARNING, service=app.service)


RULE = Rule(
    id="WSG113",
    name="uwsgi-lazy-apps-missing",
    severity=WARNING,
    summary="no lazy-apps: the app is imported before fork (shared sockets, dead threads)",
    fix="Set `lazy-apps = true` (and drop `lazy`)",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://opendev.org/openstack/keystone/commit/cc3e797bc",
    ),
    check=check,
    docs=__doc__,
)
