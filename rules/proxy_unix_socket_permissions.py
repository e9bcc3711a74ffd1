"""A uWSGI unix socket that the web server's user may not be allowed to connect to.

## What it does
Finds `ProxyPass ... unix:/path|...` routes (and nginx `uwsgi_pass`/`proxy_pass` to `unix:`)
whose socket is bound by a scanned uWSGI ini, and works out who may connect to it:

- the socket's owner and group: `chown-socket = user[:group]`, else uWSGI's `uid`/`gid`
  (it binds after dropping privileges), else the systemd unit's `User=`/`Group=` (root when
  unset) or Debian's init script (root);
- its mode: `chmod-socket` (3 octal digits; `1` means 666), else 0777 minus the umask:
  uWSGI's `umask` option, else 0 under `daemonize` (Debian's init script), else the unit's
  `UMask=` (systemd's default 0022);
- the web server's user and groups: Apache's `User`/`Group` (`${APACHE_RUN_USER}` read from
  Debian's envvars) or nginx's `user USER [GROUP]`, plus the groups `/etc/group` lists the user in.

**Error** when the files decide it (both users known, the web user is neither the owner nor root,
and the mode denies it) for nginx and for Apache's `unix:...|uwsgi://` routes, where real-server
tests show it; **warning** for other Apache routes to a unix socket (`|http://`), and
when only some of it is known (no launcher in the tree: the umask is assumed to be the usual 022;
Apache's user not in the tree: assumed not to be uWSGI's). Quiet when the web server's user
may connect, and when the socket's group may write but membership is not known.

## Why is this bad?
Connecting to a unix socket needs write permission on it. uWSGI creates the
socket with its own owner and umask (mode 0755 under the usual umask 022), so
Apache's worker user cannot connect: every request gets
**503 Service Unavailable** and the error log says
`(13)Permission denied: AH02454: uwsgi: attempt to connect to Unix domain
socket /run/uwsgi/app.sock (...) failed`. Measured on Apache 2.4.71 with
uWSGI 2.0.21 and 2.0.31 for the configurations the files decide: uWSGI started
as root with `uid = www-data` and Apache's `User nobody`, and uWSGI started as
the unit's `User=` (keystone; the system user `daemon` stands in for it) with
Apache as www-data (tests/test_proof_socket_owner.py). `chmod-socket = 666`, or
`chmod-socket = 660` with `chown-socket` to Apache's group, answers 200; a uWSGI
that is not root cannot chown the socket to a group it is not in: chown() fails
with EPERM and uWSGI exits (same test file). uWSGI binds its
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
uWSGI started as root (it binds, chowns, then drops to `uid`):
```ini
[uwsgi]
socket = /run/uwsgi/keystone.sock
chmod-socket = 660
chown-socket = keystone:www-data
uid = keystone
module = keystone.wsgi.api:application
```
uWSGI started as its own user (systemd `User=keystone`): `chown-socket` to a group it is not in
fails (`chown(): Operation not permitted`, uWSGI exits; measured), so add the user to the web
server's group (`SupplementaryGroups=www-data` in the unit) or use `chmod-socket = 666`.

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket
- https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#UMask=
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
- https://nginx.org/en/docs/ngx_core_module.html#user
"""

from wsgilint.findings import ERROR, WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.numbers import is_digits

_APACHE_USERS = frozenset({"www-data", "apache", "httpd", "33", "48"})
# (front end, route kinds) whose failure a real-server test shows for a configuration the files
# decide: the finding is an error there, a warning elsewhere. nginx: None (any kind the rule reads):
# tests/test_proof_socket_owner.py::test_lint_error_fixture_fails_as_deployed. Apache: mod_proxy_uwsgi
# routes only (`unix:...|uwsgi://`): test_lint_apache_fixture_fails_as_deployed and
# test_lint_apache_known_users_fails_as_deployed; mod_proxy_http to a unix socket is not measured.
_PROVEN = {"nginx": None, "apache": frozenset({"proxy_uwsgi"})}


