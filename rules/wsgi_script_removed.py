"""A WSGIScriptAlias or uWSGI wsgi-file names a script the service no longer ships.

## What it does
Finds `WSGIScriptAlias` targets and uWSGI `wsgi-file` values whose file name is
a WSGI script that newer releases of its service no longer install:
keystone-wsgi-public/-admin (keystone 28.0.0, 2025.2), nova-api-wsgi and
nova-metadata-wsgi (nova 33.0.0, 2026.1), placement-api (placement 15.0.0),
cinder-wsgi (cinder 28.0.0), glance-wsgi-api (glance 32.0.0), neutron-api
(neutron 28.0.0), octavia-wsgi, designate-api-wsgi, manila-wsgi, ironic-api-wsgi
and barbican-wsgi-api. heat's heat-wsgi-api/-cfn are still shipped. The table,
each row with its source, is `wsgilint.knowledge.REMOVED_SCRIPTS`.

What it reports depends on the evidence, strongest first:
- checking a whole tree (`--root`, or this host): the script is in the tree, so
  nothing is reported; or it is missing while its directory is there: **error**;
- the service's version, given (`--openstack-release`) or read from the tree's
  packages (dpkg, rpm, Python metadata): an **error** when that version no
  longer ships the script, nothing when it does; the message names the version
  and where it came from;
- no evidence: a **warning** that names the version from which it breaks.

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
if yours does, check the whole tree with `--root` (the file is then seen) or
suppress the finding for that line.

## References
- https://docs.openstack.org/releasenotes/keystone/2025.2.html
- https://docs.openstack.org/releasenotes/nova/2026.1.html
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html
"""

from wsgilint.findings import ERROR, WARNING, Hit, Related, Rule
from wsgilint.knowledge import REMOVED_SCRIPTS, parse_version
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes


def _judge(model: Deployment, what: str, path: str):
    """(severity, message) for a script path, or None when nothing is wrong or the script is not one
    a service removed. The evidence, strongest first: the file itself (when the tree is a whole
    root), the service's version (given or detected), and else what happens in which versions."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    gone = REMOVED_SCRIPTS.get(name)
    if gone is None:
        return None
    when = f"{gone.service} {gone.version} ({gone.release})"
    instead = f"Load `{gone.module}` instead"
    present = model.present.get(path)
    if present is True:
        return None  # the tree holds the file: it works as deployed
    if present is False:
        folder = path.rsplit("/", 1)[0] or "/"
        return ERROR, (f"{what} {path}: the file is not in the tree although {folder} is; {name} is no longer "
                       f"shipped since {when} ({gone.source}). {instead}")
    known = model.targets.service_version(gone.service)
    removed = parse_version(gone.version)
    if known is not None:
        have, why = known
        if have[: len(removed)] < removed[: len(have)]:
            return None
        return ERROR, f"{what} {path}: {name} is no longer shipped since {when}; {why}. {instead}"
    return WARNING, (f"{what} {path}: {name} is no longer shipped since {when}: this breaks once {gone.service} "
                     f"is {gone.version} or later. {gone.service}'s version is unknown (give "
                     f"--openstack-release, or check the whole tree with --root so that its packages are "
                     f"read). {instead}")


def check(model: Deployment):
    # One finding per script per file: `WSGIScriptAlias /krb X` next to `WSGIScriptAlias / X` is one
    # problem with one fix (the field test judged a second finding noise); the other lines are related.
    first: dict[tuple[str, str], Hit] = {}
    for route in apache_routes(model, ("mod_wsgi",)):
        key = (route.span.path if route.span is not None else "", route.script or "")
        if key in first:
            first[key].related.append(Related(route.target_span(), "the same script, also aliased here"))
            continue
        verdict = _judge(model, "WSGIScriptAlias", route.script or "")
        if verdict:
            severity, msg = verdict
            hit = first[key] = Hit(route.target_span(), msg + " (mod_wsgi answers 404: Target WSGI script not found)",
                                   severity=severity, service=route.service)
    yield from first.values()
    for app in model.uwsgi:
        for opt in app.config.options:
            if opt.key not in ("wsgi-file", "file") or opt.dynamic:
                continue
            verdict = _judge(model, opt.key, opt.value.strip())
            if verdict:
                severity, msg = verdict
                yield Hit(opt.span, msg + " (uWSGI starts without an application)", severity=severity,
                          service=app.service)


RULE = Rule(
    id="WSG407",
    name="wsgi-script-removed",
    severity=ERROR,
    summary="WSGIScriptAlias/wsgi-file points at a WSGI script the deployed service version no longer ships",
    fix="uWSGI: `module = <service>.wsgi.api:application`; mod_wsgi: a .wsgi file that imports that module",
    references=(
        "https://docs.openstack.org/releasenotes/keystone/2025.2.html",
        "https://docs.openstack.org/releasenotes/nova/2026.1.html",
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html",
    ),
    check=check,
    docs=__doc__,
)
