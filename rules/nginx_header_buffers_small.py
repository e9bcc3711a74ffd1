"""nginx's `large_client_header_buffers` (default 4 8k) in front of keystone.

## What it does
For nginx routes that serve keystone, finds a `large_client_header_buffers`
(set in `server` or `http`) whose buffer size is under 16k, or none (the
default `4 8k`).

## Why is this bad?
One request header line must fit in one buffer. Keystone requests can carry
very large headers (PKI tokens, SAML or OIDC claims passed on by a federation
module, long `X-Subject-Token` values); a header over 8 KiB gets **400 Request
Header Or Cookie Too Large** from nginx before keystone sees it.

## Example
```nginx
server {
    listen 5000;
    location / { uwsgi_pass 127.0.0.1:5001; }
}
```

## Use instead
```nginx
server {
    listen 5000;
    large_client_header_buffers 4 32k;
    location / { uwsgi_pass 127.0.0.1:5001; }
}
```
and a uWSGI `buffer-size` at least as large.

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers
- https://docs.openstack.org/keystone/latest/admin/federation/configure_federation.html
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import profile, served_by

ENOUGH = 16 * 1024


def check(model: Deployment):
    if not model.nginx:  # the nginx model helpers are imported only when there is nginx
        return
    from wsgilint.model.build_nginx import parse_size, setting_value
    seen: set[int] = set()  # one finding per server block (or per directive), not per location
    for route in model.routes:
        prof = profile(model, route.service)
        if route.frontend != "nginx" or prof is None or not prof.large_headers:
            continue
        value, where = setting_value(route, "large_client_header_buffers")
        key = id(where) if where is not None else id(route.vhost)
        if key in seen:
            continue
        seen.add(key)
        parts = value.split()
        size = parse_size(parts[1]) if len(parts) == 2 else None
        if size is None or size >= ENOUGH:
            continue
        if where is None:
            yield Hit(route.span, f"no large_client_header_buffers for {served_by(route)}: nginx's default "
                      f"4 8k answers 400 to any header line over 8 KiB", service=route.service)
        else:
            yield Hit(where.arg_span(1), f"large_client_header_buffers {value} for {served_by(route)}: "
                      f"header lines over {parts[1]} get 400", service=route.service)


RULE = Rule(
    id="WSG304",
    name="nginx-header-buffers-small",
    severity=INFO,
    summary="large_client_header_buffers under 16k (default 4 8k) in front of keystone",
    fix="Set `large_client_header_buffers 4 32k;` in the server block (and a uWSGI buffer-size to match)",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers",
        "https://docs.openstack.org/keystone/latest/admin/federation/configure_federation.html",
    ),
    check=check,
    docs=__doc__,
)
