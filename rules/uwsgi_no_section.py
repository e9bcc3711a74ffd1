"""uWSGI reads nothing from this ini file or line.

## What it does
Reports `ini =` targets without the section being read, and options placed
before any section header. (A file named on the command line without a
`[uwsgi]` section is not read as uWSGI at all: it is listed as skipped.)

## Why is this bad?
uWSGI silently ignores them: the socket, module or limits you wrote never apply.

## Example
```ini
socket = /run/uwsgi/glance.sock
[uwsgi]
module = glance.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
socket = /run/uwsgi/glance.sock
module = glance.wsgi.api:application
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#ini-files
"""
from wsgilint.findings import WARNING, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "uwsgi-no-section")


RULE = Rule(
    id="WSG008",
    name="uwsgi-no-section",
    severity=WARNING,
    summary="uWSGI reads nothing from this file or line",
    fix="Put the options under a [uwsgi] section (or name the section with ini = file.ini:section)",
    references=("https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#ini-files",),
    check=check,
    docs=__doc__,
)
