"""Apache gives up on an upload service's responses too early.

## What it does
For routes serving glance or swift, finds `Timeout`, `ProxyTimeout` or the
ProxyPass `timeout=` parameter set below 60 seconds (Apache's default).

## Why is this bad?
These timeouts bound how long Apache waits for the application's response
(mod_wsgi daemon mode uses `Timeout` for the same wait). Image creation and
large object PUTs can take longer than a short timeout after the last byte is
sent: the client gets **504 Gateway Timeout** (mod_wsgi: "Timeout when reading
response headers from daemon process") or **502/500** (mod_proxy), while the
backend keeps working. Measured on Apache 2.4.71 with Timeout 2 and a 5 s
request. Note: the body upload itself is not cut (each read resets the timer).

## Example
```apache
Timeout 30
ProxyPass /image http://127.0.0.1:60999 retry=0
```

## Use instead
```apache
Timeout 300
ProxyPass /image http://127.0.0.1:60999 retry=0 timeout=600
```

## Your own apps (`long-requests`)
When the route's app declares `long-requests` in `[tool.wsgilint.apps.NAME]` (README "Apps
that are not OpenStack"), these timeouts are judged against it instead of 60 s, for any such
app: one below it is reported naming it and the config file; at or above it is quiet. Only
timeouts the files set are judged (a tree without the main `apache2.conf` does not say which
`Timeout` applies).

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#timeout
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxytimeout
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.knowledge import THRESHOLDS
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import is_upload, long_requests, served_by
from wsgilint.numbers import parse_int


def _seconds(text: str) -> int | None:
    return parse_int(text, signed=True)  # ASCII digits only, never raises (wsgilint.numbers)


def check(model: Deployment):
    reported = set()
    for route in model.routes:
        need = long_requests(model, route.service)  # the user's long-requests wins over 60 s, either way
        if need is None and not is_upload(model, route.service):
            continue
        limit = need[0] if need is not None else THRESHOLDS.response_timeout
        candidates = []
        t = route.setting("timeout")
        if t is not None and t.args:
            candidates.append((t, "Timeout", _seconds(t.args[0])))
        if route.kind != "mod_wsgi":
            pt = route.setting("proxytimeout")
            if pt is not None and pt.args:
                candidates.append((pt, "ProxyTimeout", _seconds(pt.args[0])))
            if "timeout" in route.params:
                candidates.append((route.directive, "ProxyPass timeout=", _seconds(route.params["timeout"])))
        for d, what, secs in candidates:
            if secs is None or secs >= limit or (id(d), what) in reported:
                continue
            reported.add((id(d), what))
            why = (f"{limit}s, the {need[1]}, for {served_by(route)}: requests that take longer"
                   if need is not None else f"{limit}s for {served_by(route)}: long image/object requests")
            yield Hit(d.span,
                      f"{what} {secs}s is below {why} end in 504/502 while the backend keeps working",
                      service=route.service,
                      related=[Related(route.span, "the route it applies to")] if d is not route.directive else [])


RULE = Rule(
    id="WSG205",
    name="apache-timeout-short",
    severity=WARNING,
    summary="Timeout/ProxyTimeout/timeout= under 60 s on an upload service route",
    fix="Raise Timeout (and ProxyTimeout or ProxyPass timeout=) to at least 60 s; 300+ for large images",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/core.html#timeout",
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxytimeout",
    ),
    check=check,
    docs=__doc__,
)