def _proven(route) -> bool:
    if route.frontend not in _PROVEN:
        return False
    kinds = _PROVEN[route.frontend]
    return kinds is None or route.kind in kinds
# Options that keep uWSGI root until after it binds (unbit/uwsgi@0d1c793465ac331bdb43c6d56fb7c348ea94f463:
# core/uwsgi.c:2607 and 2845, uwsgi_start: uwsgi_as_root() runs before uwsgi_bind_sockets() only
# without chown-socket, master-as-root, drop-after-init, drop-after-apps).
_LATE_DROP = ("master-as-root", "drop-after-init", "drop-after-apps")


def _where(option) -> str:
    sp = option.span
    return f"{sp.source.path}:{sp.line}" if sp is not None and getattr(sp, "source", None) is not None else "?"


def _static(cfg, key):
    o = cfg.last(key)
    return None if o is None or o.dynamic else o


def _launcher_ids(cfg, accounts) -> tuple[str | None, str | None, str]:
    """(user, group, where) that starts uWSGI: a systemd unit's User=/Group= (systemd.exec(5): root
    when unset; "If no group is set, the default group of the user is used"), Debian's init
    script (run as root). Others: not known here."""
    la = cfg.launcher
    if la is None:
        return None, None, ""
    if la.kind == "systemd":
        user = la.user or "root"
        group = la.group or ("root" if user == "root" else accounts.primary_group(user) if accounts else None)
        where = f"User={la.user} of {la.name}" if la.user else f"{la.name} sets no User= (systemd runs it as root)"
        if la.group:
            where += f", Group={la.group}"
        elif user != "root" and group:
            where += f", {user}'s primary group in /etc/passwd"
        return user, group, where
    if la.kind == "debian-init":
        return "root", "root", f"{la.name} (run as root)"
    return None, None, ""


def _owner(cfg, accounts) -> tuple[str | None, str, str | None, str]:
    """(owner, where, group, where) of the socket file uWSGI binds. uWSGI binds after `uid`/`gid`
    drop privileges (measured with uWSGI 2.0.21 and 2.0.31: tests/test_proof_socket_owner.py),
    unless chown-socket or _LATE_DROP keep it root until then; `gid` unset: no setgid()
    (core/utils.c:832 at the commit above). chown-socket = user[:group] then chowns the file
    (core/utils.c uwsgi_chown; group unchanged without `:group`)."""
    l_user, l_group, l_where = _launcher_ids(cfg, accounts)
    chown = _static(cfg, "chown-socket")
    if cfg.has("chown-socket") and chown is None:
        return None, "", None, ""
    uid, gid = _static(cfg, "uid"), _static(cfg, "gid")
    if cfg.has("uid") and uid is None or cfg.has("gid") and gid is None:
        return None, "", None, ""
    if chown is not None:
        u, _, g = chown.value.strip().partition(":")
        if not u.strip() or any(c.isspace() for c in u + g):
            return None, "", None, ""  # uWSGI refuses it (unable to find user): not this rule's
        c_where = f"chown-socket = {chown.value.strip()} ({_where(chown)})"
        if g:
            return u, c_where, g, c_where
        return u, c_where, l_group, (f"the group uWSGI binds with ({l_where})" if l_group else "")
    if uid is not None and not any(cfg.has(k) for k in _LATE_DROP):
        u = uid.value.strip()
        if gid is not None:
            g, g_where = gid.value.strip(), f"gid = {gid.value.strip()} ({_where(gid)})"
        else:
            g, g_where = l_group, (f"no gid, so the group of {l_where}" if l_group else "")
        return u, f"uid = {u} ({_where(uid)})", g, g_where
    if uid is not None or any(cfg.has(k) for k in _LATE_DROP):
        return None, "", None, ""
    return l_user, l_where, l_group, l_where


def _octal(text: str) -> int | None:
    return int(text, 8) if text and all(c in "01234567" for c in text) else None


