"""A uWSGI instance has no `processes`/`workers` or `threads`.

## What it does
Finds uWSGI instances that load an app but set none of `processes`,
`workers` or `threads`.

The options are the instance's effective ones: an app in Debian's `/etc/uwsgi/apps-enabled`
gets `workers = 2` from `/usr/share/uwsgi/conf/default.ini` (inherited by the init script), and a
unit's `--processes` counts (see the launch layer, `wsgilint.launch`).

## Why is this bad?
uWSGI then runs a single worker process with a single thread: one slow request
(an image upload, a slow LDAP bind) blocks every other request of the service.

## Example
```ini
[uwsgi]
socket = /run/uwsgi/keystone.socket
module = keystone.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
socket = /run/uwsgi/keystone.socket
module = keystone.wsgi.api:application
master = true
processes = 4
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#processes
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for app in model.uwsgi:
        if app.app_option is None:
            continue
        if app.config.has("processes", "workers", "p", "threads", "cheaper", "cheaper-initial"):
            continue
        yield Hit(app.app_option.span, "no processes/workers/threads: uWSGI runs one worker with one thread",
                  service=app.service)


RULE = Rule(
    id="WSG105",
    name="uwsgi-workers-unset",
    severity=INFO,
    summary="uWSGI without processes/threads runs a single worker",
    fix="Set `processes = N` (and `master = true`)",
    references=("https://uwsgi-docs.readthedocs.io/en/latest/Options.html#processes",),
    check=check,
    docs=__doc__,
)
