"""HTTP-router options on an instance that has no `http =` router do nothing.

## What it does
Finds options of uWSGI's `http` plugin (`http-chunked-input`, `http-raw-body`,
`http-auto-chunked`, `http-keepalive`, `http-timeout`, ...) in an instance
that has no `http =`/`https =` router, typically next to `http-socket`.

## Why is this bad?
Those options configure the HTTP router, a separate process that only exists
with `http =`. `http-socket` is handled by the workers themselves and ignores
them (it passes chunked bodies through raw: apps must call
`uwsgi.chunked_read()`). Measured on uWSGI 2.0.21: with
`http-socket` and `http-timeout = 1`, a request that takes 3 s still gets its
200, while the same option on an `http =` router cuts it after 1 s. The lines
mislead readers into thinking a limit or behaviour is configured. Glance's,
manila's, OSA's and devstack's samples carry them.

## Example
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
http-chunked-input = true
http-timeout = 300
```

## Use instead
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
```
(use `socket-timeout`/`harakiri` for worker-side limits).

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/plugins/http/http.c
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.knowledge import UWSGI_ROUTER_KEYS, uwsgi_known_options
from wsgilint.model.types import Deployment


def check(model: Deployment):
    if not model.uwsgi:  # the option table (a data file) only when there is uWSGI
        return
    known = uwsgi_known_options()
    for app in model.uwsgi:
        if any(b.router for b in app.binds) or app.config.has(*UWSGI_ROUTER_KEYS):
            continue
        for opt in app.config.options:
            if known.get(opt.key) == "http" and opt.key not in UWSGI_ROUTER_KEYS:
                yield Hit(opt.span, f"{opt.key} configures the `http =` router, which this instance does not "
                          f"run: no effect here", service=app.service)


RULE = Rule(
    id="WSG111",
    name="uwsgi-router-option-without-router",
    severity=INFO,
    summary="http-chunked-input, http-timeout etc. only affect the `http =` router, not http-socket",
    fix="Remove the option, or run the router (`http = ...`) if that is what you meant",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/plugins/http/http.c",
    ),
    check=check,
    docs=__doc__,
)
