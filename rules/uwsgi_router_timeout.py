"""The `http =` router cuts requests that take longer than `http-timeout` (default 60 s).

## What it does
Finds uWSGI instances with an `http =` router and no `http-timeout`. It is a
**warning** when the instance lets requests run longer than that
(`harakiri` above 60), **info** otherwise.

## Why is this bad?
The router waits at most `http-timeout` seconds (default 60) for the worker
to answer, then closes the client connection **without any response**
(curl: "Empty reply from server"; Apache in front answers 502). Measured on
uWSGI 2.0.21 with `http-timeout = 1`: a 3-second request gets no answer after
1 s, while the worker goes on. Long glance image operations and keystone calls
to a slow LDAP take longer than 60 s. Kolla uses `http =` without
`http-timeout`.

## Example
```ini
[uwsgi]
http = 127.0.0.1:9292
harakiri = 600
```

## Use instead
```ini
[uwsgi]
http = 127.0.0.1:9292
harakiri = 600
http-timeout = 600
```

## Your own apps (`long-requests`)
When the app declares `long-requests` in `[tool.wsgilint.apps.NAME]` (README "Apps that are
not OpenStack"), the router's `http-timeout` (set, or the 60 s default) is judged against it:
below it is a **warning** naming it and the config file (also when `http-timeout` is set);
at or above it is quiet.

## References
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/plugins/http/http.c
- https://uwsgi-docs.readthedocs.io/en/latest/HTTP.html
"""

from wsgilint.findings import INFO, WARNING, Hit, Rule
from wsgilint.knowledge import UWSGI_DEFAULTS
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import long_requests


def check(model: Deployment):
    default = UWSGI_DEFAULTS["http-timeout"].value
    for app in model.uwsgi:
        routers = [b for b in app.binds if b.router]
        if not routers:
            continue
        need = long_requests(model, app.service)
        if need is not None:  # the user's long-requests: judge the router's timeout (set or default) against it
            opt = app.config.last("http-timeout")
            if opt is not None and opt.dynamic:
                continue
            value = app.config.number("http-timeout") if opt is not None else default
            if value is None or value >= need[0]:
                continue
            what = f"http-timeout {value}" if opt is not None else f"http-timeout {default}s (the default)"
            yield Hit(opt.span if opt is not None else routers[0].option.span,
                      f"the http router on {routers[0].address} closes the connection without a response after "
                      f"{what}, below the {need[1]}", severity=WARNING, service=app.service)
            continue
        if app.config.has("http-timeout"):
            continue
        harakiri = app.config.number("harakiri")
        longer = harakiri is not None and harakiri > default
        why = (f"harakiri {harakiri} lets requests run longer, but " if longer else "")
        yield Hit(routers[0].option.span,
                  f"{why}the http router on {routers[0].address} closes the connection without a response "
                  f"after http-timeout {default}s (the default)", severity=WARNING if longer else INFO,
                  service=app.service)


RULE = Rule(
    id="WSG112",
    name="uwsgi-router-timeout",
    severity=INFO,
    summary="`http =` router without http-timeout: requests over 60 s get no response",
    fix="Set `http-timeout` to the longest request you expect (at least harakiri)",
    references=(
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/plugins/http/http.c",
        "https://uwsgi-docs.readthedocs.io/en/latest/HTTP.html",
    ),
    check=check,
    docs=__doc__,
)
