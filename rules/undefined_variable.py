"""A `${VAR}` reference has no Define (or envvars export) behind it.

## What it does
Reports `${NAME}` in a directive when no `Define NAME`, no Debian
`/etc/apache2/envvars` export and no `--define` provides it.

## Why is this bad?
httpd warns "AH00111: Config variable ${NAME} is not defined" and uses the text
`${NAME}` literally, so a path or port built from it is wrong.

## Example
```apache
ErrorLog ${APACHE_LOG_DIR}/glance.log
```

## Use instead
```apache
Define APACHE_LOG_DIR /var/log/apache2
ErrorLog ${APACHE_LOG_DIR}/glance.log
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#define
"""
from wsgilint.findings import WARNING, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "undefined-variable")


RULE = Rule(
    id="WSG007",
    name="undefined-variable",
    severity=WARNING,
    summary="${VAR} is used but never defined",
    fix="Define the variable (Define NAME value), export it in envvars, or pass --define NAME=value",
    references=("https://httpd.apache.org/docs/2.4/mod/core.html#define",),
    check=check,
    docs=__doc__,
)
