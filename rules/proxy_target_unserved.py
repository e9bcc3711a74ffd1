"""A ProxyPass points at a local socket that no scanned uWSGI serves.

## What it does
When uWSGI files were read, finds `ProxyPass` routes (and nginx `uwsgi_pass` /
`proxy_pass` routes) to a unix socket or a loopback port that none of them binds.
Socket paths are compared as the servers open them: `unix:///run/x.sock` is
`unix:/run/x.sock` (httpd 2.4.50+ CHANGES; nginx and uWSGI answer through it,
tests/test_proof_chain.py), and `/var/run` is `/run`. A route whose target is
another front end in the check (nginx `proxy_pass` to an Apache vhost's port)
is served by it and not reported.

A uWSGI instance binds what its effective options say, launcher included: Debian's init script
gives each `/etc/uwsgi/apps-enabled/NAME.ini` the socket `/run/uwsgi/app/NAME/socket` (from
`/usr/share/uwsgi/conf/default.ini`), a unit may add `--socket`, the Emperor `vassals-include`.

## Why is this bad?
Apache answers **503 Service Unavailable** (`(111)Connection refused` or
`(2)No such file or directory: AH02454`) for every request on that route. Typical
causes: sample files that disagree (manila's Apache sample proxies to 51999, its
uWSGI sample binds 61999), a renamed socket, or a port over 65535. nginx
answers **502 Bad Gateway** (`connect() ... failed (2: No such file or
directory)` or `(111: Connection refused)`; measured on nginx 1.22.1).

## Example
```apache
ProxyPass /share http://127.0.0.1:51999 retry=0
```
```ini
[uwsgi]
http-socket = 127.0.0.1:61999
```

## Use instead
```apache
ProxyPass /share http://127.0.0.1:61999 retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
"""

from wsgilint.findings import ERROR, WARNING, Hit, Rule
from wsgilint.model.types import Deployment

_SHOWN = 5  # binds named in one message


def check(model: Deployment):
    if not model.uwsgi_scanned:
        return
    # At most a few binds in each message, then a count: listing all of them in every finding
    # made the report routes x binds long (8,000 x 8,000: a 1 GB JSON report).
    binds = [b.address for app in model.uwsgi for b in app.binds]
    listening = ", ".join(str(a) for a in binds[:_SHOWN]) or "nothing"
    if len(binds) > _SHOWN:
        listening += f" and {len(binds) - _SHOWN} more"
    # uWSGI inis found but not read (permission denied, outside the checked paths): a route to a
    # socket nobody read may be served by one of them; say so instead of calling it unserved.
    unread = [d.path or d.span.source.path for d in model.diagnostics
              if d.code in ("file-unreadable", "outside-checked-paths") and
              ((d.path or "").endswith(".ini") or d.span is not None and d.span.source.kind == "uwsgi")]
    for route in model.routes:
        if not route.protocol or route.address is None or route.backend is not None:
            continue
        if route.hop is not None and route.hop.onward:
            continue  # it reaches another front end in the check (nginx in front of Apache)
        a = route.address
        if not a.connects_locally:
            continue
        if unread:
            more = f" (or {len(unread) - 1} more)" if len(unread) > 1 else ""
            yield Hit(route.target_span(), f"no uWSGI that was read listens on {a} for {route.path}; it may be "
                      f"served by {unread[0]}{more}, which could not be read (see WSG004/WSG012)",
                      severity=WARNING, service=route.service)
            continue
        yield Hit(
            route.target_span(),
            f"no scanned uWSGI listens on {a} for {route.path}: "
            f"{'nginx will answer 502' if route.frontend == 'nginx' else 'Apache will answer 503'} "
            f"(the scanned uWSGI files listen on {listening})",
            service=route.service,
        )


RULE = Rule(
    id="WSG405",
    name="proxy-target-unserved",
    severity=ERROR,
    summary="ProxyPass targets a local socket or port that no scanned uWSGI binds",
    fix="Make the ProxyPass target and the uWSGI socket/http-socket name the same path or port",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
    ),
    check=check,
    docs=__doc__,
)
