"""Two ProxyPass lines to different unix sockets share one worker (AH01145).

## What it does
Finds, within one VirtualHost (or both outside any VirtualHost), a ProxyPass
`unix:/path/b.sock|uwsgi://NAME/...` whose URL part starts with the URL part of
an earlier ProxyPass to a *different* socket, `unix:/path/a.sock|uwsgi://NAME/`.
The same holds for `http://` and for ProxyPass inside `<Location>`.

## Why is this bad?
mod_proxy names workers by the URL after the `|` and looks them up by prefix:
the second line does not create a worker for its own socket but reuses the
first one. httpd logs only, at LogLevel info,
`AH01145: Sharing worker 'unix:/path/a.sock|uwsgi://NAME/' instead of creating new worker 'uwsgi://NAME/'`,
and **every request to the second path goes to the first socket**: the wrong
application answers, or a request that needs the second backend's settings
(its buffer-size, its timeouts) fails there. Measured on Apache 2.4.71
(oracle-results.md stack 6 and tests/test_proof_catalog_apache.py). Two
different VirtualHosts do not share (also measured).

## Example
```apache
ProxyPass /identity unix:/run/uwsgi/keystone.sock|uwsgi://localhost/ retry=0
ProxyPass /compute unix:/run/uwsgi/nova-api.sock|uwsgi://localhost/ retry=0
```

## Use instead
```apache
ProxyPass /identity unix:/run/uwsgi/keystone.sock|uwsgi://uwsgi-uds-keystone/ retry=0
ProxyPass /compute unix:/run/uwsgi/nova-api.sock|uwsgi://uwsgi-uds-nova-api/ retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#workers
- https://github.com/apache/httpd/blob/2.4.x/modules/proxy/proxy_util.c
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
"""

import re

from wsgilint.findings import ERROR, Hit, Related, Rule
from wsgilint.model.types import Deployment

_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://[^/]*)(.*)$")


def _norm(url: str) -> str:
    """Scheme and host compare case-insensitively (measured: uwsgi://LocalHost/ shares with uwsgi://localhost/)."""
    m = _URL.match(url)
    return m.group(1).lower() + m.group(2) if m else url


def check(model: Deployment):
    for server in model.apache:
        # Per VirtualHost (directives hash by identity): [route, normalised worker URL] of each
        # worker. A URL is normalised only once a second worker needs comparing (10k vhosts
        # with one ProxyPass each: no regex at all).
        seen: dict = {}
        for route in server.routes:
            a = route.address
            if route.kind == "mod_wsgi" or a is None or a.kind != "unix" or not route.worker:
                continue
            group = seen.get(route.vhost)
            if group is None:
                seen[route.vhost] = [[route, None]]
                continue
            url = _norm(route.worker)
            owner = None
            for entry in group:
                if entry[1] is None:
                    entry[1] = _norm(entry[0].worker)
                if url.startswith(entry[1]):
                    owner = entry[0]
                    break
            if owner is None:
                group.append([route, url])
                continue
            if owner.address is not None and owner.address.path == a.path:
                continue  # same socket: sharing is harmless
            yield Hit(route.target_span(),
                      f"{route.path} proxies to {a.path}, but its worker {route.worker!r} is the one of "
                      f"{owner.path} ({owner.address.path if owner.address else '?'}): httpd shares it (AH01145) "
                      f"and sends {route.path} to {owner.address.path if owner.address else 'the first socket'}",
                      service=route.service,
                      related=[Related(owner.target_span(), "the worker it shares")])


RULE = Rule(
    id="WSG214",
    name="proxy-worker-shared",
    severity=ERROR,
    summary="ProxyPass lines to different unix sockets with the same uwsgi://NAME share one worker",
    fix="Give each socket its own worker name: unix:/run/uwsgi/a.sock|uwsgi://uwsgi-uds-a/",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#workers",
        "https://github.com/apache/httpd/blob/2.4.x/modules/proxy/proxy_util.c",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
    ),
    check=check,
    docs=__doc__,
)
