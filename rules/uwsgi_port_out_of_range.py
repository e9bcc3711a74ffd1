"""A uWSGI socket port above 65535 binds a different port.

## What it does
Finds uWSGI binds (`socket`, `http-socket`, `http`, ...) whose TCP port is
above 65535.

## Why is this bad?
uWSGI converts the port with `htons(atoi(port))`, which keeps the low 16 bits:
port 80999 becomes 15463. uWSGI even logs the number as written
(`uwsgi socket 0 bound to TCP address 127.0.0.1:80999 fd 3`) while the kernel
listens on 15463 (measured on 2.0.21 with `ss -ltn`), so the proxy that targets
80999 (which Apache refuses as a port anyway) never reaches it: 502/503.
Heat's sample inis use 80999 and 80998.

## Example
```ini
[uwsgi]
http = 127.0.0.1:80999
```

## Use instead
```ini
[uwsgi]
http = 127.0.0.1:8004
```

## References
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/socket.c
- https://opendev.org/openstack/heat/src/branch/master/etc/heat/uwsgi/heat-api-uwsgi.ini
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for app in model.uwsgi:
        for b in app.binds:
            if b.address.kind == "tcp" and not b.address.port_valid:
                real = b.address.port % 65536
                yield Hit(b.option.value_span, f"port {b.address.port} is above 65535: uWSGI truncates it and "
                          f"listens on {real} instead", service=app.service)


RULE = Rule(
    id="WSG118",
    name="uwsgi-port-out-of-range",
    severity=ERROR,
    summary="port above 65535: uWSGI silently listens on port % 65536",
    fix="Use a port between 1 and 65535, the same one the proxy targets",
    references=(
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/socket.c",
        "https://opendev.org/openstack/heat/src/branch/master/etc/heat/uwsgi/heat-api-uwsgi.ini",
    ),
    check=check,
    docs=__doc__,
)
