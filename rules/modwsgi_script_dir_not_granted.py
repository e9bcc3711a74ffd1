"""The directory of a WSGIScriptAlias target is not granted: every request gets 403.

## What it does
For each WSGIScriptAlias route, merges the `<Directory>`, `<Files>` and
`<Location>` sections that apply to the script file and its URL in httpd's
order (the main server's and the VirtualHost's together, wherever the
VirtualHost stands in the files: `<Directory>` by path length, then
`<DirectoryMatch>`, `<Files>`, `<Location>`) and finds the one whose `Require`
is merged last. Reports the route when that is
`Require all denied`, or when nothing grants the script's directory and the
file is a fragment whose server config was not read: then the distribution's
defaults are assumed (Debian and RHEL deny `<Directory />` and grant only
/var/www, plus /usr/share on Debian).

## Why is this bad?
mod_authz_core denies the request before mod_wsgi runs: **403 Forbidden**, and
the error log says `AH01630: client denied by server configuration:
/usr/local/bin/app-wsgi`. Measured on Apache 2.4.71. Common when a sample grants
one directory while the alias points into another: ironic's sample grants the
source tree while the alias points at the console script in bin; heat's
current sample does the reverse (aliases `%HEAT_DIR%/api/wsgi.py`, grants
`%HEAT_BIN_DIR%`, openstack/heat@526defd06e:etc/heat/httpd/heat-api.conf); aodh,
cinder and manila grant nothing at all.

## Example
```apache
WSGIScriptAlias /heat-api /usr/local/bin/heat-wsgi-api
<Directory /opt/stack/heat/heat/api>
    Require all granted
</Directory>
```

## Use instead
```apache
WSGIScriptAlias /heat-api /usr/local/bin/heat-wsgi-api
<Directory /usr/local/bin>
    Require all granted
</Directory>
```

## References
- https://httpd.apache.org/docs/2.4/mod/mod_authz_core.html#require
- https://httpd.apache.org/docs/2.4/sections.html#merging
- https://github.com/apache/httpd/blob/2.4.x/server/request.c (`ap_directory_walk`)
- https://github.com/apache/httpd/blob/2.4.x/modules/aaa/mod_authz_core.c
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.knowledge import DISTRO_GRANTED_DIRS
from wsgilint.model.access import access
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes


def _under(path: str, base: str) -> bool:
    base = base.rstrip("/")
    return path == base or path.startswith(base + "/")


def check(model: Deployment):
    for route in apache_routes(model, ("mod_wsgi",)):
        script = route.script or ""
        if not script.startswith("/") or "%" in script or "{" in script:
            continue  # templated or relative: cannot tell
        # httpd's merge order (main server, then the vhost; Directory by length, Files, Location),
        # not file order: wsgilint.model.access, measured in tests/test_differential_sections.py.
        decided = access(route.server.config.tree, route.vhost, script, route.path)
        verdict, winner = decided.verdict, decided.section
        if verdict in ("granted", "conditional"):
            continue
        folder = script.rsplit("/", 1)[0] or "/"
        if verdict is None:
            if route.server.complete:
                continue  # the whole tree was read: no access rule at all means httpd allows it
            if any(_under(folder, g) for g in DISTRO_GRANTED_DIRS):
                continue
            yield Hit(route.span,
                      f"nothing grants {folder} (the script's directory): with the distribution's default "
                      f"`<Directory /> Require all denied` every request to {route.path} gets 403 (AH01630 client "
                      f"denied by server configuration)",
                      service=route.service)
            continue
        yield Hit(route.span,
                  f"access to {script} is denied by the `Require` that applies to it last in httpd's merge order: "
                  f"every request to {route.path} gets 403 (AH01630 client denied by server configuration)",
                  service=route.service,
                  related=[Related(winner.span, "this section decides access to the script")])


RULE = Rule(
    id="WSG210",
    name="modwsgi-script-dir-not-granted",
    severity=WARNING,
    summary="No `Require all granted` covers the WSGIScriptAlias target's directory (403)",
    fix="Add `<Directory /path/of/the/script> Require all granted </Directory>` for the script's own directory",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_authz_core.html#require",
        "https://httpd.apache.org/docs/2.4/sections.html#merging",
        "https://github.com/apache/httpd/blob/2.4.x/server/request.c",
        "https://github.com/apache/httpd/blob/2.4.x/modules/aaa/mod_authz_core.c",
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html",
    ),
    check=check,
    docs=__doc__,
)
