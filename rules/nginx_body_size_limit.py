"""nginx refuses uploads over `client_max_body_size` (default 1m) in front of glance or swift.

## What it does
For nginx `uwsgi_pass`/`proxy_pass` routes that serve glance or swift, finds a
`client_max_body_size` (inherited from `http` and `server` when the location
does not set one) that is neither `0` (no limit) nor at least 1 GiB, including
the case where none is set at all and nginx's default of 1m applies.

## Why is this bad?
nginx checks the limit itself, before the application sees a byte: every image
or object upload over the limit gets **413 Request Entity Too Large**, whether
the client sends a Content-Length (`client intended to send too large body`) or
chunks (`client intended to send too large chunked body`), and whatever
`uwsgi_request_buffering`/`proxy_request_buffering` say. Measured on nginx
1.22.1 with uWSGI 2.0.21: a 5 MiB upload gets 413 with the default and 200 with
`client_max_body_size 0` (tests/test_proof_nginx.py).

## Example
```nginx
server {
    listen 9292;
    location / {
        include uwsgi_params;
        uwsgi_pass unix:/run/uwsgi/glance-api.socket;
    }
}
```

## Use instead
```nginx
server {
    listen 9292;
    client_max_body_size 0;
    location / {
        include uwsgi_params;
        uwsgi_pass unix:/run/uwsgi/glance-api.socket;
    }
}
```

## Fix (`--fix --unsafe-fixes`)
`wsgilint check --fix --unsafe-fixes` sets `client_max_body_size 0;` (no limit, as the
Example above and the real-server proof use) for the route only: the value of a
`client_max_body_size` in the route's own `location` becomes `0`, else the line
`client_max_body_size 0;` is added after the `uwsgi_pass`/`proxy_pass` (same block and
indentation; not when other directives share its line). Unsafe: it removes a limit, which
is a choice about abuse (an upper bound such as `10G` may be wanted); plain `--fix` leaves it.

## Your own apps (`max-body`)
When the route's app declares `max-body` in `[tool.wsgilint.apps.NAME]` (README "Apps that
are not OpenStack"), the limit is judged against it instead of 1 GiB, for any such app:
a `client_max_body_size` (or the 1m default) below `max-body` is reported with both values
and the config file that declares it; one at or above it is quiet, whatever its size.

## Known problems
Without a `max-body`, a limit of 1 GiB or more is taken as deliberate (it still refuses larger images).

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size
- https://docs.openstack.org/glance/latest/admin/apache-httpd.html
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._edits import alone_on_line, insert_line_after, replace
from wsgilint.rules._helpers import cap_weak, is_upload, max_body, served_by


def _edits(route, where) -> tuple:
    """``client_max_body_size 0;`` for this route: in its own block (a value replaced, or a line added)."""
    if where is not None and where.parent is route.directive.parent:
        span = where.arg_span(0)
        if span.source.kind != "nginx" or where.args[0] != span.text:
            return ()
        return (replace(span, "0", safe=False),)
    span = route.span
    if span.source.kind != "nginx" or route.directive.parent is None or not alone_on_line(span):
        return ()
    for scope in route.directive.parent.children or ():  # one added line per block
        if scope.key == "client_max_body_size":
            return ()
    return (insert_line_after(span, "client_max_body_size 0;", safe=False),)

ENOUGH = 1024 ** 3  # 1 GiB: below this an ordinary image upload is refused


def check(model: Deployment):
    if not model.nginx:  # the nginx model helpers are imported only when there is nginx
        return
    from wsgilint.model.build_nginx import parse_size, setting_value
    for route in model.routes:
        if route.frontend != "nginx":
            continue
        need = max_body(model, route.service)  # the user's max-body wins over ENOUGH, either way
        if need is None and not is_upload(model, route.service):
            continue
        value, where = setting_value(route, "client_max_body_size")
        size = parse_size(value)
        if size is None or size == 0 or size >= (need[0] if need is not None else ENOUGH):
            continue
        if need is not None:
            what = (f"no client_max_body_size for {served_by(route)}: nginx's default 1m" if where is None
                    else f"client_max_body_size {value} for {served_by(route)}")
            yield cap_weak(route, Hit(route.span if where is None else where.arg_span(0),
                                      f"{what} is below the {need[1]}: nginx answers 413 to bodies over "
                                      f"{'1 MiB' if where is None else value}", service=route.service,
                                      edits=_edits(route, where)))
            continue
        if where is None:
            yield cap_weak(route, Hit(route.span, f"no client_max_body_size for {served_by(route)}: nginx's default "
                                  f"1m answers 413 to every upload over 1 MiB", service=route.service,
                                  edits=_edits(route, where)))
        else:
            yield cap_weak(route, Hit(where.arg_span(0), f"client_max_body_size {value} for {served_by(route)}: "
                                  f"nginx answers 413 to every upload over it", service=route.service,
                                  edits=_edits(route, where)))


RULE = Rule(
    id="WSG301",
    name="nginx-body-size-limit",
    severity=ERROR,
    summary="client_max_body_size (default 1m) makes nginx refuse image/object uploads with 413",
    fix="Set `client_max_body_size 0;` in the server (or location) that proxies glance or swift",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size",
        "https://docs.openstack.org/glance/latest/admin/apache-httpd.html",
    ),
    check=check,
    docs=__doc__,
    fixable="unsafe",
)
