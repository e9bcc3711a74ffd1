"""`proxy_*` directives next to `uwsgi_pass` (or `uwsgi_*` next to `proxy_pass`) do nothing.

## What it does
In a location (or `if`) block that passes requests with `uwsgi_pass` and has
no `proxy_pass`, finds `proxy_*` directives; in one that uses `proxy_pass` and
no `uwsgi_pass`, finds `uwsgi_*` directives.

## Why is this bad?
Each module reads only its own settings: `proxy_set_header`,
`proxy_read_timeout` or `proxy_redirect` have no effect on a `uwsgi_pass`
request. The header is not sent, the timeout stays 60 s (504 on long
requests), and the configuration looks as if it were handled. Seen in real
configurations that moved from `proxy_pass` to `uwsgi_pass`.

## Example
```nginx
location / {
    proxy_read_timeout 600s;
    include uwsgi_params;
    uwsgi_pass unix:/run/uwsgi/app.sock;
}
```

## Use instead
```nginx
location / {
    uwsgi_read_timeout 600s;
    include uwsgi_params;
    uwsgi_pass unix:/run/uwsgi/app.sock;
}
```

## References
- https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment

_OTHER = {"nginx_uwsgi": ("proxy_", "uwsgi_pass", "proxy_pass"), "nginx_proxy": ("uwsgi_", "proxy_pass", "uwsgi_pass")}


def check(model: Deployment):
    seen: set[int] = set()
    for route in model.routes:
        spec = _OTHER.get(route.kind)
        block = route.directive.parent if route.frontend == "nginx" else None
        if spec is None or block is None or id(block) in seen:
            continue
        seen.add(id(block))
        prefix, used, other = spec
        if block.children_named(other):
            continue
        for d in block.children or ():
            if d.file != route.directive.file:
                continue  # from an included file (a stock uwsgi_params next to proxy_pass): not this block's text
            if d.key.startswith(prefix) and d.children is None and d.key != other:
                yield Hit(d.head_span, f"{d.name} has no effect here: this {block.name} passes requests "
                          f"with {used} (use the {used.split('_')[0]}_* directive instead)",
                          service=route.service)


RULE = Rule(
    id="WSG305",
    name="nginx-directive-family-ignored",
    severity=WARNING,
    summary="proxy_* directives in a uwsgi_pass location (or uwsgi_* with proxy_pass) are ignored",
    fix="Use the directive of the module that passes the request (uwsgi_read_timeout, uwsgi_param, ...)",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html",
    ),
    check=check,
    docs=__doc__,
)
