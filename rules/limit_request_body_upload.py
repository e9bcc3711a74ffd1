"""Apache's LimitRequestBody cuts image and object uploads (default 1 GiB since 2.4.54).

## What it does
For glance and swift routes served by mod_wsgi or mod_proxy_uwsgi, finds an
effective `LimitRequestBody` of 1 GiB or less: an explicit small value (for
example keystone's 114688 copied into a glance vhost) or none at all when the
target httpd is 2.4.54 or newer, whose default is 1073741824 bytes (before
2.4.54 the default was 0, unlimited). The target version comes from
`--httpd-version` (default: Debian stable's) and is named in the message.

## Why is this bad?
Every request whose body is larger gets **413 Request Entity Too Large**;
httpd checks the Content-Length before reading the body, so an image upload
fails at once. Measured on Apache 2.4.71: a 1.1 GiB upload with no
LimitRequestBody gets 413 through mod_wsgi and through mod_proxy_uwsgi.
**Not** through mod_proxy_http: measured on the same server, mod_proxy_http
forwards the body whatever LimitRequestBody says (default or an explicit 1000),
so those routes are not reported (caveats.md W9 says "also applies through
mod_proxy": true for mod_proxy_uwsgi only; the servers win).

## Example
```apache
WSGIScriptAlias / /var/www/glance/glance.wsgi
WSGIChunkedRequest On
```

## Use instead
```apache
WSGIScriptAlias / /var/www/glance/glance.wsgi
WSGIChunkedRequest On
# 0 = unlimited; or the largest image / swift max_file_size (5368709122)
LimitRequestBody 0
```

## Your own apps (`max-body`)
When the route's app declares `max-body` in `[tool.wsgilint.apps.NAME]` (README "Apps that
are not OpenStack"), the effective limit is judged against it instead of 1 GiB: an explicit
`LimitRequestBody` below `max-body`, or none when the target httpd's 1 GiB default is below
it, is reported naming both and the config file that declares it; a limit at or above
`max-body` (or `0`) is quiet. The version logic of the default is the same as above.

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#limitrequestbody
- https://github.com/apache/httpd/blob/2.4.x/CHANGES
- https://docs.openstack.org/swift/latest/apache_deployment_guide.html
"""

from wsgilint.findings import ERROR, WARNING, Hit, Related, Rule
from wsgilint.knowledge import APACHE_DEFAULTS, LIMIT_REQUEST_BODY_DEFAULT_SINCE, LIMIT_REQUEST_BODY_KINDS, version_text
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import cap_weak, is_upload, max_body, served_by
from wsgilint.rules._modwsgi import apache_routes
from wsgilint.numbers import parse_int

_FRONT = {"mod_wsgi": "mod_wsgi", "proxy_uwsgi": "mod_proxy_uwsgi"}


def _bytes(text: str) -> int | None:
    return parse_int(text, signed=True)  # ASCII digits only, never raises (wsgilint.numbers)


def check(model: Deployment):
    default = APACHE_DEFAULTS["limitrequestbody"].value
    have = model.targets.version("httpd")
    since = version_text(LIMIT_REQUEST_BODY_DEFAULT_SINCE)
    if have is None:
        # Unknown version: the default bites from 2.4.54 on; say so, at warning.
        default_severity = WARNING
        default_when = (f"on httpd {since} and later the default LimitRequestBody is 1 GiB (0 = unlimited before); "
                        f"{model.targets.describe('httpd')}")
    elif have >= LIMIT_REQUEST_BODY_DEFAULT_SINCE:
        default_severity = None
        default_when = f"{model.targets.describe('httpd')} limits bodies to 1 GiB by default (since {since})"
    else:
        default_severity = default_when = None
    for route in apache_routes(model, LIMIT_REQUEST_BODY_KINDS):
        need = max_body(model, route.service)  # the user's max-body wins over the 1 GiB threshold
        if need is None and not is_upload(model, route.service):
            continue
        d = route.setting("limitrequestbody")
        if d is not None:
            value = _bytes(d.args[0]) if d.args else None
            if value is None or value == 0 or (value >= need[0] if need is not None else value > default):
                continue
            below = f", below the {need[1]}" if need is not None else ""
            yield cap_weak(route, Hit(d.span,
                      f"LimitRequestBody {value} applies to {served_by(route)} at {route.path}{below}: "
                      f"{_FRONT[route.kind]} answers 413 to every upload over {value} bytes",
                      service=route.service,
                      related=[Related(route.span, "the route it applies to")]))
            continue
        if default_when is None or (need is not None and need[0] <= default):
            continue  # no default limit on this httpd, or the 1 GiB default takes the declared max-body
        if need is not None:
            yield cap_weak(route, Hit(route.span,
                      f"no LimitRequestBody for {served_by(route)}: {default_when}, below the {need[1]}, so "
                      f"{_FRONT[route.kind]} answers 413 to bodies over 1 GiB", severity=default_severity,
                      service=route.service))
            continue
        yield cap_weak(route, Hit(route.span,
                  f"no LimitRequestBody for {served_by(route)}: {default_when}, so {_FRONT[route.kind]} answers 413 "
                  f"to larger images/objects", severity=default_severity, service=route.service))


RULE = Rule(
    id="WSG211",
    name="limit-request-body-upload",
    severity=ERROR,
    summary="LimitRequestBody (default 1 GiB since httpd 2.4.54) makes large glance/swift uploads fail with 413",
    fix="Set `LimitRequestBody 0` (or the largest image / swift max_file_size) in the upload VirtualHost",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/core.html#limitrequestbody",
        "https://github.com/apache/httpd/blob/2.4.x/CHANGES",
        "https://docs.openstack.org/swift/latest/apache_deployment_guide.html",
    ),
    check=check,
    docs=__doc__,
)
