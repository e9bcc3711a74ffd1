"""mod_wsgi serves an upload service without `WSGIChunkedRequest On`.

## What it does
Finds `WSGIScriptAlias` routes for services that take chunked uploads (glance
images, swift objects) where no `WSGIChunkedRequest On` applies (in the server,
the virtual host, or a `<Directory>`/`<Location>` covering the script).

## Why is this bad?
mod_wsgi rejects every request with `Transfer-Encoding: chunked` unless the
directive is on (default Off). glanceclient and the swift client stream uploads
chunked, so image uploads fail with **411 Length Required**, and the error log
says: `Received request requiring chunked transfer encoding, but optional
support for chunked transfer encoding has not been enabled.` Requests with a
Content-Length still work, which is why this passes casual testing.
Verified on Apache 2.4.71 + mod_wsgi 4.9.4 (tests/test_proof_modwsgi.py).

## Example
```apache
<VirtualHost *:9292>
    WSGIDaemonProcess glance-api processes=4 threads=1
    WSGIProcessGroup glance-api
    WSGIScriptAlias / /usr/local/bin/glance-wsgi-api
</VirtualHost>
```

## Use instead
```apache
<VirtualHost *:9292>
    WSGIDaemonProcess glance-api processes=4 threads=1
    WSGIProcessGroup glance-api
    WSGIScriptAlias / /usr/local/bin/glance-wsgi-api
    WSGIChunkedRequest On
</VirtualHost>
```

## References
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIChunkedRequest.html
- https://github.com/GrahamDumpleton/mod_wsgi/blob/develop/src/server/mod_wsgi.c
"""

from wsgilint.findings import ERROR, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import cap_weak, is_upload, served_by


def check(model: Deployment):
    for route in model.routes:
        if route.kind != "mod_wsgi" or not is_upload(model, route.service):
            continue
        d = route.setting("wsgichunkedrequest")
        if d is not None and d.args and d.args[0].lower() == "on":
            continue
        related = [Related(d.span, "WSGIChunkedRequest is Off here")] if d is not None else []
        yield cap_weak(route, Hit(
            route.span,
            f"mod_wsgi serves {served_by(route)} at {route.path} without WSGIChunkedRequest On: "
            f"chunked uploads get 411 Length Required",
            service=route.service,
            related=related,
        ))


RULE = Rule(
    id="WSG201",
    name="modwsgi-chunked-request-off",
    severity=ERROR,
    summary="mod_wsgi rejects chunked uploads (411) unless WSGIChunkedRequest is On",
    fix="Add `WSGIChunkedRequest On` to the VirtualHost that holds the WSGIScriptAlias",
    references=(
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIChunkedRequest.html",
        "https://github.com/GrahamDumpleton/mod_wsgi/blob/develop/src/server/mod_wsgi.c",
    ),
    check=check,
    docs=__doc__,
)
