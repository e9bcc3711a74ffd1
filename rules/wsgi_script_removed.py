"""A WSGIScriptAlias or uWSGI wsgi-file names a script the service no longer ships.

## What it does
Finds `WSGIScriptAlias` targets and uWSGI `wsgi-file` values whose file name is
a WSGI script that the target OpenStack release no longer installs:
keystone-wsgi-public/-admin (keystone 28.0.0), nova-api-wsgi and
nova-metadata-wsgi (nova 33.0.0), placement-api (placement 15.0.0), cinder-wsgi
(cinder 28.0.0), glance-wsgi-api (glance 32.0.0), heat-wsgi-api/-cfn (heat
25.0.0), octavia-wsgi, designate-api-wsgi, manila-wsgi and barbican-wsgi-api.
The release comes from `--openstack-release` (default: the latest known one)
and is named in the message; the table lives in `wsgilint.knowledge.REMOVED_SCRIPTS`.

## Why is this bad?
After the upgrade the file is gone. mod_wsgi answers **404 Not Found** with
`Target WSGI script not found or unable to stat: /usr/bin/keystone-wsgi-public`
in the error log (measured on Apache 2.4.71 / mod_wsgi 4.9.4 with the file
absent); uWSGI starts without an application and answers every request with
`no python application found` / "Internal Server Error".

## Example
```apache
WSGIScriptAlias / /usr/bin/keystone-wsgi-public
```

## Use instead
Serve the module under uWSGI (`module = keystone.wsgi.api:application`), or for
mod_wsgi write the script yourself:
```apache
# /var/www/keystone/keystone.wsgi contains:
#   from keystone.wsgi.api import application
WSGIScriptAlias / /var/www/keystone/keystone.wsgi
```

## Known problems
The removals are those of the upstream projects (pip / pbr installs, devstack,
kolla). A distribution package may keep shipping its own copy of the script;
if yours does, pass the release you actually run (`--openstack-release`) or
suppress the finding for that line. The release of each removal lives in
`wsgilint.knowledge.REMOVED_SCRIPTS`, with its source.

## References
- https://docs.openstack.org/releasenotes/keystone/2025.2.html
- https://docs.openstack.org/releasenotes/nova/2026.1.html
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.knowledge import REMOVED_SCRIPTS, release_at_least
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes


def _message(what: str, path: str, release: str) -> str | None:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    gone = REMOVED_SCRIPTS.get(name)
    if gone is None or not release_at_least(release, gone.release):
        return None
    by = f"{gone.service} {gone.version} ({gone.release})" if gone.version else f"{gone.service} in {gone.release}"
    return (f"{what} {path}: {name} is no longer shipped since {by}; OpenStack {release} assumed. "
            f"Load `{gone.module}` instead")


def check(model: Deployment):
    release = model.targets.openstack
    for route in apache_routes(model, ("mod_wsgi",)):
        msg = _message("WSGIScriptAlias", route.script or "", release)
        if msg:
            yield Hit(route.target_span(), msg + " (mod_wsgi answers 404: Target WSGI script not found)",
                      service=route.service)
    for app in model.uwsgi:
        for opt in app.config.options:
            if opt.key not in ("wsgi-file", "file") or opt.dynamic:
                continue
            msg = _message(opt.key, opt.value.strip(), release)
            if msg:
                yield Hit(opt.span, msg + " (uWSGI starts without an application)", service=app.service)


RULE = Rule(
    id="WSG407",
    name="wsgi-script-removed",
    severity=ERROR,
    summary="WSGIScriptAlias/wsgi-file points at a WSGI script the target OpenStack release no longer ships",
    fix="uWSGI: `module = <service>.wsgi.api:application`; mod_wsgi: a .wsgi file that imports that module",
    references=(
        "https://docs.openstack.org/releasenotes/keystone/2025.2.html",
        "https://docs.openstack.org/releasenotes/nova/2026.1.html",
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html",
    ),
    check=check,
    docs=__doc__,
)
