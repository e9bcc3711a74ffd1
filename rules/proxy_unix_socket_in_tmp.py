"""ProxyPass to a unix socket under /tmp, which httpd may not see.

## What it does
Finds `ProxyPass ... unix:/tmp/...|...` (and /var/tmp) routes.

## Why is this bad?
Debian's apache2 systemd unit runs with `PrivateTmp=true` (apache2
2.4.71-1~deb12u1, /lib/systemd/system/apache2.service line 13; RHEL's httpd.service
too): httpd's /tmp is a private directory, so a socket that uWSGI creates in the
real /tmp does not exist for httpd. The same when uWSGI's own unit sets
`PrivateTmp=true` (read from the tree with `--root`: the message then names it). With `--root`,
httpd's own unit is read too (apache2.service, apache2@NAME.service, httpd.service, their
drop-ins, /etc/systemd/system over /lib/systemd/system): the message names the line that sets
`PrivateTmp=true`, and the rule is quiet when that unit (drop-ins included) does not set it. Units
that share one private /tmp through `JoinsNamespaceOf=` (both with `PrivateTmp=true`, systemd.exec(5)
PrivateTmp=) see the same socket. A masked unit (a link to /dev/null) starts nothing: the rule then
falls back to the condition. Every request gets **503 Service Unavailable**
and the connect to the socket fails with `(2)No such file or directory` in
the error log, while the same setup works when both are started by hand (this
depends on the unit file, not on the configuration: not reproduced here). Use /run/uwsgi (devstack) with a socket
mode or owner that the Apache user can use.

## Example
```apache
ProxyPass /identity unix:/tmp/keystone.sock|uwsgi://keystone/ retry=0
```

## Use instead
```apache
ProxyPass /identity unix:/run/uwsgi/keystone.sock|uwsgi://keystone/ retry=0
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
- https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#PrivateTmp=
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import backend_related
from wsgilint.rules._modwsgi import apache_routes

_PRIVATE = ("/tmp/", "/var/tmp/")


def _web_unit(model: Deployment, server):
    """The unit in the tree that starts the httpd of ``server`` (wsgilint.launch.types.WebUnit), or None."""
    root = getattr(getattr(server, "config", None), "root_path", None)
    if not root or not model.web_units:
        return None
    for unit in model.web_units:  # a root config in the unit's directory, or a fragment below it
        if unit.server == "apache" and not unit.masked and (root + "/").startswith(unit.config_dir.rstrip("/") + "/"):
            return unit
    return None


def _joined(la, unit) -> bool:
    """uWSGI's unit and httpd's share one private /tmp (JoinsNamespaceOf=, both PrivateTmp=true)."""
    return (la is not None and unit is not None and la.private_tmp and unit.private_tmp
            and (unit.name in la.joins or la.name in unit.joins))


def check(model: Deployment):
    for route in apache_routes(model, ("proxy_uwsgi", "proxy_http", "proxy_other")):
        a = route.address
        if a is None or a.kind != "unix" or not (a.path or "").startswith(_PRIVATE):
            continue
        la = route.backend.config.launcher if route.backend is not None else None
        unit = _web_unit(model, route.server)
        if _joined(la, unit):
            continue
        if la is not None and la.private_tmp:  # the uWSGI unit's own PrivateTmp=true (wsgilint.launch)
            why = (f"{la.name} runs uWSGI with PrivateTmp=true, so the socket is in uWSGI's private /tmp, "
                   f"which httpd never sees")
        elif unit is not None:
            if not unit.private_tmp:
                continue  # httpd's unit in the tree gives it the real /tmp
            at = f"{unit.private_tmp_at[0]}:{unit.private_tmp_at[1]}" if unit.private_tmp_at else unit.path
            why = (f"httpd's unit {unit.name} sets PrivateTmp=true ({at}), so httpd has a private /tmp "
                   f"and cannot see it")
        else:
            why = ("if httpd's unit sets PrivateTmp=true (Debian's apache2.service does), httpd has a "
                   "private /tmp and cannot see it")
        yield Hit(route.target_span(), f"unix socket {a.path} is under /tmp: {why}; {route.path} answers 503",
                  service=route.service, related=backend_related(route))


RULE = Rule(
    id="WSG213",
    name="proxy-unix-socket-in-tmp",
    severity=WARNING,
    summary="ProxyPass to a unix socket in /tmp: httpd's PrivateTmp hides it (503)",
    fix="Put the socket in /run/uwsgi/ (uWSGI `socket = /run/uwsgi/app.sock`, chmod-socket or chown-socket)",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#PrivateTmp=",
    ),
    check=check,
    docs=__doc__,
)
