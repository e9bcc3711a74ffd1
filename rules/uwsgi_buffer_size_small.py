"""uWSGI's request buffer is too small for OpenStack headers (default 4096 bytes).

## What it does
Finds uWSGI instances that load an app (`module`, `wsgi-file`, `paste`, ...) with no `buffer-size`, or one below
16384 bytes. The severity is **error** for keystone behind an Apache that does
identity federation (mod_auth_openidc, mod_auth_mellon or Shibboleth
directives in the server that proxies to it), **warning** otherwise.

## Why is this bad?
`buffer-size` (default 4096) bounds the whole request head uWSGI accepts: with
the uwsgi protocol every variable Apache sends (headers *and* environment
variables such as federation claims), with `http-socket` the request line and
headers. A bigger request is dropped: uWSGI logs
`invalid request block size: 6796 (max 4096)...skip` (uwsgi protocol) or
`invalid HTTP request size (max 4096)...skip` (http-socket) and the client
gets **500** from mod_proxy_uwsgi, 502 from nginx, or a reset connection.
Long tokens (X-Auth-Token plus X-Subject-Token), many headers, and SAML/OIDC
claims (passed by Apache as variables) exceed 4096 bytes. Measured on uWSGI
2.0.21 behind Apache 2.4.71 and directly.

## Example
```ini
[uwsgi]
socket = /run/uwsgi/keystone.socket
module = keystone.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
socket = /run/uwsgi/keystone.socket
module = keystone.wsgi.api:application
buffer-size = 65535
```
65535 is the largest value uWSGI 2.0 honours (see `uwsgi-buffer-size-clamped`).

## Fix (`--fix`, safe)
`wsgilint check --fix` writes `65535` as the value of a small `buffer-size` (a plain number
only), or adds `buffer-size = 65535` on the line after the option that loads the app (same
section, indentation and `=` spacing). Safe: it raises only the limit the finding is about
(64 KiB per request buffer instead of 4 KiB). tests/test_fix_proof.py checks the fixed ini
with uWSGI's own option check (`--strict`).

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/init.c
- https://opendev.org/openstack/devstack/src/branch/master/lib/apache
"""

from wsgilint.findings import ERROR, WARNING, Hit, Related, Rule
from wsgilint.knowledge import (APACHE_FEDERATION_AUTHTYPES, APACHE_FEDERATION_PREFIXES, UWSGI_DEFAULTS,
                                UWSGI_MIN_BUFFER_SIZE, UWSGI_RECOMMENDED_BUFFER_SIZE)
from wsgilint.model.types import Deployment
from wsgilint.rules._edits import insert_line_after, replace

_DIGITS = frozenset("0123456789")


def _edits(opt, loader) -> tuple:
    """``buffer-size`` set to 65535: its plain number replaced, or a line after the app's loader."""
    new = str(UWSGI_RECOMMENDED_BUFFER_SIZE)
    if opt is not None:
        span = opt.value_span
        if span.source.kind != "uwsgi" or opt.raw != opt.value or not opt.raw or not set(opt.raw) <= _DIGITS:
            return ()
        return (replace(span, new),)
    span = loader.span
    if span.source.kind != "uwsgi" or loader.conditional:
        return ()
    sep = span.source.text[span.start:loader.value_span.start]
    eq = sep.find("=")
    if eq == -1:
        return ()
    key = sep[:eq].rstrip(" \t")
    return (insert_line_after(span, f"buffer-size{sep[len(key):]}{new}"),)


def _federation(server):
    """The first directive of an Apache server that means identity federation, or None."""
    for d in server.config.tree.iter():
        key = (d.key or "").lower()
        if key.startswith(APACHE_FEDERATION_PREFIXES):
            return d
        if key == "authtype" and d.args and d.args[0].lower() in APACHE_FEDERATION_AUTHTYPES:
            return d
    return None


def check(model: Deployment):
    default = UWSGI_DEFAULTS["buffer-size"].value
    for app in model.uwsgi:
        loader = app.app_option or app.config.last("paste")
        if loader is None:
            continue
        opt = app.config.last("buffer-size")
        if opt is not None and opt.dynamic:
            continue
        value = app.config.number("buffer-size") if opt is not None else default
        if value is None or value >= UWSGI_MIN_BUFFER_SIZE:
            continue
        fed = None
        if app.service == "keystone":
            for route in model.routes:
                if route.backend is app:
                    fed = _federation(route.server)
                    if fed is not None:
                        break
        what = f"buffer-size {value}" if opt is not None else f"no buffer-size (uWSGI's default {default})"
        span = opt.span if opt is not None else loader.span
        if fed is not None:
            yield Hit(span, f"{what} for keystone with federation ({fed.name} in the proxy): SAML/OIDC claims "
                      f"passed as variables overflow it and the request is dropped (500)",
                      severity=ERROR, service=app.service, related=[Related(fed.span, "federation configured here")],
                      edits=_edits(opt, loader))
        else:
            yield Hit(span, f"{what}: requests with larger headers (tokens, many headers) are dropped with "
                      f"'invalid request block size' (use {UWSGI_RECOMMENDED_BUFFER_SIZE})",
                      severity=WARNING, service=app.service, edits=_edits(opt, loader))


RULE = Rule(
    id="WSG107",
    name="uwsgi-buffer-size-small",
    severity=WARNING,
    summary="buffer-size unset (4096) or small: big headers or federation claims are dropped (500/502)",
    fix="Set `buffer-size = 65535`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/init.c",
        "https://opendev.org/openstack/devstack/src/branch/master/lib/apache",
    ),
    check=check,
    docs=__doc__,
    fixable="safe",
)
