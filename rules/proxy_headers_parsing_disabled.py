"""The front end sets X-Forwarded-Proto but the service ignores it.

## What it does
For each route whose front end sets `X-Forwarded-Proto` (Apache
`RequestHeader set X-Forwarded-Proto ...`, nginx `proxy_set_header
X-Forwarded-Proto ...` or `uwsgi_param HTTP_X_FORWARDED_PROTO ...`) towards a
known OpenStack service, reads that service's own config
(`/etc/<service>/<service>.conf`; glance: `glance-api.conf`) and reports when
`[oslo_middleware] enable_proxy_headers_parsing` is not true. Only judged when
the service config was read: pass it (or a directory holding
`etc/<service>/<service>.conf`) along with the server configs.

## Why is this bad?
oslo.middleware's `HTTPProxyToWSGI` honours `X-Forwarded-Proto` (and
`Forwarded`) only when `enable_proxy_headers_parsing = true`; the default is
false. With TLS terminated in front, the service then builds its self links
(version discovery, `next` links, the keystone catalog's `links`) from the
plain-HTTP request it sees: clients are sent to `http://` URLs and fail or
downgrade. ironic's install guide lists this under "Important Considerations"
for running behind a proxy.

## Example
```apache
<VirtualHost *:443>
    RequestHeader set X-Forwarded-Proto "https"
    ProxyPass /baremetal unix:/run/uwsgi/ironic-api.socket|uwsgi://ironic-api/
</VirtualHost>
```
```ini
# /etc/ironic/ironic.conf
[DEFAULT]
auth_strategy = keystone
```

## Use instead
```ini
# /etc/ironic/ironic.conf
[oslo_middleware]
enable_proxy_headers_parsing = true
```

## References
- https://docs.openstack.org/ironic/latest/install/configure-ironic-api.html
- https://docs.openstack.org/oslo.middleware/latest/reference/middlewares.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import FORWARDED_PROTO_HEADER, PROXY_HEADERS_OPTION
from wsgilint.model.types import Deployment, Route
from wsgilint.rules._service import config_related, oslo_bool

_APACHE_SETTING = ("set", "append", "add", "merge", "setifempty")


def _nginx_effective(route: Route, key: str) -> list:
    """nginx array directives (proxy_set_header, uwsgi_param) come from the innermost level that has any."""
    for scope in reversed(route.scopes):
        found = scope.children_named(key)
        if found:
            return found
    return []


def _sets_proto(route: Route):
    """The directive that sends X-Forwarded-Proto on this route, or None."""
    if route.frontend == "nginx":
        if route.kind == "nginx_proxy":
            for d in _nginx_effective(route, "proxy_set_header"):
                if d.args and d.args[0].lower() == FORWARDED_PROTO_HEADER and len(d.args) > 1 and d.args[1]:
                    return d
        elif route.kind == "nginx_uwsgi":
            want = "http_" + FORWARDED_PROTO_HEADER.replace("-", "_")
            for d in _nginx_effective(route, "uwsgi_param"):
                if d.args and d.args[0].lower() == want and len(d.args) > 1 and d.args[1]:
                    return d
        return None
    found = None
    for d in route.settings("requestheader"):
        if len(d.args) >= 3 and d.args[1].lower() == FORWARDED_PROTO_HEADER:
            action = d.args[0].lower()
            if action in _APACHE_SETTING:
                found = d
            elif action == "unset":
                found = None
    return found


def check(model: Deployment):
    section, key = PROXY_HEADERS_OPTION
    seen: set[tuple[int, str]] = set()
    for route in model.routes:
        cfg = model.service_config(route.service, model.container_of(route))
        if cfg is None:
            continue
        header = _sets_proto(route)
        if header is None or (id(header), route.service) in seen:
            continue
        entry = cfg.get(section, key)
        if entry is not None and oslo_bool(entry.value) is True:
            continue
        seen.add((id(header), route.service))
        state = f"is {entry.value!r}" if entry is not None else "is not set (default false)"
        yield Hit(header.span, f"X-Forwarded-Proto is sent to {route.service}, but [{section}] {key} {state} in "
                  f"{cfg.path}: the header is ignored and self links come out as http://",
                  service=route.service, related=[config_related(cfg, section, key)])


RULE = Rule(
    id="WSG430",
    name="proxy-headers-parsing-disabled",
    severity=WARNING,
    summary="X-Forwarded-Proto is set but the service's enable_proxy_headers_parsing is not true",
    fix="Set `[oslo_middleware] enable_proxy_headers_parsing = true` in the service's config",
    references=(
        "https://docs.openstack.org/ironic/latest/install/configure-ironic-api.html",
        "https://docs.openstack.org/oslo.middleware/latest/reference/middlewares.html",
    ),
    check=check,
    docs=__doc__,
)
