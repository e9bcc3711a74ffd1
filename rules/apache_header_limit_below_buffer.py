"""Apache's header limit stays at 8190 bytes while uWSGI behind it takes larger headers.

## What it does
For keystone routes (large tokens, SAML/OIDC claims) that mod_proxy sends to a
scanned uWSGI whose `buffer-size` is above 8190, finds no `LimitRequestFieldSize`
(or one below that buffer-size) in the server or VirtualHost.

## Why is this bad?
Raising uWSGI's buffer-size (devstack, kolla and keystone's sample use 65535) is
done for large headers, but Apache checks every header line first against
`LimitRequestFieldSize`, 8190 bytes by default: a larger token or claim header
gets **400 Bad Request** from Apache and never reaches uWSGI; the error log
says `AH00561: Request header exceeds LimitRequestFieldSize: X-Auth-Token`
(measured on Apache 2.4.71 with uWSGI buffer-size 65535 and a 9000-byte
header). Informational: most deployments never send such headers.

## Example
```apache
ProxyPass /identity unix:/run/uwsgi/keystone.sock|uwsgi://uwsgi-uds-keystone/ retry=0
```
```ini
[uwsgi]
socket = /run/uwsgi/keystone.sock
buffer-size = 65535
```

## Use instead
```apache
LimitRequestFieldSize 65535
ProxyPass /identity unix:/run/uwsgi/keystone.sock|uwsgi://uwsgi-uds-keystone/ retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#limitrequestfieldsize
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
"""

from wsgilint.findings import INFO, Hit, Related, Rule
from wsgilint.knowledge import APACHE_LIMIT_REQUEST_FIELD_SIZE
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import profile
from wsgilint.rules._modwsgi import apache_routes
from wsgilint.numbers import parse_int


def _int(text: str) -> int | None:
    return parse_int(text, signed=True)  # ASCII digits only, never raises (wsgilint.numbers)


def check(model: Deployment):
    default = APACHE_LIMIT_REQUEST_FIELD_SIZE.value
    for route in apache_routes(model, ("proxy_uwsgi", "proxy_http")):
        prof = profile(model, route.service)
        if prof is None or not prof.large_headers or route.backend is None:
            continue
        size = route.backend.config.number("buffer-size")
        if size is None or size <= default:
            continue
        d = route.setting("limitrequestfieldsize")
        limit = _int(d.args[0]) if d is not None and d.args else default
        if limit is None or limit >= min(size, 65535):
            continue
        opt = route.backend.config.last("buffer-size")
        yield Hit(d.span if d is not None else route.span,
                  f"Apache rejects header lines over {limit} bytes (LimitRequestFieldSize"
                  f"{'' if d is not None else ' default'}) with 400 before {route.service}'s uWSGI, whose "
                  f"buffer-size is {size}: large tokens/claims never reach it",
                  service=route.service,
                  related=[Related(opt.span, f"buffer-size {size}")] if opt is not None else [])


RULE = Rule(
    id="WSG216",
    name="apache-header-limit-below-buffer",
    severity=INFO,
    summary="LimitRequestFieldSize (default 8190) below the uWSGI buffer-size behind it: large headers get 400",
    fix="Set `LimitRequestFieldSize 65535` (server or VirtualHost) in front of a keystone uWSGI with buffer-size 65535",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/core.html#limitrequestfieldsize",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
    ),
    check=check,
    docs=__doc__,
)
