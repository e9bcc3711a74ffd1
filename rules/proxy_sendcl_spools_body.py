"""mod_proxy_http with `proxy-sendcl` spools every chunked upload to disk first.

## What it does
Finds `SetEnv proxy-sendcl` applying to a `ProxyPass ... http://` route to uWSGI.

## Why is this bad?
With proxy-sendcl, mod_proxy_http reads the whole chunked body, writes it to a
temporary file under TMPDIR (usually /tmp, or httpd's PrivateTmp), and only then
sends it on with a Content-Length. It works for every app (measured: all 5 MiB
arrive), but a multi-GiB image upload fills the temp disk and delays the
request until the upload ends, which can trip timeouts.

## Example
```apache
SetEnv proxy-sendcl 1
ProxyPass /image http://127.0.0.1:60999 retry=0
```

## Use instead
For Glance (which reads chunked input itself under uWSGI):
```apache
SetEnv proxy-sendchunked 1
ProxyPass /image http://127.0.0.1:60999 retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy_http.html#env
- https://opendev.org/openstack/glance/commit/49207995e
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for route in model.routes:
        if route.kind != "proxy_http" or route.backend is None:
            continue
        d = route.env("proxy-sendcl")
        if d is None:
            continue
        yield Hit(
            d.span,
            f"proxy-sendcl makes Apache write each chunked body for {route.path} to a temporary file "
            f"in TMPDIR before sending it to uWSGI (disk space, and time before the app sees it)",
            service=route.service,
        )


RULE = Rule(
    id="WSG403",
    name="proxy-sendcl-spools-body",
    severity=INFO,
    summary="proxy-sendcl spools chunked bodies to TMPDIR before forwarding",
    fix="Use `SetEnv proxy-sendchunked 1` when the app reads chunked input (glance); "
        "otherwise make sure TMPDIR has room for the largest upload",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy_http.html#env",
        "https://opendev.org/openstack/glance/commit/49207995e",
    ),
    check=check,
    docs=__doc__,
)
