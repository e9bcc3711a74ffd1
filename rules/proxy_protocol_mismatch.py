"""A ProxyPass speaks one protocol, the uWSGI socket it reaches another.

## What it does
Finds `uwsgi://` routes that reach a uWSGI `http-socket` or `http` router, and
`http://` routes that reach a uWSGI `socket`/`uwsgi-socket` (uwsgi protocol).
The same for nginx: `uwsgi_pass` needs a uWSGI `socket`, `proxy_pass` an
`http-socket` (or the `http` router).

## Why is this bad?
The two ends cannot understand each other. HTTP arriving on a uwsgi socket is
read as a packet header: uWSGI logs `invalid request block size: 21573
(max 4096)...skip` ("GE" read as a size) and Apache answers **502**. The uwsgi
protocol arriving on an http-socket gets `invalid HTTP request size` and **500**
or **503**. The Glance admin guide's mod_proxy_uwsgi example (`uwsgi://` to
port 60999) next to its sample ini (`http-socket = 127.0.0.1:60999`) is this
mismatch. Measured on Apache 2.4.71 + uWSGI 2.0.21. nginx 1.22.1 answers
**502** both ways (`upstream prematurely closed connection while reading
response header from upstream`); `uwsgi_pass` to an http-socket first hangs
for uWSGI's `socket-timeout` (the http-socket waits for a header end the uwsgi
packet never has).

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
        want = route.protocol or "http"
        got = route.bind.protocol
        if got == want:
            continue
        what = "the uWSGI http router" if route.bind.router else f"uWSGI {route.bind.option.key}"
        if route.frontend == "nginx":
            fix = (f"use `proxy_pass http://{_nginx_target(route.bind.address)}`" if got == "http"
                   else f"use `uwsgi_pass {route.bind.address}`, or serve it with http-socket")
            status = "502"
        else:
            fix = (f"use http://{route.bind.address}/ in ProxyPass" if got == "http"
                   else f"use uwsgi://{route.bind.address}/ in ProxyPass, or serve it with http-socket")
            status = "502" if want == "http" else "500/503"
        label = route.directive.name if route.frontend == "nginx" else f"{route.scheme}://"
        yield Hit(
            route.target_span(),
            f"{label} route to {what} on {route.bind.address}, which speaks {got}: "
            f"requests fail with {status}",
            service=route.service,
            fix=fix,
            related=backend_related(route),
        )


def _nginx_target(address) -> str:
    """How proxy_pass names a uWSGI address (``unix:/path:`` for sockets)."""
    return f"unix:{address.path}:" if address.kind == "unix" else str(address)


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
