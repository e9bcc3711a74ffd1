"""The directory of a WSGIScriptAlias target is not granted: every request gets 403.

## What it does
For each WSGIScriptAlias route, looks at the `<Directory>`, `<Files>` and
`<Location>` sections that apply to the script file and its URL and finds the
one whose `Require` wins (the most specific). Reports the route when that is
`Require all denied`, or when nothing grants the script's directory and the
file is a fragment whose server config was not read: then the distribution's
defaults are assumed (Debian and RHEL deny `<Directory />` and grant only
/var/www, plus /usr/share on Debian).

## Why is this bad?
mod_authz_core denies the request before mod_wsgi runs: **403 Forbidden**, and
the error log says `AH01630: client denied by server configuration:
/usr/local/bin/app-wsgi`. Measured on Apache 2.4.71. Common when a sample grants
the source directory while the alias points at the console script in bin
(heat's and ironic's samples), or grants nothing at all (aodh, cinder, manila).

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
- https://github.com/apache/httpd/blob/2.4.x/modules/aaa/mod_authz_core.c
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.knowledge import DISTRO_GRANTED_DIRS
from wsgilint.model.types import Deployment
from wsgilint.rules._modwsgi import apache_routes

_DIR_KEYS = ("<directory", "<directorymatch")
_FILES_KEYS = ("<files", "<filesmatch")
_LOC_KEYS = ("<location", "<locationmatch")


def _verdict(section) -> str | None:
    """'granted', 'denied' or None (no access rule in this section)."""
    requires = section.children_named("require")
    if requires:
        words = [" ".join(a.lower() for a in d.args) for d in requires]
        if all(w in ("all denied", "not all granted") for w in words):
            return "denied"
        return "granted"
    allow = section.children_named("allow")  # mod_access_compat (2.2 style)
    if allow:
        return "granted"
    deny = section.children_named("deny")
    if deny:
        return "denied"
    return None


def _depth(section) -> int:
    return len([p for p in (section.args[0] if section.args else "/").split("/") if p])


def _under(path: str, base: str) -> bool:
    base = base.rstrip("/")
    return path == base or path.startswith(base + "/")


def check(model: Deployment):
    for route in apache_routes(model, ("mod_wsgi",)):
        script = route.script or ""
        if not script.startswith("/") or "%" in script or "{" in script:
            continue  # templated or relative: cannot tell
        dirs = sorted((s for s in route.scopes if s.key in _DIR_KEYS), key=_depth)
        ordered = dirs + [s for s in route.scopes if s.key in _FILES_KEYS] + \
            [s for s in route.scopes if s.key in _LOC_KEYS]
        winner, verdict = None, None
        for sec in ordered:
            v = _verdict(sec)
            if v is not None:
                winner, verdict = sec, v
        if verdict == "granted":
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
                  f"access to {script} is denied by the `Require` that applies to it: every request to {route.path} "
                  f"gets 403 (AH01630 client denied by server configuration)",
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
        "https://github.com/apache/httpd/blob/2.4.x/modules/aaa/mod_authz_core.c",
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIScriptAlias.html",
    ),
    check=check,
    docs=__doc__,
)
