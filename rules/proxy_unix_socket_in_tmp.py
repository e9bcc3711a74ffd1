"""ProxyPass to a unix socket under /tmp, which httpd may not see.

## What it does
Finds `ProxyPass ... unix:/tmp/...|...` (and /var/tmp) routes.

## Why is this bad?
Debian's and RHEL's apache2/httpd systemd units run with `PrivateTmp=true`:
httpd's /tmp is a private directory, so a socket that uWSGI creates in the real
/tmp does not exist for httpd. Every request gets **503 Service Unavailable**
and the connect to the socket fails with `(2)No such file or directory` in
the error log, while the same setup works when both are started by hand (this
depends on the unit file, not on the configuration: not reproduced here). Use /run/uwsgi (devstack) with a socket
mode or owner that the Apache user can use.

## Example
```apache
ProxyPass /identity unix:/tmp/keystone.sock|uwsgi://keystone/ retry=0
```

## Use instead
```apache
ProxyPass /identity unix:/run/uwsgi/keystone.sock|uwsgi://keystone/ retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
- https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#PrivateTmp=
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import backend_related
from wsgilint.rules._modwsgi import apache_routes

_PRIVATE = ("/tmp/", "/var/tmp/")


def check(model: Deployment):
    for route in apache_routes(model, ("proxy_uwsgi", "proxy_http", "proxy_other")):
        a = route.address
        if a is None or a.kind != "unix" or not (a.path or "").startswith(_PRIVATE):
            continue
        yield Hit(route.target_span(),
                  f"unix socket {a.path} is under a private tmp: with the distribution's httpd unit "
                  f"(PrivateTmp=true) httpd cannot see it and {route.path} answers 503",
                  service=route.service, related=backend_related(route))


RULE = Rule(
    id="WSG213",
    name="proxy-unix-socket-in-tmp",
    severity=WARNING,
    summary="ProxyPass to a unix socket in /tmp: httpd's PrivateTmp hides it (503)",
    fix="Put the socket in /run/uwsgi/ (uWSGI `socket = /run/uwsgi/app.sock`, chmod-socket or chown-socket)",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#PrivateTmp=",
    ),
    check=check,
    docs=__doc__,
)
