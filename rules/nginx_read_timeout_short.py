"""nginx gives up on glance or swift after `uwsgi_read_timeout`/`proxy_read_timeout` (default 60 s).

## What it does
For nginx routes that serve glance or swift, finds a read timeout of the
directive family the route uses (`uwsgi_read_timeout` for `uwsgi_pass`,
`proxy_read_timeout` for `proxy_pass`) of 60 seconds or less, including none
at all (nginx's default is 60 s).

## Why is this bad?
The timeout runs between two reads from the backend. After nginx has handed
over a large upload, glance writes the image to its store (or swift to its
disks) before answering: if that takes longer than the timeout, nginx closes
the connection and the client gets **504 Gateway Time-out** although the
upload succeeds or keeps running behind it.

## Example
```nginx
location / {
    client_max_body_size 0;
    uwsgi_pass unix:/run/uwsgi/glance-api.socket;
}
```

## Use instead
```nginx
location / {
    client_max_body_size 0;
    uwsgi_read_timeout 600s;
    uwsgi_pass unix:/run/uwsgi/glance-api.socket;
}
```

## Your own apps (`long-requests`)
When the route's app declares `long-requests` in `[tool.wsgilint.apps.NAME]` (README "Apps
that are not OpenStack"), the read timeout (or the 60 s default) is judged against it instead
of 60 s, for any such app: below it is reported naming it and the config file; at or above it
is quiet.

## References
- https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_read_timeout
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import is_upload, long_requests, served_by

DEFAULT = 60.0
_KEY = {"nginx_uwsgi": "uwsgi_read_timeout", "nginx_proxy": "proxy_read_timeout"}


def check(model: Deployment):
    if not model.nginx:  # the nginx model helpers are imported only when there is nginx
        return
    from wsgilint.model.build_nginx import parse_time, setting_value
    for route in model.routes:
        key = _KEY.get(route.kind)
        if key is None:
            continue
        need = long_requests(model, route.service)  # the user's long-requests wins over 60 s, either way
        if need is None and not is_upload(model, route.service):
            continue
        value, where = setting_value(route, key)
        seconds = parse_time(value)
        if seconds is None or (seconds >= need[0] if need is not None else seconds > DEFAULT):
            continue
        if need is not None:
            what = f"no {key} for {served_by(route)}: nginx's default 60s" if where is None else \
                f"{key} {value} for {served_by(route)}"
            yield Hit(route.span if where is None else where.arg_span(0),
                      f"{what} is below the {need[1]}: a request whose answer takes longer becomes 504",
                      service=route.service)
            continue
        if where is None:
            yield Hit(route.span, f"no {key} for {served_by(route)}: nginx's default 60s turns a slow "
                      f"upload answer into 504", service=route.service)
        else:
            yield Hit(where.arg_span(0), f"{key} {value} for {served_by(route)}: a slow upload answer "
                      f"becomes 504", service=route.service)


RULE = Rule(
    id="WSG303",
    name="nginx-read-timeout-short",
    severity=WARNING,
    summary="uwsgi_read_timeout/proxy_read_timeout of 60 s (the default) cuts long glance/swift requests",
    fix="Set `uwsgi_read_timeout 600s;` (or `proxy_read_timeout 600s;` for proxy_pass) for the service",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_read_timeout",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
    ),
    check=check,
    docs=__doc__,
)
