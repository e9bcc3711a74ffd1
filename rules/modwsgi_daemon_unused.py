"""A WSGIDaemonProcess that no application runs in: the app runs embedded.

## What it does
Finds `WSGIDaemonProcess NAME` lines that no WSGIScriptAlias route uses, either
because there is no `WSGIProcessGroup NAME` (or `process-group=NAME`) at all,
or because it sits in a `<Directory>`/`<Location>` that does not apply to the
script (a `<Directory>` matches the script file's directory, not the URL).

## Why is this bad?
Without a process group that applies, mod_wsgi runs the application *embedded*
in Apache's own worker processes: the daemon's `processes=`, `threads=`,
`user=` and `python-path=` are silently not used, the app runs as the Apache
user with Apache's MPM threads, and a crash or leak takes Apache's workers with
it. Nothing is logged. Measured on Apache 2.4.71 / mod_wsgi 4.9.4: the
request's `mod_wsgi.process_group` is empty. ironic's sample has the pattern
(`WSGIProcessGroup` inside `<Directory /opt/stack/ironic/ironic/api>` while the
script is `/usr/local/bin/ironic-api-wsgi`), but it also sets WSGIProcessGroup
at VirtualHost level, which does apply: there only its WSGIApplicationGroup is
lost (WSG209).

## Example
```apache
WSGIDaemonProcess ironic user=stack processes=2 threads=1
WSGIScriptAlias /baremetal /usr/local/bin/ironic-api-wsgi
<Directory /opt/stack/ironic/ironic/api>
    WSGIProcessGroup ironic
    Require all granted
</Directory>
```

## Use instead
```apache
WSGIDaemonProcess ironic user=stack processes=2 threads=1
WSGIScriptAlias /baremetal /usr/local/bin/ironic-api-wsgi process-group=ironic application-group=%{GLOBAL}
<Directory /usr/local/bin>
    Require all granted
</Directory>
```

## References
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIProcessGroup.html
- https://modwsgi.readthedocs.io/en/master/user-guides/configuration-guidelines.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import daemon_directives, process_group


def _uses_handler(server) -> bool:
    """SetHandler/AddHandler wsgi-script: scripts mapped without WSGIScriptAlias (not modelled)."""
    for key in ("sethandler", "addhandler"):
        for d in server.directives(key):
            if d.args and d.args[0].lower() == "wsgi-script":
                return True
    return False


def check(model: Deployment):
    fragments = [s for s in model.apache if not s.complete]
    for server in model.apache:
        daemons = daemon_directives(server)
        if not daemons or _uses_handler(server):
            continue
        pool = [server] if server.complete else fragments
        used = set()
        for srv in pool:
            for route in srv.routes:
                if route.kind == "mod_wsgi":
                    name, _ = process_group(route)
                    if name:
                        used.add(name)
        for d in daemons:
            name = d.args[0]
            if name in used:
                continue
            stray = [g for srv in pool for g in srv.directives("wsgiprocessgroup") if g.args and g.args[0] == name]
            scripts = [r for r in server.routes if r.kind == "mod_wsgi"]
            if stray:
                why = "its WSGIProcessGroup is in a section that does not apply to any WSGIScriptAlias"
            else:
                why = "no WSGIProcessGroup or process-group= names it"
            if not scripts and not stray:
                continue  # a daemon for scripts configured elsewhere (nothing here to run in it)
            yield Hit(d.span,
                      f"WSGIDaemonProcess {name} is not used ({why}): the application runs embedded in Apache's "
                      f"worker processes and the daemon's processes/threads/user settings do nothing",
                      related=[Related(g.span, "this WSGIProcessGroup does not apply to the script") for g in stray]
                      + [Related(r.span, "runs embedded") for r in scripts[:1]])


RULE = Rule(
    id="WSG207",
    name="modwsgi-daemon-unused",
    severity=WARNING,
    summary="WSGIDaemonProcess defined but no WSGIProcessGroup applies: the app runs embedded",
    fix="Add `process-group=NAME` to the WSGIScriptAlias line (or WSGIProcessGroup NAME in the VirtualHost)",
    references=(
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIProcessGroup.html",
        "https://modwsgi.readthedocs.io/en/master/user-guides/configuration-guidelines.html",
    ),
    check=check,
    docs=__doc__,
)
