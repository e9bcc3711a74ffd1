"""WSGIProcessGroup names a daemon process group that is not defined where it is used.

## What it does
Finds WSGIScriptAlias routes whose process group (`WSGIProcessGroup NAME` in a
scope that applies, or `process-group=NAME` on the WSGIScriptAlias line) has no
`WSGIDaemonProcess NAME` visible from that route: none at all, or only one inside
another `<VirtualHost>` with a different ServerName (mod_wsgi makes a group
defined in a VirtualHost private to it).

## Why is this bad?
Measured with Apache 2.4.71 and mod_wsgi 4.9.4:
- an undefined name (a typo): httpd starts, but every request to the
  application fails with **500 Internal Server Error** and the error log says
  `No WSGI daemon process called 'NAME' has been configured` (mod_wsgi
  src/server/wsgi_remote.c);
- `process-group=NAME` naming a group defined in another VirtualHost (other
  ServerName): httpd refuses the configuration, `apache2 -t` says
  `WSGI process group not accessible.`;
- `WSGIProcessGroup NAME` in that situation: httpd starts and every request
  gets 500 with `Daemon process called 'NAME' cannot be accessed by this WSGI
  application`.

## Example
```apache
<VirtualHost *:5000>
    WSGIDaemonProcess keystone-public processes=4 threads=1
    WSGIProcessGroup keystone
    WSGIScriptAlias / /var/www/keystone/keystone.wsgi
</VirtualHost>
```

## Use instead
```apache
<VirtualHost *:5000>
    WSGIDaemonProcess keystone-public processes=4 threads=1
    WSGIProcessGroup keystone-public
    WSGIScriptAlias / /var/www/keystone/keystone.wsgi
</VirtualHost>
```

## References
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIProcessGroup.html
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html
- https://github.com/GrahamDumpleton/mod_wsgi/blob/develop/src/server/wsgi_remote.c
"""

from wsgilint.findings import ERROR, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes, daemon_directives, is_expansion, process_group, visible_daemon


def check(model: Deployment):
    for route in apache_routes(model, ("mod_wsgi",)):
        name, where = process_group(route)
        if name is None or is_expansion(name) or visible_daemon(model, route, name) is not None:
            continue
        elsewhere = [d for d in daemon_directives(route.server) if d.args[0] == name]
        note = " (the one defined in another VirtualHost is private to it)" if elsewhere else ""
        if elsewhere and where is route.directive:
            effect = "httpd refuses to start (WSGI process group not accessible)"
        elif elsewhere:
            effect = (f"every request to {route.path} gets 500 (\"Daemon process called '{name}' cannot be "
                      f"accessed by this WSGI application\")")
        else:
            effect = (f"every request to {route.path} gets 500 (\"No WSGI daemon process called '{name}' has "
                      f"been configured\")")
        yield Hit(where.span,
                  f"process group {name!r} is not defined by any WSGIDaemonProcess visible here{note}: {effect}",
                  service=route.service,
                  related=[Related(d.span, "defined here, in another VirtualHost") for d in elsewhere]
                  + ([Related(route.span, "the WSGIScriptAlias it applies to")] if where is not route.directive else []))


RULE = Rule(
    id="WSG206",
    name="modwsgi-process-group-undefined",
    severity=ERROR,
    summary="WSGIProcessGroup names a daemon group that is not defined (500 on every request)",
    fix="Name a WSGIDaemonProcess defined outside any VirtualHost or in the same one (check the spelling)",
    references=(
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIProcessGroup.html",
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html",
        "https://github.com/GrahamDumpleton/mod_wsgi/blob/develop/src/server/wsgi_remote.c",
    ),
    check=check,
    docs=__doc__,
)
