"""uWSGI's `http` router serves an upload service without `http-chunked-input`.

## What it does
Finds uWSGI instances with an `http =` router (the HTTP router plugin, a
separate process in front of the workers) that serve glance or swift, without
`http-chunked-input` (or `http-raw-body`). A router that requests reach only
through front ends that read the whole body and send a Content-Length (nginx
`proxy_pass` with request buffering on, nginx `uwsgi_pass`, Apache with
`proxy-sendcl`) never sees a chunked body and is left alone.

## Why is this bad?
The router does not pass chunked request bodies on by default. The app reads
**0 bytes and answers 200**: silent data loss. Glance's `uwsgi.chunked_read()`
waits `socket-timeout` seconds, then fails with "unable to receive chunked
part"; an app that reads CONTENT_LENGTH just sees an empty body. Measured on
uWSGI 2.0.21, directly and behind mod_proxy_http.

Note that `http-socket` (no router) does not decode chunked bodies either: it
passes them to the worker still chunked (uWSGI 2.0.x proto/http.c has no
Transfer-Encoding handling), so only apps that call `uwsgi.chunked_read()`
(glance) can read them (WSG404); the `http-chunked-input` option does nothing
there.

## Example
```ini
[uwsgi]
http = 127.0.0.1:60999
module = glance.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
http = 127.0.0.1:60999
http-chunked-input = true
module = glance.wsgi.api:application
```
or serve with `http-socket = 127.0.0.1:60999` (no router).

## References
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/plugins/http/http.c
- https://opendev.org/openstack/kolla-ansible/src/branch/master/releasenotes/notes/uwsgi-chunked-input-8b15b1c77f093332.yaml
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._chain import only_dechunked
from wsgilint.rules._helpers import is_upload


def check(model: Deployment):
    for app in model.uwsgi:
        if not is_upload(model, app.service):
            continue
        routers = [b for b in app.binds if b.router]
        if not routers:
            continue
        if app.config.flag("http-chunked-input") or app.config.flag("http-raw-body"):
            continue
        for b in routers:
            if only_dechunked(model, [b])[0]:
                continue  # only reached through hops that send Content-Length: the router never sees chunks
            yield Hit(b.option.span,
                      f"the uWSGI http router on {b.address} drops chunked bodies for {app.service} "
                      f"(known from {app.service_reason}): uploads read 0 bytes and still get 200",
                      service=app.service)


RULE = Rule(
    id="WSG101",
    name="uwsgi-router-chunked-input",
    severity=ERROR,
    summary="uWSGI http router without http-chunked-input: chunked uploads silently read 0 bytes",
    fix="Add `http-chunked-input = true` next to `http =`, or use `http-socket =` instead of the router",
    references=(
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/plugins/http/http.c",
        "https://opendev.org/openstack/kolla-ansible/src/branch/master/releasenotes/notes/"
        "uwsgi-chunked-input-8b15b1c77f093332.yaml",
    ),
    check=check,
    docs=__doc__,
)
