"""A ProxyPass speaks one protocol, the uWSGI socket it reaches another.

## What it does
Finds `uwsgi://` routes that reach a uWSGI `http-socket` or `http` router, and
`http://` routes that reach a uWSGI `socket`/`uwsgi-socket` (uwsgi protocol).

## Why is this bad?
The two ends cannot understand each other. HTTP arriving on a uwsgi socket is
read as a packet header: uWSGI logs `invalid request block size: 21573
(max 4096)...skip` ("GE" read as a size) and Apache answers **502**. The uwsgi
protocol arriving on an http-socket gets `invalid HTTP request size` and **500**
or **503**. The Glance admin guide's mod_proxy_uwsgi example (`uwsgi://` to
port 60999) next to its sample ini (`http-socket = 127.0.0.1:60999`) is this
mismatch. Measured on Apache 2.4.71 + uWSGI 2.0.21.

## Example
```apache
ProxyPass / uwsgi://127.0.0.1:60999/
```
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
```

## Use instead
```apache
ProxyPass / http://127.0.0.1:60999/ retry=0
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://httpd.apache.org/docs/2.4/mod/mod_proxy_uwsgi.html
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import backend_related


def check(model: Deployment):
    for route in model.routes:
        if route.bind is None:
            continue
        want = "uwsgi" if route.kind == "proxy_uwsgi" else "http"
        got = route.bind.protocol
        if got == want:
            continue
        what = "the uWSGI http router" if route.bind.router else f"uWSGI {route.bind.option.key}"
        fix = (f"use http://{route.bind.address}/ in ProxyPass" if got == "http"
               else f"use uwsgi://{route.bind.address}/ in ProxyPass, or serve it with http-socket")
        yield Hit(
            route.target_span(),
            f"{route.scheme}:// route to {what} on {route.bind.address}, which speaks {got}: "
            f"requests fail with {'502' if want == 'http' else '500/503'}",
            service=route.service,
            fix=fix,
            related=backend_related(route),
        )


RULE = Rule(
    id="WSG406",
    name="proxy-protocol-mismatch",
    severity=ERROR,
    summary="ProxyPass scheme and uWSGI socket protocol differ (uwsgi vs http)",
    fix="Pair uwsgi:// with uWSGI `socket`, and http:// with `http-socket` (or the `http` router)",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy_uwsgi.html",
    ),
    check=check,
    docs=__doc__,
)
