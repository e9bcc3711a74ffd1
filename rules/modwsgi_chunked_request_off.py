"""mod_wsgi serves an upload service without `WSGIChunkedRequest On`.

## What it does
Finds `WSGIScriptAlias` routes for services that take chunked uploads (glance
images, swift objects) where no `WSGIChunkedRequest On` applies (in the server,
the virtual host, or a `<Directory>`/`<Location>` covering the script), and
judges every way a chunked upload reaches the route, as
proxy-uwsgi-chunked-upload does: straight from clients or through a front end
that streams chunked bodies on, an error; only through front ends in the check
that read the whole body and send a Content-Length (nginx `proxy_pass` with its
default request buffering, in front of an Apache listening on loopback only),
nothing; through a hop that depends on an unknown nginx version, a warning
naming it.

## Why is this bad?
mod_wsgi rejects every request with `Transfer-Encoding: chunked` unless the
directive is on (default Off). glanceclient and the swift client stream uploads
chunked, so image uploads fail with **411 Length Required**, and the error log
says: `Received request requiring chunked transfer encoding, but optional
support for chunked transfer encoding has not been enabled.` Requests with a
Content-Length still work, which is why this passes casual testing.
Verified on Apache 2.4.71 + mod_wsgi 4.9.4 (tests/test_proof_apache.py).

Only a chunked body that reaches mod_wsgi is refused: behind nginx's default
`proxy_pass`, with Apache listening on loopback only, nginx sends the upload
with a Content-Length and it works (tests/test_proof_chain.py, nginx 1.22.1;
the same upload sent to Apache straight gets 411). This is quiet:
```nginx
server {
    listen 9292;
    location / { proxy_pass http://127.0.0.1:8292; }
}
```
```apache
Listen 127.0.0.1:8292
<VirtualHost *:8292>
    WSGIDaemonProcess glance-api processes=4 threads=1
    WSGIProcessGroup glance-api
    WSGIScriptAlias / /usr/local/bin/glance-wsgi-api
</VirtualHost>
```

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

## Fix (`--fix`, safe)
`wsgilint check --fix` adds `WSGIChunkedRequest On` on the line after the
`WSGIScriptAlias`, indented as it: the same section, so it covers the script (one line per
section when several aliases share it). Safe: it only lets through the chunked requests
mod_wsgi refused. Where a `WSGIChunkedRequest Off` applies, the edit turns that `Off` into
`On` instead, and is unsafe (someone wrote Off, and it may cover other scripts): applied only
with `--unsafe-fixes`. tests/test_fix_proof.py runs the fixed tree on the real Apache.

## References
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIChunkedRequest.html
- https://github.com/GrahamDumpleton/mod_wsgi/blob/develop/src/server/mod_wsgi.c
"""

from wsgilint.findings import ERROR, WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._chain import arrivals
from wsgilint.rules._edits import alone_on_line, insert_line_after, replace
from wsgilint.rules._helpers import cap_weak, is_upload, served_by


def _edits(route, off, added: dict) -> tuple:
    """The fix of one route: ``On`` for the ``Off`` that applies, else a line after the alias (one per section)."""
    if off is not None:
        arg = off.arg_span(0) if off.args else None
        if arg is None or arg.source.kind != "apache" or arg.text.lower() != "off":  # ${VAR}: not ours to edit
            return ()
        return (replace(arg, "On", safe=False),)
    span = route.span
    if span.source.kind != "apache" or not alone_on_line(span):
        return ()
    key = id(route.directive.parent) if route.directive.parent is not None else ("server", id(route.server))
    edit = added.get(key)
    if edit is None:
        edit = added[key] = insert_line_after(span, "WSGIChunkedRequest On")
    return (edit,)


def check(model: Deployment):
    added: dict = {}  # section -> its one inserted line
    reach = None
    for route in model.routes:
        if route.kind != "mod_wsgi" or not is_upload(model, route.service):
            continue
        d = route.setting("wsgichunkedrequest")
        if d is not None and d.args and d.args[0].lower() == "on":
            continue
        if reach is None:
            reach = arrivals(model)
        arrival = reach[id(route)]
        verdict = arrival.verdict
        if verdict == "dechunked":
            continue  # every way in reads the whole body and sends Content-Length: no chunked body arrives
        related = [Related(d.span, "WSGIChunkedRequest is Off here")] if d is not None else []
        if verdict == "undecided":
            hop = arrival.undecided
            yield cap_weak(route, Hit(
                route.span,
                f"mod_wsgi serves {served_by(route)} at {route.path} without WSGIChunkedRequest On, reached "
                f"through {hop.where()}: {hop.condition}; when it streams, chunked uploads get 411 Length Required",
                severity=WARNING,
                service=route.service,
                related=related + [Related(hop.route.span, f"{hop.where()}: {hop.why}")],
                edits=_edits(route, d, added),
            ))
            continue
        yield cap_weak(route, Hit(
            route.span,
            f"mod_wsgi serves {served_by(route)} at {route.path} without WSGIChunkedRequest On: "
            f"chunked uploads get 411 Length Required",
            service=route.service,
            related=related,
            edits=_edits(route, d, added),
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
    fixable="safe",
)
