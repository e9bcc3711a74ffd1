"""A configuration file is not valid UTF-8.

## What it does
Reports files that do not decode as UTF-8; wsgilint reads them as latin-1.

## Why is this bad?
httpd and uWSGI read bytes, so the server is fine, but editors and tools that
assume UTF-8 may corrupt the file, and non-ASCII paths may not match.

## Example
```apache
ServerAdmin caf\xe9@example.org
```

## Use instead
```apache
ServerAdmin cafe@example.org
```

## References
- https://httpd.apache.org/docs/2.4/configuring.html
"""
from wsgilint.findings import INFO, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "encoding")


RULE = Rule(
    id="WSG006",
    name="not-utf8",
    severity=INFO,
    summary="A configuration file is not valid UTF-8",
    fix="Convert the file to UTF-8 (iconv -f latin1 -t utf-8)",
    references=("https://httpd.apache.org/docs/2.4/configuring.html",),
    check=check,
    docs=__doc__,
)
