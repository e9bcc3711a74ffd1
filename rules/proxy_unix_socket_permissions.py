"""A uWSGI unix socket that Apache's user may not be allowed to connect to.

## What it does
Finds `ProxyPass ... unix:/path|...` routes whose socket is bound by a scanned
uWSGI ini that sets none of `chmod-socket`, `chown-socket`, or a `uid`/`gid`
that is Apache's user (www-data, apache).

## Why is this bad?
Connecting to a unix socket needs write permission on it. uWSGI creates the
socket with its own owner and umask (mode 0755 under the usual umask 022), so
Apache's worker user cannot connect: every request gets
**503 Service Unavailable** and the error log says
`(13)Permission denied: AH02454: uwsgi: attempt to connect to Unix domain
socket /run/uwsgi/app.sock (...) failed`. Measured on Apache 2.4.71 with
uWSGI 2.0.21 running as root and Apache's children as nobody. devstack sets
`chmod-socket = 666`; a group shared with Apache plus `chmod-socket = 660`
is tighter.

## Example
```ini
[uwsgi]
socket = /run/uwsgi/keystone.sock
module = keystone.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
socket = /run/uwsgi/keystone.sock
chmod-socket = 660
chown-socket = keystone:www-data
module = keystone.wsgi.api:application
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes

_APACHE_USERS = frozenset({"www-data", "apache", "httpd", "33", "48"})


def check(model: Deployment):
    reported = set()
    for route in apache_routes(model, ("proxy_uwsgi", "proxy_http", "proxy_other")):
        b, app = route.bind, route.backend
        if b is None or app is None or b.address.kind != "unix" or id(b) in reported:
            continue
        cfg = app.config
        if cfg.has("chmod-socket", "chown-socket"):
            continue
        ids = [o.value.strip() for o in cfg.all("uid") + cfg.all("gid")]
        if any(o.dynamic for o in cfg.all("uid") + cfg.all("gid")) or any(i in _APACHE_USERS for i in ids):
            continue
        reported.add(id(b))
        yield Hit(b.option.span,
                  f"unix socket {b.address.path} gets uWSGI's owner and umask (no chmod-socket/chown-socket): "
                  f"Apache's user cannot connect and {route.path} answers 503 ((13)Permission denied)",
                  service=route.service or app.service,
                  related=[Related(route.target_span(), "the ProxyPass that connects to it")])


RULE = Rule(
    id="WSG215",
    name="proxy-unix-socket-permissions",
    severity=WARNING,
    summary="ProxyPass to a uWSGI unix socket without chmod-socket/chown-socket (503 Permission denied)",
    fix="Add `chmod-socket = 660` and `chown-socket = <user>:www-data` (or `chmod-socket = 666`) to the uWSGI ini",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket",
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
    ),
    check=check,
    docs=__doc__,
)
