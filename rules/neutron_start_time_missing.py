"""neutron under uWSGI without `start-time = %t`.

## What it does
For uWSGI instances serving neutron, when the target release ships neutron
26.0.0 (2025.1) or newer, finds an ini without a `start-time` option. The
release comes from `--openstack-release` and is named in the message.

## Why is this bad?
Since 26.0.0 neutron's API reads `uwsgi.opt['start-time']` to register its
workers in the ML2/OVN hash ring; without it the hash ring is not maintained
and OVN events are lost or handled twice (neutron release note
wsgi_start-time, admin guide config-wsgi). uWSGI does not invent the option:
measured with uWSGI 2.0.21, the application sees no `start-time` in
`uwsgi.opt` unless the ini sets it, and `start-time = %t` gives the instance's
start time in seconds.

## Example
```ini
[uwsgi]
socket = /run/uwsgi/neutron-api.socket
module = neutron.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
socket = /run/uwsgi/neutron-api.socket
module = neutron.wsgi.api:application
start-time = %t
```

## References
- https://docs.openstack.org/neutron/latest/admin/config-wsgi.html
- https://docs.openstack.org/releasenotes/neutron/2025.1.html
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.knowledge import START_TIME_REQUIRED_SINCE, service_major
from wsgilint.model.types import Deployment


def check(model: Deployment):
    release = model.targets.openstack
    for app in model.uwsgi:
        since = START_TIME_REQUIRED_SINCE.get(app.service or "")
        if since is None:
            continue
        major = service_major(app.service, release)
        if major is None or major < since or app.config.has("start-time"):
            continue
        where = app.app_option.span if app.app_option is not None else app.span
        if where is None:
            continue
        yield Hit(where,
                  f"{app.service} {major}.x (OpenStack {release} assumed) needs `start-time = %t` in its uWSGI "
                  f"ini (required since {since}.0.0): without it the ML2/OVN hash ring breaks",
                  service=app.service)


RULE = Rule(
    id="WSG408",
    name="neutron-start-time-missing",
    severity=ERROR,
    summary="neutron >= 26.0.0 under uWSGI needs `start-time = %t`",
    fix="Add `start-time = %t` to neutron's uWSGI ini",
    references=(
        "https://docs.openstack.org/neutron/latest/admin/config-wsgi.html",
        "https://docs.openstack.org/releasenotes/neutron/2025.1.html",
    ),
    check=check,
    docs=__doc__,
)
