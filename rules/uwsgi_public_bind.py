"""uWSGI listens on every interface, or its unix socket is world-writable.

## What it does
Finds uWSGI TCP binds on all interfaces (`:9311`, `0.0.0.0`, `[::]`, `*`) that
a front end in the check (Apache, nginx) proxies to, and `chmod-socket =
666`/`777` on an instance with a unix socket. A bind on all interfaces that no
front end in the check reaches is the service's endpoint itself (a container's
listener, Debian's openstack-pkg-tools `--http-socket :PORT`): there is no proxy
to bypass, and it is not reported (the field test judged those findings false).
Neither is a bind on all interfaces of an instance a Dockerfile in the check starts:
inside the container's own network namespace, 0.0.0.0 is how the proxy outside
reaches it at all (127.0.0.1 there is the container's own loopback), and who else
can is decided where the port is published (`docker run -p 127.0.0.1:8080:8080`),
which is not in the files wsgilint reads. kolla containers run with the host's
network, so their binds are judged as a host's.

## Why is this bad?
An application server behind a local Apache or nginx should only be reachable
through that proxy. Bound to all interfaces (barbican's vassal `socket = :9311`,
OSA's default 0.0.0.0, Debian's init `[::]`), any host can talk to it directly,
bypassing the proxy's TLS, request limits and access rules; with a
world-writable socket, so can every local user. Nothing fails, which is why
this is info.

## Example
```ini
[uwsgi]
http-socket = 0.0.0.0:5000
```

## Use instead
```ini
[uwsgi]
http-socket = 127.0.0.1:5000
```
or a unix socket with `chmod-socket = 660` and `chown-socket = keystone:www-data`.

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket
"""

from wsgilint.findings import INFO, Hit, Related, Rule
from wsgilint.model.types import Deployment

_WILDCARD = frozenset({"", "*", "0.0.0.0", "::", "0"})


def check(model: Deployment):
    for app in model.uwsgi:
        for b in app.binds:
            if b.address.kind == "tcp" and (b.address.host or "").strip("[]") in _WILDCARD:
                fronts = [r for r in model.routes_to(b) if r.span is not None]
                if not fronts:
                    continue  # the endpoint itself: no proxy in front to bypass
                launcher = getattr(app.config, "launcher", None)
                if launcher is not None and launcher.kind == "container":
                    continue  # inside its own network namespace: the port publishing decides who reaches it
                yield Hit(b.option.value_span, f"{b.option.key} {b.address.raw.strip()} listens on every interface: "
                          f"clients can bypass the proxy in front of it ({fronts[0].span.path}:{fronts[0].span.line}) "
                          f"(bind 127.0.0.1 or a unix socket)", service=app.service,
                          related=[Related(fronts[0].span, "the proxy it can be bypassed around")])
        chmod = app.config.last("chmod-socket")
        if chmod is not None and not chmod.dynamic and any(b.address.kind == "unix" for b in app.binds):
            mode = chmod.value.strip()
            if mode == "" or mode.endswith(("6", "7")):
                yield Hit(chmod.span, f"chmod-socket {mode or '(empty: 666)'} lets every local user talk to the app "
                          f"(use 660 with chown-socket to the proxy's group)", service=app.service)


RULE = Rule(
    id="WSG119",
    name="uwsgi-public-bind",
    severity=INFO,
    summary="uWSGI bound to all interfaces, or a world-writable socket: the proxy can be bypassed",
    fix="Bind 127.0.0.1 (or a unix socket with `chmod-socket = 660` and `chown-socket`)",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket",
    ),
    check=check,
    docs=__doc__,
)
