"""nginx writes upload bodies to a temporary file before glance or swift sees them.

## What it does
For nginx routes that serve glance or swift, finds:
- `uwsgi_pass` routes: with `uwsgi_request_buffering on` (the default) every
  body is read whole into `client_body_temp_path` first; with it `off`, bodies
  sent with Content-Length stream, but **chunked bodies are still spooled**;
- `proxy_pass` routes without both `proxy_request_buffering off` and
  HTTP/1.1 to the upstream: `proxy_http_version 1.1`, which is the default from
  nginx 1.29.7 on (1.30.0 stable). With the nginx version given
  (`--nginx-version`) or read from the tree, a 1.29.7+ nginx needs only
  `proxy_request_buffering off`; with it unknown, the message says which
  versions need the directive.

## Why is this bad?
A 10 GiB image is first written to nginx's disk (`a client request body is
buffered to a temporary file`), then sent to the backend: the upload needs that
much free space on the proxy, takes twice as long, and the client's progress
ends long before glance starts storing. Measured on nginx 1.22.1: with
`uwsgi_request_buffering off` a chunked 5 MiB upload is still buffered to a
temporary file, a Content-Length one is not.

## Example
```nginx
location / {
    client_max_body_size 0;
    include uwsgi_params;
    uwsgi_pass unix:/run/uwsgi/glance-api.socket;
}
```

## Use instead
```nginx
location / {
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_http_version 1.1;
    proxy_pass http://127.0.0.1:60999;
}
```
with `http-socket = 127.0.0.1:60999` in the uWSGI ini.

## References
- https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_request_buffering
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_request_buffering
- https://github.com/unbit/uwsgi/issues/2140
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import NGINX_PROXY_HTTP11_DEFAULT_SINCE, version_text
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import is_upload, served_by


def check(model: Deployment):
    if not model.nginx:  # the nginx model helpers are imported only when there is nginx
        return
    from wsgilint.model.build_nginx import setting_value
    have = model.targets.version("nginx")
    http11_default = have is not None and have >= NGINX_PROXY_HTTP11_DEFAULT_SINCE
    for route in model.routes:
        if route.frontend != "nginx" or not is_upload(model, route.service):
            continue
        if route.kind == "nginx_uwsgi":
            value, _ = setting_value(route, "uwsgi_request_buffering")
            if value.lower() == "off":
                msg = (f"uwsgi_pass to {served_by(route)} spools chunked uploads to a temporary file even "
                       f"with uwsgi_request_buffering off")
            else:
                msg = f"uwsgi_pass to {served_by(route)} spools every upload to a temporary file first"
            yield Hit(route.span, msg, service=route.service)
        elif route.kind == "nginx_proxy":
            buffering, _ = setting_value(route, "proxy_request_buffering")
            version, set_at = setting_value(route, "proxy_http_version")
            if set_at is None:
                version = ""  # the default depends on the nginx version (NGINX_PROXY_HTTP11_DEFAULT_SINCE)
            missing = []
            if buffering.lower() != "off":
                missing.append("proxy_request_buffering off")
            if version == "1.0" or (not version and not http11_default):
                if have is None and not version:
                    missing.append(f"proxy_http_version 1.1 before nginx "
                                   f"{version_text(NGINX_PROXY_HTTP11_DEFAULT_SINCE)}, whose default it is; "
                                   f"{model.targets.describe('nginx')}")
                else:
                    missing.append("proxy_http_version 1.1")
            if missing:
                yield Hit(route.span, f"proxy_pass to {served_by(route)} spools uploads to a temporary file "
                          f"(needs {' and '.join(missing)} to stream them)", service=route.service)


RULE = Rule(
    id="WSG302",
    name="nginx-upload-spooled",
    severity=WARNING,
    summary="nginx buffers glance/swift uploads to disk before passing them on",
    fix="Use `proxy_pass` to a uWSGI http-socket with `proxy_request_buffering off; proxy_http_version 1.1;`",
    references=(
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_request_buffering",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_request_buffering",
        "https://github.com/unbit/uwsgi/issues/2140",
    ),
    check=check,
    docs=__doc__,
)
