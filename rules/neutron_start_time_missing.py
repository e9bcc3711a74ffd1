"""neutron under uWSGI without `start-time = %t`.

## What it does
For uWSGI instances serving neutron 26.0.0 (2025.1) or newer, finds an ini
without a `start-time` option. neutron's version comes from
`--openstack-release` or the tree's packages and is named in the message;
when it is unknown, the message says from which version the option is needed.
Older neutron is not reported.

## Why is this bad?
Since 26.0.0 neutron's API reads `uwsgi.opt['start-time']` to register its
workers in the ML2/OVN hash ring (release note
wsgi_start-time-101ce9c9a36b8a4f, admin guide config-wsgi). Without it neutron
does not fail: it logs a warning and each worker falls back to its own start
time (openstack/neutron@2131d26f73:neutron/plugins/ml2/drivers/ovn/mech_driver/mech_driver.py,
`start_time`), so the workers of one host register with different `created_at`
values and `remove_nodes_from_host(created_at=...)` can delete sibling workers'
hash-ring rows (neutron/db/ovn_hash_ring_db.py). It matters with ML2/OVN only,
hence a warning. uWSGI does not invent the option:
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

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import START_TIME_REQUIRED_SINCE, START_TIME_REQUIRED_RELEASE
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for app in model.uwsgi:
        since = START_TIME_REQUIRED_SINCE.get(app.service or "")
        if since is None or app.config.has("start-time"):
            continue
        known = model.targets.service_version(app.service)
        if known is not None and known[0][0] < since:
            continue
        where = app.app_option.span if app.app_option is not None else app.span
        if where is None:
            continue
        if known is not None:
            who = f"{known[1]} needs"
        else:
            who = (f"from {app.service} {since}.0.0 ({START_TIME_REQUIRED_RELEASE[app.service]}) on, {app.service} "
                   f"needs (its version is unknown)")
        yield Hit(where,
                  f"{who} `start-time = %t` in its uWSGI ini: without it each worker falls back to its own start "
                  f"time, and with ML2/OVN a worker's hash-ring registration can remove its siblings' rows",
                  service=app.service)


RULE = Rule(
    id="WSG408",
    name="neutron-start-time-missing",
    severity=WARNING,
    summary="neutron >= 26.0.0 under uWSGI needs `start-time = %t`",
    fix="Add `start-time = %t` to neutron's uWSGI ini",
    references=(
        "https://docs.openstack.org/neutron/latest/admin/config-wsgi.html",
        "https://docs.openstack.org/releasenotes/neutron/2025.1.html",
    ),
    check=check,
    docs=__doc__,
)
