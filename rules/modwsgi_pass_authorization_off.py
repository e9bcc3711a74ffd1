"""mod_wsgi strips the Authorization header from an API that needs it.

## What it does
Finds WSGIScriptAlias routes serving keystone without `WSGIPassAuthorization On`
in a scope that applies.

## Why is this bad?
mod_wsgi's default (`WSGIPassAuthorization Off`) removes the `Authorization`
request header before the application sees it (the header is meant for
Apache's own authentication). Keystone reads it for OAuth1, OAuth2 client
credentials and application credentials passed by header: those requests fail
with **401 Unauthorized** although the credentials are right. Behind
mod_proxy the header is passed, which is why the same keystone works under
uWSGI.

## Example
```apache
<VirtualHost *:5000>
    WSGIDaemonProcess keystone-public processes=4 threads=1
    WSGIProcessGroup keystone-public
    WSGIScriptAlias / /var/www/keystone/keystone.wsgi
</VirtualHost>
```

## Use instead
```apache
<VirtualHost *:5000>
    WSGIDaemonProcess keystone-public processes=4 threads=1
    WSGIProcessGroup keystone-public
    WSGIScriptAlias / /var/www/keystone/keystone.wsgi
    WSGIPassAuthorization On
</VirtualHost>
```

## References
- https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIPassAuthorization.html
- https://docs.openstack.org/keystone/latest/admin/oauth1.html
"""

from wsgilint.findings import WARNING, Hit, Related, Rule
from wsgilint.knowledge import NEEDS_AUTHORIZATION_HEADER
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import served_by
from wsgilint.rules._modwsgi import apache_routes


def check(model: Deployment):
    for route in apache_routes(model, ("mod_wsgi",)):
        if route.service not in NEEDS_AUTHORIZATION_HEADER:
            continue
        d = route.setting("wsgipassauthorization")
        if d is not None and d.args and d.args[0].lower() == "on":
            continue
        yield Hit(route.span,
                  f"mod_wsgi drops the Authorization header for {served_by(route)}: OAuth1/OAuth2 and "
                  f"header-based credentials get 401 (WSGIPassAuthorization is "
                  f"{'Off here' if d is not None else 'Off by default'})",
                  service=route.service,
                  related=[Related(d.span, "set Off here")] if d is not None else [])


RULE = Rule(
    id="WSG208",
    name="modwsgi-pass-authorization-off",
    severity=WARNING,
    summary="keystone under mod_wsgi without WSGIPassAuthorization On loses the Authorization header",
    fix="Add `WSGIPassAuthorization On` to the VirtualHost that holds the WSGIScriptAlias",
    references=(
        "https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIPassAuthorization.html",
        "https://docs.openstack.org/keystone/latest/admin/oauth1.html",
    ),
    check=check,
    docs=__doc__,
)
