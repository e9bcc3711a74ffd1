"""Chunked uploads reach uWSGI still chunked, for an app that cannot read them.

## What it does
Finds `ProxyPass ... http://` routes (and nginx `proxy_pass` routes) to uWSGI
for upload services whose app does not read chunked input itself (for example
swift), through which a chunked body reaches uWSGI still chunked: Apache
without `proxy-sendcl`, nginx with `proxy_request_buffering off` and HTTP/1.1
to the upstream. A route reached only through a front end that reads the whole
body and sends a Content-Length (nginx `proxy_pass` with request buffering on,
the default, in front of Apache) is left alone; the message names each hop.

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
        if route.kind not in ("proxy_http", "nginx_proxy") or route.backend is None or route.hop is None:
            continue
        prof = profile(model, route.service)
        if prof is None or not prof.upload or prof.reads_chunked_itself:
            continue
        chains = route.chains()
        streamed = [c for c in chains if c.dechunker() is None and c.undecided() is None]
        undecided = [c for c in chains if c.undecided() is not None]
        if not streamed and not undecided:
            continue  # every way in sends a Content-Length (proxy-sendcl, nginx request buffering)
        tail = "Apache answers 502" if route.frontend == "apache" else "the upload is lost"
        chain = (streamed or undecided)[0]
        through = "" if len(chain.hops) == 1 else f" (through {chain.describe()})"
        hit = Hit(
            route.target_span(),
            f"chunked uploads to {served_by(route)} reach uWSGI still chunked{through} and the app reads only "
            f"CONTENT_LENGTH: it gets 0 bytes and {tail}",
            service=route.service,
            related=backend_related(route),
        )
        if not streamed:
            hop = chain.undecided()
            hit.message += f" (when {hop.where()} streams: {hop.condition})"
        if route.frontend == "nginx":
            hit.fix = "Leave nginx's request buffering on (remove `proxy_request_buffering off`): nginx then " \
                      "sends a Content-Length"
        yield hit


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
