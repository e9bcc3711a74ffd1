"""`<IfVersion>` in a configuration that does not load mod_version.

## What it does
For a complete Apache tree (a root config and everything it includes), finds
`<IfVersion>` sections that httpd reads before any `LoadModule version_module`.
Which modules are compiled in depends on the layout: Red Hat's httpd (root
`<ServerRoot>/conf/httpd.conf`, e.g. /etc/httpd/conf/httpd.conf; an upstream
build has the same layout) compiles in only core, mod_so and http_core and
loads mod_version from conf.modules.d/00-base.conf. Debian's apache2 (root
`apache2.conf`) has mod_version built in, so the rule stays silent there, and
also for a bare `httpd.conf` elsewhere: Debian's binary keeps its built-in
modules whatever the root file is called (measured with `apache2 -f`), so
without the Red Hat layout nothing is assumed missing. Fragments read alone
are not judged: whether mod_version is loaded is unknown.

## Why is this bad?
`<IfVersion>` is a directive of mod_version. Without it, httpd stops at start-up:
`Invalid command '<IfVersion', perhaps misspelled or defined by a module not
included in the server configuration` (AH00526) and `apache2ctl configtest`
fails. Vhost templates written on Debian (devstack's lib/apache notes that
mod_version is built in there; designate's template uses `<IfVersion>`) break
when copied to a Red Hat host whose 00-base.conf line was removed. The severity
is info: a custom build may compile mod_version in, which the layout alone
cannot tell.

## Example
```apache
# /etc/httpd/conf/httpd.conf (no LoadModule version_module anywhere)
<IfVersion >= 2.4>
    ErrorLogFormat "%{cu}t %M"
</IfVersion>
```

## Use instead
```apache
LoadModule version_module modules/mod_version.so
<IfVersion >= 2.4>
    ErrorLogFormat "%{cu}t %M"
</IfVersion>
```
or drop the `<IfVersion>` wrapper (every supported httpd is 2.4).

## References
- https://httpd.apache.org/docs/2.4/mod/mod_version.html
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
- https://src.fedoraproject.org/rpms/httpd/blob/rawhide/f/00-base.conf
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for server in model.apache:
        if not server.complete:
            continue
        for span in server.config.ifversion_unloaded:
            yield Hit(span, f"<IfVersion> but version_module is not loaded at this point of {server.path} "
                      f"(not compiled into this layout's httpd): httpd stops with \"Invalid command "
                      f"'<IfVersion'\"")


RULE = Rule(
    id="WSG230",
    name="apache-ifversion-without-mod-version",
    severity=INFO,
    summary="<IfVersion> used where mod_version is neither compiled in nor loaded",
    fix="Add `LoadModule version_module modules/mod_version.so` before it, or drop the <IfVersion> wrapper",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_version.html",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
        "https://src.fedoraproject.org/rpms/httpd/blob/rawhide/f/00-base.conf",
    ),
    check=check,
    docs=__doc__,
)
