"""A uWSGI unix socket that the web server's user may not be allowed to connect to.

## What it does
Finds `ProxyPass ... unix:/path|...` routes whose socket is bound by a scanned
uWSGI ini that sets none of `chmod-socket`, `chown-socket`, or a `uid`/`gid`
that is Apache's user (www-data, apache). When the tree shows both users, it
compares them instead: the socket's owner is uWSGI's `uid` option, else the
`User=` of the systemd unit that starts it (root when unset); the web server's
user is Apache's `User` (`${APACHE_RUN_USER}` read from Debian's envvars) or
nginx's `user` (then `uwsgi_pass`/`proxy_pass` to `unix:` routes are checked
too). Quiet when they are the same user, when the web user is root, when
`chmod-socket` lets others write (or a group write: membership is not read), or
with `chown-socket`. The message names both users and where each comes from.

## Why is this bad?
Connecting to a unix socket needs write permission on it. uWSGI creates the
socket with its own owner and umask (mode 0755 under the usual umask 022), so
Apache's worker user cannot connect: every request gets
**503 Service Unavailable** and the error log says
`(13)Permission denied: AH02454: uwsgi: attempt to connect to Unix domain
socket /run/uwsgi/app.sock (...) failed`. Measured on Apache 2.4.71 with
uWSGI 2.0.21 running as root and Apache's children as nobody. uWSGI binds its
sockets after `uid`/`gid` drop privileges, so the file belongs to that user with
mode 0777 minus the umask; nginx workers running as another user get **502** and
`(13: Permission denied) while connecting to upstream`, and `chmod-socket = 666`
fixes it (measured with uWSGI 2.0.21 and 2.0.31 and nginx 1.22.1:
tests/test_proof_socket_owner.py). devstack sets
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
- https://nginx.org/en/docs/ngx_core_module.html#user
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.numbers import is_digits

_APACHE_USERS = frozenset({"www-data", "apache", "httpd", "33", "48"})


def _where(option) -> str:
    sp = option.span
    return f"{sp.source.path}:{sp.line}" if sp is not None and getattr(sp, "source", None) is not None else "?"


def _creator(cfg) -> tuple[str | None, str]:
    """The user that creates the socket file, and where that comes from. uWSGI binds its sockets
    after `uid`/`gid` drop privileges: the file belongs to `uid` (measured with uWSGI 2.0.21 and
    2.0.31 started as root: tests/test_proof_socket_owner.py). Without `uid`, the user that
    starts it: a systemd unit's User= (systemd.exec(5): root when unset)."""
    uid = cfg.last("uid")
    if uid is not None:
        return (None, "") if uid.dynamic else (uid.value.strip(), f"uid = {uid.value.strip()} ({_where(uid)})")
    la = cfg.launcher
    if la is not None and la.kind == "systemd":
        if la.user:
            return la.user, f"User={la.user} of {la.name}"
        return "root", f"{la.name} sets no User= (systemd runs it as root)"
    return None, ""


def _web_user(route) -> tuple[str | None, str]:
    """The user the web server's children run as: Apache's `User` (after envvars' ${APACHE_RUN_USER}),
    nginx's `user`. Unknown without it: httpd's compiled default and nginx's --user (nobody unless
    the build sets it, nginx/nginx@44a2b97bd2773dc679ebce32eaf3c6f4f665f36c:auto/unix) are not in the tree."""
    server = route.server
    if route.frontend == "nginx":
        found = [d for d in server.config.tree.children_named("user") if d.args]
        name = "nginx"
    else:
        found = [d for d in server.directives("user") if d.args and d.parent is not None
                 and d.parent.parent is None] if server.complete else []
        name = "Apache"
    if not found:
        return None, ""
    d = found[-1]
    if "$" in d.args[0] or d.args[0].startswith("#"):
        return None, ""  # an unresolved ${VAR} (no envvars in the tree), or Apache's #uid form
    sp = d.span
    line_text = ""
    if sp is not None and getattr(sp.source, "text", None):
        lines = sp.source.text.split("\n")
        line_text = lines[sp.line - 1] if 0 < sp.line <= len(lines) else ""
    via = " via envvars" if "${" in line_text else ""
    return d.args[0], f"{name} runs as {d.args[0]} ({sp.source.path}:{sp.line}{via})"


