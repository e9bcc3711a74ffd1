"""Glance's async tasks (interoperable image import) cannot run in this uWSGI setup.

## What it does
For Glance under uWSGI: with a target release before Glance 21.0.0, reports
that tasks and interoperable image import do not run under uWSGI at all; with
a later release, reports instances where Python threads are off (neither
`enable-threads` nor `threads` > 1), because the import runs in a thread pool.

## Why is this bad?
Image import (`glance image-create-via-import`, web-download, copy-image)
runs as a background task. Glance's Queens release notes list tasks as broken
under uWSGI; Glance documents them as working since 21.0.0. Without Python
threads in uWSGI, background threads never get to run, so imports stay in
`importing` forever while the API answers 202.

## Options
`--openstack-release` selects the Glance version assumed (default: the latest
release wsgilint knows).

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
from wsgilint.knowledge import GLANCE_TASKS_UNDER_UWSGI_SINCE, service_major
from wsgilint.model.types import Deployment


def check(model: Deployment):
    release = model.targets.openstack
    major = service_major("glance", release)
    for app in model.uwsgi:
        if app.service != "glance" or app.span is None:
            continue
        where = app.app_option.span if app.app_option is not None else app.span
        if major is not None and major < GLANCE_TASKS_UNDER_UWSGI_SINCE:
            yield Hit(where, f"Glance {major} (OpenStack {release}) cannot run tasks or interoperable image "
                      f"import under uWSGI (fixed in Glance {GLANCE_TASKS_UNDER_UWSGI_SINCE}.0.0)",
                      fix="Run glance-api standalone (eventlet) for this release, or upgrade Glance",
                      service="glance")
            continue
        threads = app.config.number("threads") or 1
        if app.config.flag("enable-threads") or threads > 1:
            continue
        yield Hit(where, "Glance's image import runs in a thread pool, but Python threads are off in this "
                  "uWSGI (no enable-threads, threads <= 1): imports never progress", service="glance")


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
