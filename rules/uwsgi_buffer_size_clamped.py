"""`buffer-size` above 65535 has no effect: uWSGI 2.0 clamps it.

## What it does
Finds `buffer-size` values above 65535.

## Why is this bad?
uWSGI 2.0 stores buffer-size as a 16-bit value (`uwsgi_opt_set_16bit`) and
clamps anything larger to 65535. Measured on 2.0.21: with `buffer-size = 114688`
(or 65536) a 70000-byte header is still refused with
`invalid HTTP request size (max 65535)...skip`. The setting promises more than
it gives. (uWSGI 1.9.12 turned 65536 into 0; 2.0.x clamps.)

## Example
```ini
[uwsgi]
buffer-size = 114688
```

## Use instead
```ini
[uwsgi]
buffer-size = 65535
```
and keep request heads below 64 KiB (Apache's LimitRequestFieldSize, 8190 per
header by default, usually stops them first).

## References
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/uwsgi.c
- https://github.com/unbit/uwsgi/issues/324
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.knowledge import UWSGI_MAX_BUFFER_SIZE
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for app in model.uwsgi:
        opt = app.config.last("buffer-size")
        if opt is None or opt.dynamic:
            continue
        value = app.config.number("buffer-size")
        if value is not None and value > UWSGI_MAX_BUFFER_SIZE:
            yield Hit(opt.value_span, f"buffer-size {value} is clamped to {UWSGI_MAX_BUFFER_SIZE} by uWSGI 2.0: "
                      f"the extra has no effect", service=app.service)


RULE = Rule(
    id="WSG108",
    name="uwsgi-buffer-size-clamped",
    severity=INFO,
    summary="buffer-size above 65535 is clamped to 65535 by uWSGI 2.0",
    fix="Set `buffer-size = 65535`",
    references=(
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/uwsgi.c",
        "https://github.com/unbit/uwsgi/issues/324",
    ),
    check=check,
    docs=__doc__,
)
