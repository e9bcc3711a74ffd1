"""uWSGI's `limit-post` is below the `max-body` your app declares: larger bodies get no response.

## What it does
For uWSGI instances whose app declares `max-body` in `[tool.wsgilint.apps.NAME]`
(README "Apps that are not OpenStack"), finds a `limit-post` (bytes; `0`, uWSGI's
default, is no limit) below that `max-body`. The message names both and the
configuration file that declares `max-body`. A `limit-post` at or above it is quiet;
an app without `max-body` is not judged (uWSGI has no limit by default and wsgilint
does not guess the size of your bodies).

## Why is this bad?
uWSGI compares each request's `CONTENT_LENGTH` with `limit-post` before the app
runs, logs `Invalid (too big) CONTENT_LENGTH. skip.` and closes the connection
**without any response** (curl: "Empty reply from server"): every body of the size
you declared, from a client or from a front end that sends a Content-Length, is lost.
Measured on uWSGI 2.0.21 (Debian) and 2.0.31 (pip) with `limit-post = 1000`: a
2000-byte POST gets no response, the same POST with `limit-post = 4096` gets 200
(tests/test_app_profiles.py::test_limit_post_drops_larger_bodies).

## Example
```ini
# .wsgilint.toml: [tool.wsgilint.apps.shop] match = ["shop.wsgi:application"], max-body = "5G"
[uwsgi]
module = shop.wsgi:application
limit-post = 104857600
```

## Use instead
```ini
[uwsgi]
module = shop.wsgi:application
limit-post = 5368709120
```
(or no `limit-post`: uWSGI's default 0 is no limit)

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#limit-post
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/protocol.c
"""

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import max_body


def check(model: Deployment):
    for app in model.uwsgi:
        need = max_body(model, app.service)
        if need is None:
            continue
        opt = app.config.last("limit-post")
        if opt is None or opt.dynamic:
            continue
        value = app.config.number("limit-post")
        if not value or value >= need[0]:
            continue  # 0 (or unreadable) is no limit
        yield Hit(opt.span, f"limit-post {value} for {app.service} is below the {need[1]}: uWSGI closes the "
                  f"connection without a response to every request whose Content-Length is over {value} bytes",
                  service=app.service)


RULE = Rule(
    id="WSG125",
    name="uwsgi-limit-post-below-max-body",
    severity=ERROR,
    summary="limit-post below the app's declared max-body: larger requests are dropped without a response",
    fix="Raise `limit-post` to at least the app's max-body, or remove it (0 = no limit)",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#limit-post",
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/protocol.c",
    ),
    check=check,
    docs=__doc__,
)
