"""An `Include` (or uWSGI `ini =`) names something that does not exist.

## What it does
Reports `Include` lines whose path does not exist or whose wildcard matches no
file, and uWSGI `ini =` lines naming a missing file. `IncludeOptional` is exempt,
as httpd exempts it.

## Why is this bad?
httpd refuses to start: "Include/IncludeOptional: No matches for the wildcard
\x27*.conf\x27 in \x27/etc/apache2/sites-enabled\x27, failing". uWSGI stops with
"realpath() of base.ini failed: No such file or directory".

## Example
```apache
Include sites-enabled/*.conf
```

## Use instead
```apache
IncludeOptional sites-enabled/*.conf
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#include
- https://httpd.apache.org/docs/2.4/mod/core.html#includeoptional
"""
from wsgilint.findings import ERROR, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "include-not-found")


RULE = Rule(
    id="WSG003",
    name="include-not-found",
    severity=ERROR,
    summary="An Include names a file or wildcard that matches nothing",
    fix="Create the file, fix the path, or use IncludeOptional when the target may be absent",
    references=("https://httpd.apache.org/docs/2.4/mod/core.html#include", "https://httpd.apache.org/docs/2.4/mod/core.html#includeoptional",),
    check=check,
    docs=__doc__,
)
