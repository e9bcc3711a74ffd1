"""A mod_wsgi application runs in a Python sub-interpreter.

## What it does
Finds WSGIScriptAlias routes with no `WSGIApplicationGroup` (and no
`application-group=` option) that applies to them, including the case where the
directive exists but sits in a `<Directory>` that does not contain the script
file, so it is never applied.

## Why is this bad?
mod_wsgi's default application group is `%{RESOURCE}`: each application gets a
Python *sub-interpreter*. C extensions that use the simplified GIL state API
(lxml, numpy, some crypto and database drivers pulled in by OpenStack services)
are not safe in sub-interpreters: requests hang or deadlock, or the process
crashes, usually only under load. `%{GLOBAL}` runs the application in the main
interpreter, which every OpenStack sample config uses.

## Example
```apache
WSGIDaemonProcess ironic processes=2 threads=1
WSGIScriptAlias /baremetal /usr/local/bin/ironic-api-wsgi process-group=ironic
<Directory /opt/stack/ironic/ironic/api>
    WSGIApplicationGroup %{GLOBAL}
</Directory>
```

## Use instead
```apache
WSGIDaemonProcess ironic processes=2 threads=1
WSGIScriptAlias /baremetal /usr/local/bin/ironic-api-wsgi process-group=ironic
WSGIApplicationGroup %{GLOBAL}
```

## References
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIApplicationGroup.html
- https://modwsgi.readthedocs.io/en/master/user-guides/application-issues.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes


def check(model: Deployment):
    for route in apache_routes(model, ("mod_wsgi",)):
        if "application-group" in route.params or route.setting("wsgiapplicationgroup") is not None:
            continue
        base = route.vhost if route.vhost is not None else route.server.config.tree
        stray = [d for d in base.iter() if d.key == "wsgiapplicationgroup"]
        why = ("the WSGIApplicationGroup here is in a section that does not contain the script"
               if stray else "no WSGIApplicationGroup applies")
        yield Hit(route.span,
                  f"{route.script} runs in a Python sub-interpreter ({why}): C extensions can hang or deadlock; "
                  f"use WSGIApplicationGroup %{{GLOBAL}}",
                  service=route.service,
                  related=[Related(d.span, "not applied to this script") for d in stray])


RULE = Rule(
    id="WSG209",
    name="modwsgi-application-group-unset",
    severity=WARNING,
    summary="No WSGIApplicationGroup %{GLOBAL} applies: the app runs in a sub-interpreter",
    fix="Add `WSGIApplicationGroup %{GLOBAL}` in the VirtualHost (or application-group=%{GLOBAL} on the alias)",
    references=(
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIApplicationGroup.html",
        "https://modwsgi.readthedocs.io/en/master/user-guides/application-issues.html",
    ),
    check=check,
    docs=__doc__,
)
