"""glance takes chunked uploads straight into uWSGI with the 1 MiB chunk limit.

## What it does
For uWSGI instances serving glance (which reads chunked bodies itself with
`uwsgi.chunked_read()`) on an `http-socket` or `http` router bound to a
non-loopback address (so clients reach it without a local proxy), finds a missing `chunked-input-limit` (default 1 MiB) or one
at or below 1 MiB. Instances reached only through an Apache `ProxyPass
http://` route found in the same check are left alone: Apache re-chunks the
body into small pieces (measured: 2 MiB chunks pass through Apache 2.4.71 to a
default uWSGI 2.0.21), so the limit never bites there.
A loopback bind (`127.0.0.1:60999`, devstack) is taken to sit behind a local
proxy and is not reported.

## Why is this bad?
`chunked-input-limit` is the largest single chunk uWSGI accepts. A client (or
a proxy that forwards chunks unchanged) sending bigger chunks makes
`uwsgi.chunked_read()` fail with `unable to receive chunked part`: the image
upload breaks (500, or a nova snapshot that hangs). Measured on uWSGI 2.0.21
with 2 MiB chunks: 0 bytes read, `OSError: unable to receive chunked part`;
with `chunked-input-limit = 67108864` all bytes arrive. Kolla sets 64 MiB
after LP#2158974.

## Example
```ini
[uwsgi]
http-socket = 0.0.0.0:9292
module = glance.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
http-socket = 0.0.0.0:9292
module = glance.wsgi.api:application
chunked-input-limit = 67108864
```
(or put Apache with `ProxyPass http://` in front, as devstack does).

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Chunked.html
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/init.c
- https://bugs.launchpad.net/kolla-ansible/+bug/2158974
"""

import re

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.knowledge import UWSGI_DEFAULTS
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import profile



def check(model: Deployment):
    default = UWSGI_DEFAULTS["chunked-input-limit"].value
    for app in model.uwsgi:
        prof = profile(app.service)
        if prof is None or not prof.reads_chunked_itself:
            continue
        http_binds = [b for b in app.binds if b.protocol == "http"]
        behind_apache = {id(r.bind) for r in model.routes
                         if r.kind == "proxy_http" and r.backend is app and r.bind is not None}
        direct = [b for b in http_binds if id(b) not in behind_apache and not b.address.is_loopback]
        if not direct:
            continue
        opt = app.config.last("chunked-input-limit")
        if opt is not None and (opt.dynamic or re.search(r"\d\s*[A-Za-z]", opt.value)):
            continue  # dynamic, or a unit suffix (uwsgi-size-suffix says so)
        value = app.config.number("chunked-input-limit") if opt is not None else default
        if value is None or value > default:
            continue
        what = f"chunked-input-limit {value}" if opt is not None else "no chunked-input-limit (default 1 MiB)"
        span = opt.span if opt is not None else direct[0].option.span
        yield Hit(span, f"{what} for {app.service} on {direct[0].address}: a chunk over {value} bytes makes "
                  f"uwsgi.chunked_read() fail ('unable to receive chunked part') and the upload breaks",
                  service=app.service)


RULE = Rule(
    id="WSG110",
    name="uwsgi-chunked-input-limit",
    severity=ERROR,
    summary="glance reached directly over HTTP with chunked-input-limit at its 1 MiB default: big chunks fail",
    fix="Set `chunked-input-limit = 67108864` (64 MiB, as kolla does), or proxy through Apache `ProxyPass http://`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Chunked.html",
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/init.c",
        "https://bugs.launchpad.net/kolla-ansible/+bug/2158974",
    ),
    check=check,
    docs=__doc__,
)
