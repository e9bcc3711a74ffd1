"""ProxyPass to a local uWSGI keeps the default retry=60.

## What it does
Finds `ProxyPass` routes to a uWSGI on this host (a unix socket or a loopback
address) without a `retry=` parameter.

## Why is this bad?
When a connection to the backend fails once (uWSGI restarting for a deploy or a
config change), mod_proxy puts the worker in error state and does not try it
again for `retry` seconds, 60 by default: the API answers **503 Service
Unavailable** for up to a minute after uWSGI is already back
(`AH00940: ... disabled connection for (...)`). devstack, heat and glance set
`retry=0`; keystone's, kolla's and wikimedia's samples do not.

## Example
```apache
ProxyPass /identity unix:/run/uwsgi/keystone.socket|uwsgi://keystone/
```

## Use instead
```apache
ProxyPass /identity unix:/run/uwsgi/keystone.socket|uwsgi://keystone/ retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.knowledge import APACHE_DEFAULTS
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes

def check(model: Deployment):
    default = APACHE_DEFAULTS["proxy-retry"].value
    for route in apache_routes(model, ("proxy_uwsgi", "proxy_http")):
        a = route.address
        if a is None or "retry" in route.params:
            continue
        if not a.connects_locally:
            continue
        yield Hit(route.target_span(),
                  f"no retry= on a ProxyPass to local {a}: after one failed connect (uWSGI restarting) "
                  f"{route.path} answers 503 for {default} s",
                  service=route.service)


RULE = Rule(
    id="WSG212",
    name="proxy-retry-default",
    severity=INFO,
    summary="ProxyPass to a local uWSGI without retry=0: 503 for 60 s after a backend restart",
    fix="Add `retry=0` to the ProxyPass line",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
    ),
    check=check,
    docs=__doc__,
)
