"""Chunked uploads reach uWSGI still chunked, for an app that cannot read them.

## What it does
Finds `ProxyPass ... http://` routes to uWSGI for upload services whose app
does not read chunked input itself (for example swift), with no `proxy-sendcl`.

## Why is this bad?
Without `proxy-sendcl`, mod_proxy_http forwards a chunked body as it came.
uWSGI's http-socket passes it through; an app that only honours
CONTENT_LENGTH reads 0 bytes, uWSGI resets the connection and Apache answers
**502** (`AH01097: pass request body failed`). Measured on Apache 2.4.71 +
uWSGI 2.0.21. Glance copes because it reads with `uwsgi.chunked_read()`.

## Example
```apache
ProxyPass /object-store http://127.0.0.1:8080 retry=0
```

## Use instead
```apache
SetEnv proxy-sendcl 1
ProxyPass /object-store http://127.0.0.1:8080 retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy_http.html#env
- https://uwsgi-docs.readthedocs.io/en/latest/Chunked.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import backend_related, profile, served_by


def check(model: Deployment):
    for route in model.routes:
        if route.kind != "proxy_http" or route.backend is None:
            continue
        prof = profile(route.service)
        if prof is None or not prof.upload or prof.reads_chunked_itself:
            continue
        if route.env("proxy-sendcl") is not None:
            continue
        yield Hit(
            route.target_span(),
            f"chunked uploads to {served_by(route)} reach uWSGI still chunked and the app reads only "
            f"CONTENT_LENGTH: it gets 0 bytes and Apache answers 502",
            service=route.service,
            related=backend_related(route),
        )


RULE = Rule(
    id="WSG404",
    name="proxy-http-chunked-body",
    severity=WARNING,
    summary="A chunked body passed through to an app that does not read chunked input",
    fix="Add `SetEnv proxy-sendcl 1` for this route (Apache then sends a Content-Length)",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy_http.html#env",
        "https://uwsgi-docs.readthedocs.io/en/latest/Chunked.html",
    ),
    check=check,
    docs=__doc__,
)
