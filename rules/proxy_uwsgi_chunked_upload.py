"""mod_proxy_uwsgi sits in front of a service that takes chunked uploads.

## What it does
Finds `ProxyPass ... uwsgi://` routes (including `unix:/path|uwsgi://name/`)
that serve glance or swift, and judges every way a chunked upload reaches the
route (the chain of front ends in the check, fronts of fronts included):
- straight from clients (the Apache listener is not on loopback only, or no
  front end in the check reaches it), or through a front end that streams
  chunked bodies on (nginx `proxy_pass` with `proxy_request_buffering off;
  proxy_http_version 1.1;`, Apache `ProxyPass http://`): an error;
- only through front ends that read the whole body and send a Content-Length
  (nginx `proxy_pass` with its default request buffering): nothing, Apache
  never sees a chunked body;
- through a hop whose behaviour depends on an nginx version the check does not
  know (buffering off, no `proxy_http_version`): a warning naming it.

## Why is this bad?
mod_proxy_uwsgi reads request bodies with `REQUEST_CHUNKED_ERROR`: every
chunked request is refused with **411 Length Required** before uWSGI sees it
(`AH01593: chunked Transfer-Encoding forbidden`). Image uploads from
glanceclient and chunked object PUTs fail.

Glance's current admin guide (openstack/glance@c76abb08e2:doc/source/admin/apache-httpd.rst)
recommends mod_proxy_uwsgi and says it fully supports chunked transfer encoding;
its older versions (Pike to Ussuri) suggested `SetEnv proxy-sendcl 1`. That
variable is read only by mod_proxy_http and mod_proxy_fcgi
(apache/httpd@f45abec1bd:modules/proxy/mod_proxy_http.c, mod_proxy_fcgi.c), so **it
has no effect here**: measured
on Apache 2.4.71, the chunked upload still gets 411 with it, and also with
uWSGI's `chunked-input-limit` raised. When the docs and the server disagree,
the server wins.

Only a chunked body that reaches Apache is refused: with nginx's default
`proxy_pass` in front of an Apache listening on loopback only, nginx reads the
upload whole and sends it with a Content-Length, and the upload works (measured
with nginx 1.22.1 in tests/test_proof_chain.py, where the same upload sent to
Apache straight gets 411). This is quiet:
```nginx
server {
    listen 9292;
    location /image { proxy_pass http://127.0.0.1:8292; }
}
```
```apache
Listen 127.0.0.1:8292
<VirtualHost *:8292>
    ProxyPass "/image" "unix:/run/uwsgi/glance-api.sock|uwsgi://glance-api/" retry=0
</VirtualHost>
```

## Example
```apache
ProxyPass /image unix:/run/uwsgi/glance-api.socket|uwsgi://glance-api/ retry=0
SetEnv proxy-sendcl 1
```

## Use instead
Proxy over HTTP to a uWSGI `http-socket` (what devstack does):
```apache
SetEnv proxy-sendchunked 1
ProxyPass /image http://127.0.0.1:60999 retry=0
```
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
module = glance.wsgi.api:application
```

## References
- https://github.com/apache/httpd/blob/2.4.x/modules/proxy/mod_proxy_uwsgi.c
- https://github.com/unbit/uwsgi/issues/1540
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
"""

from wsgilint.findings import ERROR, WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._chain import arrivals
from wsgilint.rules._helpers import backend_related, cap_weak, is_upload, served_by


def check(model: Deployment):
    reach = None
    for route in model.routes:
        if route.kind != "proxy_uwsgi" or not is_upload(model, route.service):
            continue
        if reach is None:
            reach = arrivals(model)
        arrival = reach[id(route)]
        verdict = arrival.verdict
        if verdict == "dechunked":
            continue  # every way in reads the whole body and sends Content-Length: no chunked body arrives
        sendcl = route.env("proxy-sendcl")
        note = " (SetEnv proxy-sendcl 1 does not change this: only mod_proxy_http reads it)" if sendcl else ""
        if verdict == "undecided":
            hop = arrival.undecided
            yield cap_weak(route, Hit(
                route.target_span(),
                f"mod_proxy_uwsgi answers 411 to every chunked request, and {served_by(route)} is reached "
                f"through {hop.where()}: {hop.condition}; when it streams, chunked uploads fail{note}",
                severity=WARNING,
                service=route.service,
                related=[Related(hop.route.span, f"{hop.where()}: {hop.why}")] + backend_related(route),
            ))
            continue
        yield cap_weak(route, Hit(
            route.target_span(),
            f"mod_proxy_uwsgi answers 411 to every chunked request, so chunked uploads to "
            f"{served_by(route)} fail{note}",
            service=route.service,
            related=backend_related(route),
        ))


RULE = Rule(
    id="WSG401",
    name="proxy-uwsgi-chunked-upload",
    severity=ERROR,
    summary="mod_proxy_uwsgi refuses chunked request bodies (411); upload services need mod_proxy_http",
    fix="Use `ProxyPass <path> http://127.0.0.1:PORT retry=0` with `SetEnv proxy-sendchunked 1`, "
        "and serve the app on a uWSGI `http-socket = 127.0.0.1:PORT`",
    references=(
        "https://github.com/apache/httpd/blob/2.4.x/modules/proxy/mod_proxy_uwsgi.c",
        "https://github.com/unbit/uwsgi/issues/1540",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
    ),
    check=check,
    docs=__doc__,
)
