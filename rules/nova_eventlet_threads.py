"""nova's eventlet-era API runs with more than one thread per process.

## What it does
For nova older than 33.0.0 (before 2026.1, where native threads became the
default: openstack/nova@35207ee8b5, note threading-by-default-sch-api-meta),
finds nova API/metadata served by a mod_wsgi daemon with `threads` above 1
(mod_wsgi's default is 15) or by a uWSGI instance with `threads` above 1.
nova's version comes from `--openstack-release` or the tree's packages and is
named in the message; when it is unknown the warning says it applies to nova
older than 33.0.0. On 33.x, `OS_NOVA_DISABLE_EVENTLET_PATCHING` set to a false
value brings eventlet back (nova/monkey_patch.py); that environment is not read.

## Why is this bad?
Until 33.0.0 the nova API monkey-patches with eventlet. Real OS threads next to
eventlet's hub break it: RPC calls end in `MessagingTimeout` after the worker
was idle, and tracebacks say `cannot switch to a different thread`. nova's
release notes (Stein, bugs 1825584 and 1829062) say to run one thread per
process and scale with processes.

## Example
```apache
WSGIDaemonProcess nova-api processes=4 user=nova group=nova
WSGIProcessGroup nova-api
WSGIScriptAlias /compute /var/www/nova/nova-api.wsgi
```

## Use instead
```apache
WSGIDaemonProcess nova-api processes=4 threads=1 user=nova group=nova
WSGIProcessGroup nova-api
WSGIScriptAlias /compute /var/www/nova/nova-api.wsgi
```

## References
- https://docs.openstack.org/releasenotes/nova/stein.html
- https://docs.openstack.org/releasenotes/nova/2026.1.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.knowledge import EVENTLET_UNTIL, EVENTLET_UNTIL_RELEASE, MOD_WSGI_DEFAULTS
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes
from wsgilint.numbers import parse_int


def _int(text: str) -> int | None:
    return parse_int(text, signed=True)  # ASCII digits only, never raises (wsgilint.numbers)


def _eventlet(model: Deployment, service: str | None) -> str | None:
    """Why ``service`` runs eventlet (its version and where that came from), or None when it does not."""
    until = EVENTLET_UNTIL.get(service or "")
    if until is None:
        return None
    known = model.targets.service_version(service)
    if known is None:
        return (f"if {service} is older than {until}.0.0 ({EVENTLET_UNTIL_RELEASE[service]}; its version is "
                f"unknown)")
    return known[1] if known[0][0] < until else None


def check(model: Deployment):
    reported = set()
    for route in apache_routes(model, ("mod_wsgi",)):
        major = _eventlet(model, route.service)
        if major is None or route.daemon is None or id(route.daemon) in reported:
            continue
        raw = route.daemon.options.get("threads")
        threads = _int(raw) if raw is not None else MOD_WSGI_DEFAULTS["threads"].value
        if threads is None or threads <= 1:
            continue
        reported.add(id(route.daemon))
        how = f"threads={threads}" if raw is not None else f"no threads= (mod_wsgi default {threads})"
        yield Hit(route.daemon.directive.span,
                  f"WSGIDaemonProcess {route.daemon.name} runs {route.service} with {how} ({major}): "
                  f"eventlet-based nova needs threads=1 (MessagingTimeout after idle)",
                  service=route.service, related=[Related(route.span, "the nova route it serves")])
    for app in model.uwsgi:
        major = _eventlet(model, app.service)
        if major is None:
            continue
        opt = app.config.last("threads")
        threads = app.config.number("threads")
        if opt is None or opt.dynamic or threads is None or threads <= 1:
            continue
        yield Hit(opt.span,
                  f"{app.service} runs with threads={threads} ({major}): "
                  f"eventlet-based nova needs threads=1 (MessagingTimeout after idle)",
                  service=app.service)


RULE = Rule(
    id="WSG409",
    name="nova-eventlet-threads",
    severity=WARNING,
    summary="nova before 33.0.0 (eventlet) served with threads > 1",
    fix="Set threads=1 on the WSGIDaemonProcess (or `threads = 1` in uWSGI) and scale with processes",
    references=(
        "https://docs.openstack.org/releasenotes/nova/stein.html",
        "https://docs.openstack.org/releasenotes/nova/2026.1.html",
    ),
    check=check,
    docs=__doc__,
)
