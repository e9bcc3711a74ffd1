"""A mod_wsgi daemon process group runs with the default size (1 process).

## What it does
Finds `WSGIDaemonProcess` lines without `processes=`.

## Why is this bad?
The default is one process with 15 threads. All requests of the service share
one Python interpreter and its GIL, and a crash or a stuck request takes the
whole service down. Services that still run eventlet (nova before 33.0.0) want
`threads=1` and more processes instead.

## Example
```apache
WSGIDaemonProcess keystone-public user=keystone group=keystone
```

## Use instead
```apache
WSGIDaemonProcess keystone-public processes=4 threads=1 user=keystone group=keystone
```

## References
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for server in model.apache:
        for daemon in server.daemons.values():
            if "processes" in daemon.options:
                continue
            threads = daemon.options.get("threads", "15")
            yield Hit(daemon.directive.span,
                      f"WSGIDaemonProcess {daemon.name} has no processes=: it runs 1 process x {threads} threads")


RULE = Rule(
    id="WSG202",
    name="modwsgi-daemon-processes-unset",
    severity=INFO,
    summary="WSGIDaemonProcess without processes= runs a single process",
    fix="Set processes=N (and threads=) on the WSGIDaemonProcess line",
    references=("https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIDaemonProcess.html",),
    check=check,
    docs=__doc__,
)
