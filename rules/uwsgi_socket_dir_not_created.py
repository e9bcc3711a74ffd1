"""A uWSGI unix socket under /run in a directory nothing creates at boot.

## What it does
For a uWSGI instance whose launcher is in the tree (a systemd unit, or Debian's uwsgi init
script), finds each unix socket (`socket`, `uwsgi-socket`, `http-socket`, ... from the ini, what
it includes, and the launcher's command line and environment) under `/run/<dir>/` or
`/var/run/<dir>/` whose directory nothing creates before uWSGI starts: not the unit's
`RuntimeDirectory=`, not a `d`/`D` line of a tmpfiles.d file in the tree (`/etc/tmpfiles.d`,
`/run/tmpfiles.d`, `/usr/lib/tmpfiles.d`), not another unit's `RuntimeDirectory=`, not Debian's
init script (it creates `/run/uwsgi/app/NAME` at each start), and no `hook-*`/`exec-*` option
of the instance that names the directory (`hook-asap = mkdir:/run/app` runs before the bind).
Quiet when the launcher is not known (no unit read, an Emperor vassal, a container).

## Why is this bad?
/run is a tmpfs: after a reboot only what systemd, tmpfiles.d or the init script creates is
there. uWSGI does not create a socket's directory: the bind fails and uWSGI exits at start
with status 1 and `bind(): No such file or directory [core/socket.c line 230]` (measured with
uWSGI 2.0.21 and 2.0.31, tests/test_proof_launch.py), so the service is down and every request
through the web server fails (502/503). A directory made by hand (`mkdir /run/keystone`) hides
this until the next reboot.

## Example
```ini
# /etc/systemd/system/keystone.service: User=keystone, no RuntimeDirectory=
[uwsgi]
socket = /run/keystone/keystone.sock
module = keystone.wsgi.api:application
```

## Use instead
```ini
# /etc/systemd/system/keystone.service
[Service]
RuntimeDirectory=keystone
```
or a tmpfiles.d entry (`d /run/keystone 0755 keystone keystone -`), or a socket in a directory
that is created (`/run/uwsgi/app/NAME/socket` under Debian's init script).

## References
- https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#RuntimeDirectory=
- https://www.freedesktop.org/software/systemd/man/latest/tmpfiles.d.html
- https://uwsgi-docs.readthedocs.io/en/latest/Hooks.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.model.types import Deployment

_KNOWN = ("systemd", "debian-init")


def _socket_dir(path: str) -> str | None:
    """The directory of a unix socket under /run (as /run/...), or None."""
    import posixpath

    if not path.startswith("/") or "\0" in path:
        return None
    p = posixpath.normpath(path)
    if p.startswith("/var/run/"):
        p = "/run/" + p[len("/var/run/"):]
    if not p.startswith("/run/"):
        return None
    d = posixpath.dirname(p)
    return None if d == "/run" else d


def _made(created) -> set[str]:
    """Every directory that exists at boot: each created one and its parents (/var/run is /run)."""
    out: set[str] = set()
    for c, _why in created:
        c = "/run/" + c[len("/var/run/"):] if c.startswith("/var/run/") else c
        while c and c not in out:
            out.add(c)
            c = c.rsplit("/", 1)[0]
    return out


def check(model: Deployment):
    for app in model.uwsgi:
        launcher = app.config.launcher
        if launcher is None or launcher.kind not in _KNOWN or launcher.boot_dirs is None:
            continue  # no launcher read, or too many boot-time entries to read: unknown
        made = None
        hooks = [o.value for o in app.config.options if o.key.startswith(("hook-", "exec-"))]
        seen = set()
        for b in app.binds:
            a = b.address
            if a.kind != "unix" or b.option.dynamic or not a.path:
                continue
            d = _socket_dir(a.path)
            if d is None or d in seen:
                continue
            if made is None:  # built once per instance, and only for one with a socket under /run
                made = _made(launcher.created_dirs) | _made(launcher.boot_dirs)
            if d in made:
                continue
            if any(d in h or d.replace("/run/", "/var/run/", 1) in h for h in hooks):
                continue  # made by a hook (mkdir:, exec-*): uWSGI runs the early ones before binding
            seen.add(d)
            runtime = d[len("/run/"):]
            if launcher.kind == "systemd":
                by = f"{launcher.name} has no RuntimeDirectory={runtime}"
            else:
                own = [c for c, _why in launcher.created_dirs if c.startswith("/run/uwsgi/")]
                by = f"Debian's uwsgi init script creates only {own[0] if own else '/run/uwsgi/app/<name>'}"
            yield Hit(b.option.span,
                      f"unix socket {a.path}: nothing in this tree creates {d} ({by}, no tmpfiles.d entry): "
                      f"/run is a tmpfs, so after a reboot uWSGI fails to bind (bind(): No such file or "
                      f"directory) and exits",
                      service=app.service,
                      fix=(f"add RuntimeDirectory={runtime} to {launcher.name}" if launcher.kind == "systemd"
                           else f"add a tmpfiles.d entry `d {d} 0755 <user> <group> -`"))


RULE = Rule(
    id="WSG123",
    name="uwsgi-socket-dir-not-created",
    severity=WARNING,
    summary="uWSGI unix socket under /run/<dir> that nothing creates at boot: uWSGI exits after a reboot",
    fix="Create the directory at boot: RuntimeDirectory= in the unit, or a tmpfiles.d `d` entry",
    references=(
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#RuntimeDirectory=",
        "https://www.freedesktop.org/software/systemd/man/latest/tmpfiles.d.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Hooks.html",
    ),
    check=check,
    docs=__doc__,
)
