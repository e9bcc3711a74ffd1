"""A configuration names a file outside the paths given on the command line.

## What it does
Without `--root`, `wsgilint check PATH...` reads only under the PATHs named. An
`Include /etc/apache2/...`, `include /etc/nginx/mime.types;` or `ini = /etc/uwsgi/...`
that leads outside them is not read (this host's own files are not mixed into a check
of a repository or a copied tree); this finding names it, at the line that names it.

A directory that holds an `etc/` tree of server configs (`etc/apache2`, `etc/httpd`,
`etc/nginx`, `etc/uwsgi`) is checked as a root instead, as with `--root DIR`.

## Why is this bad?
It is not a fault of the configuration: what the file holds is simply not part of this
check. Findings that depend on it (modules loaded there, the sites it includes) are not
judged.

## Example
```nginx
# deploy/nginx/nginx.conf, checked as `wsgilint check deploy/nginx`
include /etc/nginx/mime.types;
```

## Use instead
Give `--root DIR` for a tree laid out as `/` (container image, config-management output), or
`--root /` to read this host's files too.

## References
- https://nginx.org/en/docs/ngx_core_module.html#include
"""
from wsgilint.findings import INFO, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "outside-checked-paths")


RULE = Rule(
    id="WSG012",
    name="outside-checked-paths",
    severity=INFO,
    summary="A file outside the checked paths was not read",
    fix="Give --root DIR for a tree laid out as /, or --root / to read this host's files",
    references=("https://nginx.org/en/docs/ngx_core_module.html#include",),
    check=check,
    docs=__doc__,
)
