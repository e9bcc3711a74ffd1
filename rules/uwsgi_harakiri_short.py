"""`harakiri` kills upload requests before they can finish.

## What it does
For uWSGI instances serving glance or swift, finds `harakiri` set below 600
seconds.

## Why is this bad?
harakiri kills (SIGKILL) a worker whose request has run for that many seconds,
counting the time spent receiving the body. A 5 GiB image at 10 MB/s needs
about 520 s. The client gets **502/503** (`AH10098: sending data to ... failed`)
and uWSGI logs `*** HARAKIRI ON WORKER 1 ***`. Measured with harakiri=2 and a
5 s upload on uWSGI 2.0.21.

## Example
```ini
[uwsgi]
module = glance.wsgi.api:application
harakiri = 120
```

## Use instead
```ini
[uwsgi]
module = glance.wsgi.api:application
harakiri = 3600
```
(or no harakiri for upload services)

## Your own apps (`long-requests`)
When the app declares `long-requests` in `[tool.wsgilint.apps.NAME]` (README "Apps that are
not OpenStack"), harakiri is judged against it instead of 600 s, for any such app (uploads or
not): a harakiri below it is reported naming it and the config file; one at or above it is quiet.

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri
- https://uwsgi-docs.readthedocs.io/en/latest/FAQ.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import THRESHOLDS
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import is_upload, long_requests


def check(model: Deployment):
    for app in model.uwsgi:
        need = long_requests(model, app.service)  # the user's long-requests wins over 600 s, either way
        if need is None and not is_upload(model, app.service):
            continue
        limit = need[0] if need is not None else THRESHOLDS.upload_harakiri
        opt = app.config.last("harakiri")
        value = app.config.number("harakiri")
        if opt is None or opt.dynamic or not value or value >= limit:
            continue
        if need is not None:
            yield Hit(opt.span, f"harakiri {value}s kills {app.service} workers before the {need[1]} "
                      f"ends; use {limit}+ or none", service=app.service)
            continue
        yield Hit(opt.span, f"harakiri {value}s kills {app.service} workers mid-upload "
                  f"(a 5 GiB image at 10 MB/s takes ~520 s); use {limit}+ or none", service=app.service)


RULE = Rule(
    id="WSG103",
    name="uwsgi-harakiri-short",
    severity=WARNING,
    summary="harakiri under 600 s kills long uploads",
    fix="Raise harakiri to 3600 (or remove it) for upload services",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri",
        "https://uwsgi-docs.readthedocs.io/en/latest/FAQ.html",
    ),
    check=check,
    docs=__doc__,
)
