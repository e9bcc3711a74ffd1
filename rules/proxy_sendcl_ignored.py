"""`SetEnv proxy-sendcl` on a route that mod_proxy_uwsgi serves does nothing.

## What it does
Finds `SetEnv proxy-sendcl` (or `proxy-sendchunked`) that applies to a
`ProxyPass ... uwsgi://` route. A SetEnv that also reaches a mod_proxy_http
route (one server-scope file shared by both, as devstack writes them) works
there and is not reported.

## Why is this bad?
Glance's admin guide from Pike to Ussuri recommended `SetEnv proxy-sendcl 1`
to make chunked uploads work behind Apache (removed in July 2020,
openstack/glance@785eefcf78, glance 21.0.0), and the line lives on in many
deployments. Only mod_proxy_http (mod_proxy_http.c) and
mod_proxy_fcgi read that variable; mod_proxy_uwsgi never does, and keeps
answering **411 Length Required** to chunked requests. Measured on Apache
2.4.71: identical 411 with and without it. The line gives false confidence.

## Example
```apache
SetEnv proxy-sendcl 1
ProxyPass /image uwsgi://127.0.0.1:60999/
```

## Use instead
```apache
SetEnv proxy-sendchunked 1
ProxyPass /image http://127.0.0.1:60999 retry=0
```
with uWSGI serving `http-socket = 127.0.0.1:60999`.

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy_http.html#env
- https://github.com/apache/httpd/blob/2.4.x/modules/proxy/mod_proxy_uwsgi.c
- https://docs.openstack.org/glance/latest/admin/apache-httpd.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    # A SetEnv that also reaches a mod_proxy_http route works there (devstack's glance-api.conf at
    # server scope covers cinder's uwsgi:// route too): not misleading, so not reported.
    seen = {id(d) for route in model.routes if route.kind == "proxy_http"
            for d in (route.env("proxy-sendcl"), route.env("proxy-sendchunked")) if d is not None}
    for route in model.routes:
        if route.kind != "proxy_uwsgi":
            continue
        for var in ("proxy-sendcl", "proxy-sendchunked"):
            d = route.env(var)
            if d is None or id(d) in seen:  # directives compare by identity
                continue
            seen.add(id(d))
            yield Hit(
                d.span,
                f"SetEnv {var} has no effect on mod_proxy_uwsgi (only mod_proxy_http reads it); "
                f"the route to {route.target} still answers 411 to chunked requests",
                service=route.service,
                related=[Related(route.span, "the mod_proxy_uwsgi route it is meant for")],
            )


RULE = Rule(
    id="WSG402",
    name="proxy-sendcl-ignored",
    severity=WARNING,
    summary="SetEnv proxy-sendcl/proxy-sendchunked does nothing for mod_proxy_uwsgi",
    fix="Proxy with mod_proxy_http (`http://`) to a uWSGI http-socket, where proxy-sendchunked works; "
        "or remove the misleading SetEnv",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy_http.html#env",
        "https://github.com/apache/httpd/blob/2.4.x/modules/proxy/mod_proxy_uwsgi.c",
        "https://docs.openstack.org/glance/latest/admin/apache-httpd.html",
    ),
    check=check,
    docs=__doc__,
)
