"""A uWSGI ini that nothing in the tree starts: its service runs without uWSGI.

## What it does
When the checked tree is a whole root (`--root`, or the host) and holds the launcher of the
ini's own service, and that launcher does not start the ini, while no other launcher in the
tree does (no systemd unit, no Debian `apps-enabled` link, no Emperor vassal directory, no
ini that includes it), reports the ini once, as information, and does not judge it as a uWSGI
instance: the per-instance rules (unknown options, workers, sockets, ...) are about a process
that does not exist.

Today the launcher read for this is the openstack-pkg-tools init script of Debian's OpenStack
packages (`/etc/init.d/glance-api`, `/etc/init.d/nova-api`, ...): the service runs under uWSGI
only when the script's head sets `UWSGI_PORT`, `UWSGI_INI_PATH` and `UWSGI_INI_APP`; otherwise
it starts the service's own daemon (`/usr/bin/glance-api`). An ini the script names only in a
commented line, or `/etc/<project>/<name>-uwsgi.ini` while the script names another ini, is
started by nothing. With no launcher evidence for the service, every ini is checked as before.

## Why is this bad?
It is not: Debian 12's glance-api package ships `/etc/glance/glance-api-uwsgi.ini` and comments
out its `UWSGI_INI_PATH` ("Glance appears broken with uwsgi"), so glance-api runs as its
eventlet daemon. Editing that ini changes nothing; findings about it would be about a file no
process reads (the field test judged them false, fieldtest/README.md "Second round").

## Example
```sh
# /etc/init.d/glance-api (Debian 12, glance-api 2:25.1.0-2+deb12u5)
#UWSGI_PORT=9292
#UWSGI_INI_PATH=/etc/glance/glance-api-uwsgi.ini
#UWSGI_INI_APP=/usr/bin/glance-wsgi-api
```

## Use instead
Nothing, if the service is meant to run as its own daemon. To run it under uWSGI, set the three
lines in the script's head (or start the ini from a systemd unit):
```sh
UWSGI_PORT=9292
UWSGI_INI_PATH=/etc/glance/glance-api-uwsgi.ini
UWSGI_INI_APP=/usr/bin/glance-wsgi-api
```

## References
- openstack-pkg-tools 123 (Debian), /usr/share/openstack-pkg-tools/init-script-template:
  `if [ -n "${UWSGI_PORT}" ] && [ -n "${UWSGI_INI_PATH}" ] && [ -n "${UWSGI_INI_APP}" ]`
- https://salsa.debian.org/openstack-team/debian/openstack-pkg-tools
"""

from wsgilint.findings import INFO, Hit, Related, Rule
from wsgilint.model.types import Deployment
from wsgilint.source import Span


def _line_span(source, line: int) -> Span:
    if line <= 0:
        return Span(source, 0, 0)
    text = source.text
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return Span(source, 0, 0)
        start = nl + 1
    end = text.find("\n", start)
    return Span(source, start, len(text) if end < 0 else end)


def check(model: Deployment):
    for ns in model.not_started:
        related = [Related(_line_span(ns.evidence, ns.line), "what the service's launcher runs")]
        yield Hit(Span(ns.source, 0, 0), f"not started by anything in this tree: {ns.reason}; "
                  "its settings were not checked", related=related,
                  fix="nothing if the service runs without uWSGI; otherwise start this ini from its launcher")


RULE = Rule(
    id="WSG122",
    name="uwsgi-ini-not-started",
    severity=INFO,
    summary="A uWSGI ini that nothing in the tree starts (its service runs without uWSGI): not checked",
    fix="Nothing if the service runs without uWSGI; otherwise start the ini from its launcher",
    references=("https://salsa.debian.org/openstack-team/debian/openstack-pkg-tools",),
    check=check,
    docs=__doc__,
)
