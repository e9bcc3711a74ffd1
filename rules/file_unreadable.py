"""A configuration file could not be read.

## What it does
Reports files that are missing, unreadable, binary (contain NUL bytes), too
large, or reached through a symlink loop, with the line that pulled them in.

## Why is this bad?
What cannot be read cannot be checked, and the server itself fails on a file
it cannot open ("Could not open configuration file ... Permission denied").
A file with NUL bytes is different: `apache2 -t` accepts it (Syntax OK), so
only wsgilint is blind to it.

## Example
```apache
Include /etc/apache2/conf-enabled/secret.conf   # mode 000
```

## Use instead
```apache
# make the file readable by the user that runs the check and the server
Include /etc/apache2/conf-enabled/secret.conf
```

## References
- https://httpd.apache.org/docs/2.4/mod/core.html#include
"""
from wsgilint.findings import ERROR, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "file-unreadable")


RULE = Rule(
    id="WSG004",
    name="file-unreadable",
    severity=ERROR,
    summary="A configuration file could not be read",
    fix="Make the file readable, or remove the reference to it",
    references=("https://httpd.apache.org/docs/2.4/mod/core.html#include",),
    check=check,
    docs=__doc__,
)