def _umask(cfg) -> tuple[int | None, str]:
    """uWSGI's umask when it binds. `umask` (an immediate option: umask(2) as it is parsed):
    uwsgi_mode_t reads 3 characters, the last 3 of 4 ("0022"), and 0 for a shorter value
    (unbit/uwsgi@0d1c793465ac331bdb43c6d56fb7c348ea94f463:core/uwsgi.c:4320 uwsgi_opt_set_umask,
    core/utils.c:4516 uwsgi_mode_t). Without it, `daemonize` sets umask 0 (core/utils.c:161,
    daemonize(), called from uwsgi_setup before the sockets are bound; not under the Emperor).
    Else the launcher's (systemd UMask=, default 0022)."""
    o = cfg.last("umask")
    if o is not None:
        if o.dynamic:
            return None, ""
        v = o.value.strip()
        if len(v) < 3:
            return 0, f"umask = {v} ({_where(o)}: uWSGI reads it as 000)"
        m = _octal(v[:3] if len(v) == 3 else v[1:4])
        return m, f"umask = {v} ({_where(o)})"
    la = cfg.launcher
    d = cfg.last("daemonize")
    if d is not None and not d.dynamic and d.value.strip() and (la is None or la.kind != "emperor"):
        return 0, f"daemonize ({_where(d) if d.span is not None else la.name if la else '?'}) sets umask 0"
    if la is not None and la.umask is not None:
        return _octal(la.umask[0].strip()), la.umask[1]
    return None, ""


def _mode(cfg) -> tuple[int | None, str]:
    """The socket's mode. chmod-socket: "1" (or no value on the command line) or a value of 0 means
    666; else exactly 3 octal digits (unbit/uwsgi@0d1c793465ac331bdb43c6d56fb7c348ea94f463:
    core/uwsgi.c:4583 uwsgi_opt_chmod_socket, core/socket.c bind_to_unix: chmod(666) when the value
    is 0). Without it: 0777 & ~umask (measured: tests/test_proof_socket_owner.py)."""
    o = cfg.last("chmod-socket", "chmod")
    if o is not None:
        v = o.value.strip() if not o.dynamic else ""
        m = 0o666 if v == "1" else _octal(v) if len(v) == 3 else None
        if m == 0:
            m = 0o666
        return m, f"chmod-socket = {v} ({_where(o)})"
    um, where = _umask(cfg)
    if um is None:
        return None, ""
    return 0o777 & ~um, f"0777 minus umask {um:03o}: {where}"


def _web_user(route) -> tuple[str | None, str]:
    """The user the web server's children run as: Apache's `User` (after envvars' ${APACHE_RUN_USER}),
    nginx's `user`. Unknown without it: httpd's compiled default and nginx's --user (nobody unless
    the build sets it, nginx/nginx@44a2b97bd2773dc679ebce32eaf3c6f4f665f36c:auto/unix) are not in the tree."""
    d, name = _web_directive(route, "user")
    if d is None:
        return None, ""
    return d.args[0], f"{name} runs as {d.args[0]} ({_directive_where(d)})"


def _web_group(route) -> tuple[str | None, str]:
    """The web server's group: Apache's `Group`; nginx's `user USER GROUP`, GROUP defaulting to
    USER's name (nginx/nginx src/core/nginx.c ngx_set_user). Both then call initgroups(user, group)
    (nginx src/os/unix/ngx_process_cycle.c ngx_worker_process_init; httpd os/unix/unixd.c), so the
    children are also in every group /etc/group lists the user in."""
    if route.frontend == "nginx":
        d, _ = _web_directive(route, "user")
        if d is None:
            return None, ""
        g = d.args[1] if len(d.args) > 1 else d.args[0]
        return (None, "") if "$" in g else (g, f"user {' '.join(d.args[:2])} ({_directive_where(d)})")
    d, _ = _web_directive(route, "group")
    if d is None:
        return None, ""
    return d.args[0], f"Group {d.args[0]} ({_directive_where(d)})"


