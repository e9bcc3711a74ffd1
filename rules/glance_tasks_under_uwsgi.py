"""Glance's async tasks (interoperable image import) cannot run in this uWSGI setup.

## What it does
For Glance under uWSGI: with Glance older than 21.0.0 (Victoria; the version
given with `--openstack-release` or read from the tree), reports that tasks and
interoperable image import do not run under uWSGI at all; otherwise reports
instances where Python threads are off (neither `enable-threads` nor `threads`
> 1 on a uWSGI older than 2.0.27, which turned threads on by default), because
the import runs in a thread pool.

## Why is this bad?
Image import (`glance image-create-via-import`, web-download, copy-image)
runs as a background task. Glance's Queens release notes list tasks as broken
under uWSGI; they work since Glance 21.0.0 (openstack/glance@16a5431c66 "Make
glance-api able to do async tasks in WSGI mode", bug 1888713). Without Python
threads in uWSGI, background threads never get to run, so imports stay in
`importing` forever while the API answers 202.

## Options
`--openstack-release` or `--uwsgi-version` give the versions when the tree does
not show them; with neither known, the message says in which versions it breaks.

## Example
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
module = glance.wsgi.api:application
processes = 4
```

## Use instead
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
module = glance.wsgi.api:application
processes = 4
enable-threads = true
```

## References
- https://docs.openstack.org/releasenotes/glance/queens.html
- https://docs.openstack.org/glance/latest/admin/apache-httpd.html
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import GLANCE_TASKS_UNDER_UWSGI_SINCE
from wsgilint.model.types import Deployment
from wsgilint.rules._uwsgi_threads import threads_off


def check(model: Deployment):
    known = model.targets.service_version("glance")
    for app in model.uwsgi:
        if app.service != "glance" or app.span is None:
            continue
        where = app.app_option.span if app.app_option is not None else app.span
        if known is not None and known[0][0] < GLANCE_TASKS_UNDER_UWSGI_SINCE:
            yield Hit(where, f"Glance {known[0][0]} ({known[1]}) cannot run tasks or interoperable image "
                      f"import under uWSGI (fixed in Glance {GLANCE_TASKS_UNDER_UWSGI_SINCE}.0.0, Victoria)",
                      fix="Run glance-api standalone (eventlet) for this release, or upgrade Glance",
                      service="glance")
            continue
        when = threads_off(model, app)
        if when is None:
            continue
        yield Hit(where, f"Glance's image import runs in a thread pool, but Python threads are off {when} "
                  "(no enable-threads, threads <= 1): imports never progress", service="glance")


RULE = Rule(
    id="WSG106",
    name="glance-tasks-under-uwsgi",
    severity=WARNING,
    summary="Glance tasks/image import do not run under this uWSGI setup or release",
    fix="Set `enable-threads = true`; before Glance 21.0.0, run glance-api outside uWSGI",
    references=(
        "https://docs.openstack.org/releasenotes/glance/queens.html",
        "https://docs.openstack.org/glance/latest/admin/apache-httpd.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
    ),
    check=check,
    docs=__doc__,
)
