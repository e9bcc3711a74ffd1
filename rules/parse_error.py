"""A configuration file has a syntax error.

## What it does
Reports lines httpd or uWSGI cannot read: an unclosed or mismatched section
(`<Location>` closed by `</VirtualHost>`), a stray closing tag, a section opener
without its closing `>`, a uWSGI option outside any `[section]`.

## Why is this bad?
`apache2 -t` fails with the same message ("Expected </Location> but saw
</VirtualHost>") and httpd will not start or reload. Everything after the error
may be read differently from what you meant, so other findings in that file are
less certain.

## Example
```apache
<VirtualHost *:80>
  <Location /image>
    SetEnv proxy-sendchunked 1
</VirtualHost>
```

## Use instead
```apache
<VirtualHost *:80>
  <Location /image>
    SetEnv proxy-sendchunked 1
  </Location>
</VirtualHost>
```

## References
- https://httpd.apache.org/docs/2.4/configuring.html#syntax
"""
from wsgilint.findings import ERROR, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "parse-error")


RULE = Rule(
    id="WSG001",
    name="parse-error",
    severity=ERROR,
    summary="The file has a syntax error; the server refuses to start",
    fix="Fix the syntax so that apache2 -t (or uwsgi --ini) accepts the file",
    references=("https://httpd.apache.org/docs/2.4/configuring.html#syntax",),
    check=check,
    docs=__doc__,
)
