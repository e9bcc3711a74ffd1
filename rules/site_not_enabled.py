"""A Debian sites-available file is not enabled, so it is not live.

## What it does
In a Debian layout (/etc/apache2 with apache2.conf), lists files in
sites-available that no sites-enabled link (or other Include) pulls in and that
serve a WSGI application (`WSGIScriptAlias`, `WSGIDaemonProcess`, `ProxyPass`):
their contents are not checked as if they were live. Sites without one, such as
Debian's own `000-default.conf` and `default-ssl.conf`, are not reported: they
are outside what wsgilint checks (the field test judged them noise).

## Why is this bad?
Often intended: a site kept for later. But when you edited a site to fix a
problem, the fix is not active until `a2ensite NAME` and a reload.

## Example
```text
/etc/apache2/sites-available/glance-api.conf   (no link in sites-enabled/)
```

## Use instead
```sh
a2ensite glance-api && systemctl reload apache2
```

## References
- https://manpages.debian.org/stable/apache2/a2ensite.8.en.html
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.source import Span


# Directives that make a site one of ours, at the start of a line (after blanks).
_OURS = ("wsgiscriptalias", "wsgidaemonprocess", "proxypass")


def _serves_wsgi(text: str) -> bool:
    for line in text.splitlines():
        if line.lstrip().lower().startswith(_OURS):
            return True
    return False


def check(model: Deployment):
    for site in model.inactive_sites:
        if not _serves_wsgi(site.source.text):
            continue
        name = site.path.rsplit("/", 1)[-1]
        stem = name[:-5] if name.endswith(".conf") else name
        yield Hit(Span(site.source, 0, 0),
                  f"{name} is in sites-available but not enabled: it is not live and was not checked",
                  fix=f"a2ensite {stem} if it should be live")


RULE = Rule(
    id="WSG204",
    name="site-not-enabled",
    severity=INFO,
    summary="A sites-available file is not enabled (not live, not checked)",
    fix="a2ensite NAME to enable it, or delete it",
    references=("https://manpages.debian.org/stable/apache2/a2ensite.8.en.html",),
    check=check,
    docs=__doc__,
)
