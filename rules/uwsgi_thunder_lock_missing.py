"""Several uWSGI workers share a socket without `thunder-lock`.

## What it does
Finds uWSGI instances with more than one process and no `thunder-lock = true`.

## Why is this bad?
Without it every idle worker is woken up for each new connection and all but
one go back to sleep (the thundering herd): wasted CPU and uneven load across
workers. uWSGI's own article calls the herd of processes alone "a no-problem"
for usual process counts; it matters most with several processes *and*
threads, and uWSGI leaves it for users to enable consciously
(unbit/uwsgi-docs@ecb5670e18:articles/SerializingAccept.rst). devstack,
glance's, keystone's and wikimedia's inis set it ("uwsgi recommends this" in
keystone's and devstack's comments is theirs, not uWSGI's). Advice, hence info.

## Example
```ini
[uwsgi]
processes = 4
```

## Use instead
```ini
[uwsgi]
processes = 4
thunder-lock = true
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/articles/SerializingAccept.html
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
"""

from wsgilint.findings import INFO, Hit, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    for app in model.uwsgi:
        procs = app.config.number("processes", "workers")
        if procs is None or procs <= 1 or app.config.flag("thunder-lock"):
            continue
        opt = app.config.last("processes", "workers")
        yield Hit(opt.span, f"{procs} processes without thunder-lock: every connection wakes every idle worker",
                  service=app.service)


RULE = Rule(
    id="WSG120",
    name="uwsgi-thunder-lock-missing",
    severity=INFO,
    summary="several processes without thunder-lock (thundering herd on accept)",
    fix="Set `thunder-lock = true`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/articles/SerializingAccept.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
    ),
    check=check,
    docs=__doc__,
)
