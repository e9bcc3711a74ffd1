"""A route needs an Apache module that is not loaded.

## What it does
In a complete Apache tree (the root config was read, so the loaded modules are
known), finds `ProxyPass` routes whose scheme needs a proxy submodule that no
`LoadModule` loads (`http://` needs proxy_http, `uwsgi://` needs proxy_uwsgi),
and ProxyPass/WSGIScriptAlias without mod_proxy/mod_wsgi at all. A lone
sites-available file is not judged: its module state is unknown.

## Why is this bad?
Without the submodule, httpd starts and answers **500** on that route:
`AH00898: No protocol handler was valid for the URL /image ... If you are using
a DSO version of mod_proxy, make sure the proxy submodules are included in the
configuration using LoadModule.` heat's and manila's guides only say
`a2enmod proxy` (heat doc/source/operating_guides/httpd.rst, manila
doc/source/contributor/apache-httpd.rst), which loads mod_proxy alone. Without mod_proxy or mod_wsgi,
`apache2 -t` fails: "Invalid command 'ProxyPass'".

## Example
```apache
LoadModule proxy_module modules/mod_proxy.so
ProxyPass /image http://127.0.0.1:60999 retry=0
```

## Use instead
```apache
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_http_module modules/mod_proxy_http.so
ProxyPass /image http://127.0.0.1:60999 retry=0
```
(on Debian: `a2enmod proxy proxy_http` or `a2enmod proxy proxy_uwsgi`)

## References
- https://httpd.apache.org/docs/2.4/mod/mod_proxy.html
- https://httpd.apache.org/docs/2.4/mod/mod_proxy_uwsgi.html
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment

_SCHEME_MODULE = {"http": "proxy_http_module", "https": "proxy_http_module", "uwsgi": "proxy_uwsgi_module",
                  "fcgi": "proxy_fcgi_module", "ajp": "proxy_ajp_module", "ws": "proxy_wstunnel_module",
                  "wss": "proxy_wstunnel_module", "h2": "proxy_http2_module", "h2c": "proxy_http2_module"}


def _a2en(ident: str) -> str:
    return ident[: -len("_module")]


def check(model: Deployment):
    for server in model.apache:
        if not server.complete:
            continue
        has_wsgi, has_proxy = server.has_module("wsgi_module"), server.has_module("proxy_module")  # once per server
        for route in server.routes:
            if route.kind == "mod_wsgi":
                if not has_wsgi:
                    yield Hit(route.span, "WSGIScriptAlias needs mod_wsgi, which is not loaded: "
                              "httpd refuses the configuration (Invalid command 'WSGIScriptAlias')",
                              fix="Load mod_wsgi (Debian: apt install libapache2-mod-wsgi-py3; a2enmod wsgi)",
                              service=route.service)
                continue
            if not has_proxy:
                yield Hit(route.span, f"{route.directive.name} needs mod_proxy, which is not loaded: "
                          f"httpd refuses the configuration (Invalid command '{route.directive.name}')",
                          fix="Load mod_proxy and the scheme's submodule (Debian: a2enmod proxy proxy_http)",
                          service=route.service)
                continue
            need = _SCHEME_MODULE.get(route.scheme)
            if need and not server.has_module(need):
                yield Hit(route.target_span(),
                          f"{route.scheme}:// needs {need}, which is not loaded (mod_proxy alone is not enough): "
                          f"requests to {route.path} get 500 'No protocol handler was valid'",
                          fix=f"LoadModule {need} (Debian: a2enmod {_a2en(need)})", service=route.service)


RULE = Rule(
    id="WSG203",
    name="proxy-module-missing",
    severity=ERROR,
    summary="The module a ProxyPass scheme or WSGIScriptAlias needs is not loaded",
    fix="Load the module (Debian: a2enmod proxy_http / proxy_uwsgi / wsgi)",
    references=(
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy.html",
        "https://httpd.apache.org/docs/2.4/mod/mod_proxy_uwsgi.html",
    ),
    check=check,
    docs=__doc__,
)
