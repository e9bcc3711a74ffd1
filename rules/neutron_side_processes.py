"""neutron served under WSGI: its RPC and periodic workers must run as separate services.

## What it does
For each uWSGI app or mod_wsgi daemon serving neutron, reminds that the API
process no longer runs neutron's RPC workers, periodic tasks or the OVN
maintenance task, and names the services that must run next to it (console
scripts of neutron's pyproject.toml: openstack/neutron@2131d26f73). It is a
reminder (info): the services' own units are not matched against these names.

## Why is this bad?
Until neutron 27.0.0 (2025.2) `neutron-server` (eventlet) started the API, the RPC
workers and the periodic workers in one process tree; 27.0.0 removed that server
(openstack/neutron@378453e93d, "Remove the eventlet WSGI Neutron server code"), so
every neutron from then on is a WSGI API plus side services. Under a WSGI server
only the API runs: without
`neutron-rpc-server` the agents' RPC calls time out ("Timed out waiting for a
reply", agents shown down), without `neutron-periodic-workers` periodic tasks
(e.g. DHCP agent scheduling, quota cleanup) stop, and with ML2/OVN without
`neutron-ovn-maintenance-worker` the OVN DB sync and maintenance tasks never
run (neutron admin guide, config-wsgi).

## Example
```ini
[uwsgi]
socket = /run/uwsgi/neutron-api.socket
module = neutron.wsgi.api:application
start-time = %t
```
(with only this API service enabled)

## Use instead
Run the API under uWSGI and, as their own services, `neutron-rpc-server`,
`neutron-periodic-workers` and (ML2/OVN) `neutron-ovn-maintenance-worker`,
as devstack does.

## References
- https://docs.openstack.org/neutron/latest/admin/config-wsgi.html
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.knowledge import WSGI_SIDE_PROCESSES
from wsgilint.model.types import Deployment
from wsgilint.rules._service import wsgi_instances


def check(model: Deployment):
    for service, where, what, _container in wsgi_instances(model):
        needed = WSGI_SIDE_PROCESSES.get(service)
        if not needed:
            continue
        yield Hit(where, f"{service} API under WSGI ({what}): {', '.join(needed)} must run as separate services, "
                  f"or agents time out and periodic tasks stop", service=service)


RULE = Rule(
    id="WSG433",
    name="neutron-side-processes",
    severity=INFO,
    summary="neutron under WSGI needs neutron-rpc-server, neutron-periodic-workers (and OVN maintenance) running",
    fix="Run neutron-rpc-server, neutron-periodic-workers and (ML2/OVN) neutron-ovn-maintenance-worker as services",
    references=("https://docs.openstack.org/neutron/latest/admin/config-wsgi.html",),
    check=check,
    docs=__doc__,
)
