"""A file includes itself, directly or through other files.

## What it does
Reports `Include`/`ini =` chains that come back to a file already being read.
wsgilint reads each file once per chain and stops there.

## Why is this bad?
httpd recurses until its include depth limit (128) and refuses to start
("Exceeded maximum include depth of 128, There appears to be a recursion.");
uWSGI loops.

## Example
```apache
# /etc/apache2/apache2.conf
Include *.conf
```

## Use instead
```apache
Include conf-enabled/*.conf
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#include
"""
from wsgilint.findings import ERROR, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "include-cycle")


RULE = Rule(
    id="WSG005",
    name="include-cycle",
    severity=ERROR,
    summary="An Include (or ini =) includes itself",
    fix="Break the cycle: include a directory or pattern that does not contain the including file",
    references=("https://httpd.apache.org/docs/2.4/mod/core.html#include",),
    check=check,
    docs=__doc__,
)
