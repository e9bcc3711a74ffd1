"""uWSGI's `socket-timeout` is too short for uploads (default 4 s).

## What it does
For uWSGI instances serving glance or swift, finds a `socket-timeout` below
10 seconds, or none at all (uWSGI's default is 4). An instance that requests
reach only through a front end that reads the whole body first and sends a
Content-Length (nginx `proxy_pass` with request buffering on, the default;
every nginx `uwsgi_pass`; Apache `ProxyPass http://` with `proxy-sendcl`) is
left alone: the body arrives at once, without chunks or the client's pauses
(measured in tests/test_proof_chain.py: three 2 MiB chunks with 6 s pauses
through nginx's default `proxy_pass` reach a default uWSGI whole). Behind
nginx with `proxy_request_buffering off` or Apache without `proxy-sendcl`, the
pauses reach uWSGI and the rule applies.

## Why is this bad?
socket-timeout is also the timeout of each chunked read
(`uwsgi.chunked_read()`): a client that pauses longer than that between chunks
(a slow link, nova streaming a snapshot) makes the read fail with "unable to
receive chunked part" and the upload breaks. Glance's sample sets 10, devstack
and kolla 30.

## Example
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
module = glance.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
http-socket = 127.0.0.1:60999
module = glance.wsgi.api:application
socket-timeout = 30
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Chunked.html
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import THRESHOLDS, UWSGI_DEFAULTS
from wsgilint.model.types import Deployment
from wsgilint.rules._chain import only_dechunked, streamed_chains
from wsgilint.rules._helpers import is_upload


def check(model: Deployment):
    limit = THRESHOLDS.upload_socket_timeout
    for app in model.uwsgi:
        if not is_upload(model, app.service):
            continue
        opt = app.config.last("socket-timeout")
        value = app.config.number("socket-timeout")
        if opt is not None and (opt.dynamic or value is None or value >= limit):
            continue
        if only_dechunked(model, app.binds)[0]:
            continue  # every way in reads the whole body first: no chunked read, no client pauses
        via = next((c for b in app.binds for c in streamed_chains(model, b)[0]), None)
        through = f" (reached through {via.hops[-1].describe()})" if via is not None else ""
        if opt is None:
            where = app.app_option.span if app.app_option is not None else app.span
            if where is None:
                continue
            default = UWSGI_DEFAULTS["socket-timeout"].value
            yield Hit(where, f"no socket-timeout for {app.service}{through}: uWSGI's default {default}s also bounds "
                      f"each chunked read, so slow uploads fail (use at least {limit})", service=app.service)
        else:
            yield Hit(opt.span, f"socket-timeout {value}s for {app.service}{through} also bounds each chunked read: "
                      f"slow uploads fail (use at least {limit})", service=app.service)


RULE = Rule(
    id="WSG102",
    name="uwsgi-socket-timeout-short",
    severity=WARNING,
    summary="socket-timeout under 10 s (default 4) breaks slow chunked uploads",
    fix="Set `socket-timeout = 30` (devstack, kolla) or at least 10 (glance's sample)",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Chunked.html",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
    ),
    check=check,
    docs=__doc__,
)
