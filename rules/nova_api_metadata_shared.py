"""nova's compute API and metadata API served by the same WSGI process.

## What it does
Finds one uWSGI instance that loads both nova applications (two `module`,
`wsgi-file`, `wsgi` or `mount` options: one `nova.wsgi.osapi_compute` /
`nova-api-wsgi`, one `nova.wsgi.metadata` / `nova-metadata-wsgi`), and one
mod_wsgi daemon process group that runs both scripts.

## Why is this bad?
nova's WSGI guide: "sharing the compute and metadata service in the same
process is not supported", and since 33.0.0 (2026.1), with the eventlet
`nova-api` gone, "it is no longer possible to run the compute API and metadata
APIs in the same process". Both applications set up nova's process-wide state
(config, RPC transport, service version checks) for themselves; the second one
loaded inherits the first one's, so one of the APIs runs with the wrong setup.
Give each its own uWSGI instance (devstack: nova-api-uwsgi.ini and
nova-metadata-uwsgi.ini) or its own `WSGIDaemonProcess`.

## Example
```apache
WSGIDaemonProcess nova processes=2 threads=1 user=nova group=nova
WSGIProcessGroup nova
WSGIScriptAlias /compute /usr/local/bin/nova-api-wsgi
WSGIScriptAlias /metadata /usr/local/bin/nova-metadata-wsgi
```

## Use instead
```apache
WSGIDaemonProcess nova-api processes=2 threads=1 user=nova group=nova
WSGIDaemonProcess nova-metadata processes=2 threads=1 user=nova group=nova
WSGIScriptAlias /compute /usr/local/bin/nova-api-wsgi process-group=nova-api
WSGIScriptAlias /metadata /usr/local/bin/nova-metadata-wsgi process-group=nova-metadata
```

## Known problems
mod_wsgi gives each script its own sub-interpreter by default
(`WSGIApplicationGroup %{RESOURCE}`), which separates Python state but not the
process; nova's guide does not distinguish, so neither does this rule.

## References
- https://docs.openstack.org/nova/latest/user/wsgi.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.knowledge import NOVA_COMPUTE_APP, NOVA_METADATA_APP
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes

_APP_KEYS = ("module", "wsgi-file", "wsgi", "mount", "file")


def _which(text: str) -> str | None:
    low = text.lower()
    if any(t in low for t in NOVA_METADATA_APP):
        return "metadata"
    if any(t in low for t in NOVA_COMPUTE_APP):
        return "compute"
    return None


def _message(where: str) -> str:
    return (f"{where} serves both the nova compute API and the metadata API: nova does not support sharing one "
            f"process between them (impossible since 33.0.0); give each its own")


def check(model: Deployment):
    for app in model.uwsgi:
        first: dict[str, object] = {}
        for opt in app.config.options:
            if opt.key not in _APP_KEYS:
                continue
            kind = _which(opt.value)
            if kind is None or kind in first:
                continue
            first[kind] = opt
            if len(first) == 2:
                other = first["compute" if kind == "metadata" else "metadata"]
                yield Hit(opt.span, _message(f"uWSGI app {app.path}"), service="nova",
                          related=[Related(other.span, f"the nova {'compute' if kind == 'metadata' else 'metadata'} "
                                                       f"API it also loads")])
    groups: dict[int, dict[str, object]] = {}
    for route in apache_routes(model, ("mod_wsgi",)):
        if route.daemon is None or not route.script:
            continue
        kind = _which(route.script)
        seen = groups.setdefault(id(route.daemon), {})
        if kind is None or kind in seen:
            continue
        seen[kind] = route
        if len(seen) == 2:
            other = seen["compute" if kind == "metadata" else "metadata"]
            yield Hit(route.span, _message(f"WSGIDaemonProcess {route.daemon.name}"), service="nova",
                      related=[Related(other.span, "the other nova API in the same process group"),
                               Related(route.daemon.directive.span, "the daemon process group")])


RULE = Rule(
    id="WSG434",
    name="nova-api-metadata-shared",
    severity=WARNING,
    summary="nova compute API and metadata API in one uWSGI instance or mod_wsgi daemon",
    fix="Run the compute API and the metadata API in separate uWSGI instances or WSGIDaemonProcess groups",
    references=("https://docs.openstack.org/nova/latest/user/wsgi.html",),
    check=check,
    docs=__doc__,
)