def _web_directive(route, key):
    server = route.server
    if route.frontend == "nginx":
        found = [d for d in server.config.tree.children_named(key) if d.args]
        name = "nginx"
    else:
        found = [d for d in server.directives(key) if d.args and d.parent is not None
                 and d.parent.parent is None] if server.complete else []
        name = "Apache"
    if not found:
        return None, name
    d = found[-1]
    if "$" in d.args[0] or d.args[0].startswith("#"):
        return None, name  # an unresolved ${VAR} (no envvars in the tree), or Apache's #uid form
    return d, name


def _directive_where(d) -> str:
    sp = d.span
    line_text = ""
    if sp is not None and getattr(sp.source, "text", None):
        lines = sp.source.text.split("\n")
        line_text = lines[sp.line - 1] if 0 < sp.line <= len(lines) else ""
    via = " via envvars" if "${" in line_text else ""
    return f"{sp.source.path}:{sp.line}{via}"


def _decide(model, cfg, route):
    """(severity, message) when both users are known, None to use the older heuristics, or
    ("quiet", "") when the web server's user can connect (or it is not known that it cannot)."""
    acc = model.accounts
    norm_u = (lambda u: acc.user_name(u)) if acc is not None else (lambda u: u)
    norm_g = (lambda g: acc.group_name(g)) if acc is not None else (lambda g: g)
    owner, o_where, group, g_where = _owner(cfg, acc)
    web, w_where = _web_user(route)
    if owner is None or web is None:
        return None
    owner, web = norm_u(owner), norm_u(web)
    if web in ("root", "0") or web == owner:
        return "quiet", ""
    mode, m_where = _mode(cfg)
    if mode is None:
        if cfg.has("chmod-socket", "chmod") or cfg.has("chown-socket"):
            return "quiet", ""  # a mode uWSGI refuses, or not read here
        return None  # umask unknown: the older message names it
    wgroup, wg_where = _web_group(route)
    in_group, why = None, ""
    if group is not None:
        group = norm_g(group)
        if wgroup is not None and norm_g(wgroup) == group:
            in_group, why = True, f"{wg_where}"
        elif acc is not None and acc.has_groups:
            listed = acc.groups_of(web)
            if group in (listed or set()):
                in_group, why = True, f"{acc.where} lists {web} in {group}"
            elif wgroup is not None:
                in_group, why = False, f"{wg_where}; {acc.where} does not list {web} in {group}"
    if in_group is True:
        allowed = bool(mode & 0o020)
    elif in_group is False:
        allowed = bool(mode & 0o002)
    elif mode & 0o020 or mode & 0o002:
        return "quiet", ""  # group membership not known: group or other write may let it in
    else:
        allowed = False
    if allowed:
        return "quiet", ""
    code = "502" if route.frontend == "nginx" else "503"
    err = "(13: Permission denied)" if route.frontend == "nginx" else "(13)Permission denied"
    gtxt = f", group {group} ({g_where})" if group is not None else ""
    member = (f"; {web} is in group {group} ({why}) but the group may not write" if in_group else
              f"; {web} is not in group {group} ({why})" if in_group is False else "")
    msg = (f"unix socket {route.bind.address.path} gets owner {owner} ({o_where}){gtxt} and mode {mode:03o} "
           f"({m_where}), but {w_where}{member}: it cannot connect and {route.path} answers {code} ({err})")
    l_user = _launcher_ids(cfg, acc)[0]
    if l_user is not None and norm_u(l_user) not in ("root", "0") and not cfg.has("chown-socket"):
        # uwsgi_chown(): chown(2) as a non-root user to a group it is not in fails (EPERM) and uWSGI
        # exits (unbit/uwsgi@0d1c793465ac331bdb43c6d56fb7c348ea94f463:core/utils.c:2616; measured:
        # tests/test_proof_socket_owner.py::test_chown_socket_to_apaches_group_needs_root_or_membership)
        wg = norm_g(wgroup) if wgroup is not None else "the web server's group"
        msg += (f"; uWSGI runs as {norm_u(l_user)}, not root, so `chown-socket = {norm_u(l_user)}:{wg}` works only "
                f"if {norm_u(l_user)} is in {wg} (else chown() fails and uWSGI exits): `chmod-socket = 666` does not "
                f"need that")
    return (ERROR if _proven(route) else WARNING), msg