def _mode(cfg) -> int | None:
    o = cfg.last("chmod-socket")
    v = o.value.strip() if o is not None and not o.dynamic else ""
    return int(v, 8) if is_digits(v) and len(v) == 3 and "8" not in v and "9" not in v else None


def check(model: Deployment):
    reported = set()
    routes = [r for s in model.apache for r in s.routes if r.kind in ("proxy_uwsgi", "proxy_http", "proxy_other")]
    routes += [r for s in model.nginx for r in s.routes if r.kind in ("nginx_uwsgi", "nginx_proxy")]
    for route in routes:
        b, app = route.bind, route.backend
        if b is None or app is None or b.address.kind != "unix" or id(b) in reported:
            continue
        cfg = app.config
        creator, c_where = _creator(cfg)
        web, w_where = _web_user(route)
        front = "nginx" if route.frontend == "nginx" else "Apache"
        code = "502" if route.frontend == "nginx" else "503"
        err = "(13: Permission denied)" if route.frontend == "nginx" else "(13)Permission denied"
        mode = _mode(cfg)
        if cfg.has("chown-socket") or cfg.has("chmod-socket") and mode is None:
            continue  # chown-socket, or a mode not read here: not known to fail
        if web == "root" or creator is not None and creator == web:
            continue
        if mode is not None:
            if mode & 0o002 or creator is None or web is None or mode & 0o020:
                continue  # others may write; or a group may (membership not known here)
            msg = (f"unix socket {b.address.path} gets mode {mode:03o} (chmod-socket) and owner {creator} "
                   f"({c_where}), but {w_where}, which cannot connect: {route.path} answers {code} "
                   f"({err})")
        elif creator is not None and web is not None:
            msg = (f"unix socket {b.address.path} belongs to {creator} ({c_where}) with uWSGI's umask "
                   f"(no chmod-socket/chown-socket), but {w_where}, which cannot connect: {route.path} "
                   f"answers {code} ({err})")
        else:
            if front == "nginx":
                continue  # nginx: only when both users are known (above)
            if web is None and creator is None:
                ids = [o.value.strip() for o in cfg.all("uid") + cfg.all("gid")]
                if any(o.dynamic for o in cfg.all("uid") + cfg.all("gid")) or any(i in _APACHE_USERS for i in ids):
                    continue
            elif creator in _APACHE_USERS and web is None:
                continue
            who = f" ({c_where})" if creator is not None else ""
            whom = (f"{front}, which runs as {w_where.split(' runs as ', 1)[1]}," if web is not None
                    else f"{front}'s user")
            msg = (f"unix socket {b.address.path} gets uWSGI's owner{who} and umask (no chmod-socket/chown-socket): "
                   f"{whom} cannot connect and {route.path} answers {code} ({err})")
        reported.add(id(b))
        yield Hit(b.option.span, msg, service=route.service or app.service,
                  related=[Related(route.target_span(), "the ProxyPass that connects to it" if front == "Apache"
                                   else "the uwsgi_pass/proxy_pass that connects to it")])


RULE = Rule(
    id="WSG215",
    name="proxy-unix-socket-permissions",
    severity=WARNING,
    summary="ProxyPass/uwsgi_pass to a uWSGI unix socket the web server's user cannot write (503/502)",
    fix="Add `chmod-socket = 660` and `chown-socket = <user>:www-data` (or `chmod-socket = 666`) to the uWSGI ini",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket",
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
        "https://nginx.org/en/docs/ngx_core_module.html#user",
    ),
    check=check,
    docs=__doc__,
)
