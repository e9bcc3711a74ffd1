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

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri
- https://uwsgi-docs.readthedocs.io/en/latest/FAQ.html
"""

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import THRESHOLDS
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import is_upload


def check(model: Deployment):
    limit = THRESHOLDS.upload_harakiri
    for app in model.uwsgi:
        if not is_upload(model, app.service):
            continue
        opt = app.config.last("harakiri")
        value = app.config.number("harakiri")
        if opt is None or opt.dynamic or not value or value >= limit:
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