def check(model: Deployment):
    reported = set()
    routes = [r for s in model.apache for r in s.routes if r.kind in ("proxy_uwsgi", "proxy_http", "proxy_other")]
    routes += [r for s in model.nginx for r in s.routes if r.kind in ("nginx_uwsgi", "nginx_proxy")]
    for route in routes:
        b, app = route.bind, route.backend
        if b is None or app is None or b.address.kind != "unix" or id(b) in reported:
            continue
        cfg = app.config
        front = "nginx" if route.frontend == "nginx" else "Apache"
        decided = _decide(model, cfg, route)
        severity = None
        if decided is not None:
            if decided[0] == "quiet":
                continue
            severity, msg = decided
        else:
            msg = _older(cfg, route, front, model.accounts)
            if msg is None:
                continue
        reported.add(id(b))
        yield Hit(b.option.span, msg, severity=severity, service=route.service or app.service,
                  related=[Related(route.target_span(), "the ProxyPass that connects to it" if front == "Apache"
                                   else "the uwsgi_pass/proxy_pass that connects to it")])


def _older(cfg, route, front, accounts) -> str | None:
    """One user (or uWSGI's umask) not known from the tree: a warning that names what is assumed."""
    b = route.bind
    creator, c_where, _g, _gw = _owner(cfg, accounts)
    web, w_where = _web_user(route)
    code = "502" if route.frontend == "nginx" else "503"
    err = "(13: Permission denied)" if route.frontend == "nginx" else "(13)Permission denied"
    if cfg.has("chown-socket") or cfg.has("chmod-socket", "chmod"):
        return None  # chown-socket/chmod-socket with a user not known here: not known to fail
    if web == "root" or creator is not None and creator == web:
        return None
    if creator is not None and web is not None:
        return (f"unix socket {b.address.path} belongs to {creator} ({c_where}) with uWSGI's umask "
                f"(no chmod-socket/chown-socket), but {w_where}, which cannot connect unless uWSGI starts "
                f"with a umask that lets others write (its launcher is not in the tree): {route.path} "
                f"answers {code} ({err})")
    if front == "nginx":
        return None  # nginx: only when both users are known (above)
    if web is None and creator is None:
        ids = [o.value.strip() for o in cfg.all("uid") + cfg.all("gid")]
        if any(o.dynamic for o in cfg.all("uid") + cfg.all("gid")) or any(i in _APACHE_USERS for i in ids):
            return None
    elif creator in _APACHE_USERS and web is None:
        return None
    who = f" ({c_where})" if creator is not None else ""
    whom = (f"{front}, which runs as {w_where.split(' runs as ', 1)[1]}," if web is not None
            else f"{front}'s user")
    return (f"unix socket {b.address.path} gets uWSGI's owner{who} and umask (no chmod-socket/chown-socket): "
            f"{whom} cannot connect and {route.path} answers {code} ({err})")


RULE = Rule(
    id="WSG215",
    name="proxy-unix-socket-permissions",
    severity=WARNING,
    summary="ProxyPass/uwsgi_pass to a uWSGI unix socket the web server's user cannot write (503/502)",
    fix="Add `chmod-socket = 660` and `chown-socket = <user>:<the web server's group>` to the uWSGI ini when uWSGI "
        "starts as root (a non-root uWSGI can chown only to a group it is in, else it exits), or `chmod-socket = 666`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket",
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
        "https://nginx.org/en/docs/ngx_core_module.html#user",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#UMask=",
    ),
    check=check,
    docs=__doc__,
)
