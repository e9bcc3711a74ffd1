"""`plugins = python` names a plugin that distro uWSGI packages no longer ship.

## What it does
Finds `plugins`, `plugin` and `need-plugin` lists that name `python`,
`python2` or `python27`.

## Why is this bad?
Distribution packages of uWSGI are modular: Debian/Ubuntu and RHEL ship
`uwsgi-plugin-python3` (`python3_plugin.so`) and no `python_plugin.so` since
Python 2 was dropped. uWSGI then logs
`!!! UNABLE to load uWSGI plugin: .../python_plugin.so: cannot open shared object file !!!`,
`*** no app loaded. going in full dynamic mode ***`, and answers every request
by closing the connection (`-- unavailable modifier requested: 0 --`).
Measured on Debian 12's uWSGI 2.0.21. Glance's, heat's, keystone's and
gnocchi's sample inis say `plugins = python`; devstack writes `http,python3`.

## Known problems
A uWSGI built from pip has the Python plugin compiled in, and there this line
is harmless. The rule assumes distro packages (the default target is Debian
stable); ignore it (`--ignore WSG116`) on a pip-installed uWSGI.

## Example
```ini
[uwsgi]
plugins = python
module = glance.wsgi.api:application
```

## Use instead
```ini
[uwsgi]
plugins = python3
module = glance.wsgi.api:application
```

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/plugins.c
- https://packages.debian.org/stable/uwsgi-plugin-python3
"""

import re

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment

_OLD = frozenset({"python", "python2", "python27"})


def check(model: Deployment):
    for app in model.uwsgi:
        for opt in app.config.options:
            if opt.key not in ("plugins", "plugin", "need-plugin", "need-plugins") or opt.dynamic:
                continue
            names = [n for n in re.split(r"[\s,]+", opt.value.strip()) if n]
            old = [n for n in names if n.lower() in _OLD]
            if old:
                yield Hit(opt.value_span, f"plugin '{old[0]}' does not exist in distro uWSGI packages (only "
                          f"python3): uWSGI loads no app and drops every request", service=app.service)


RULE = Rule(
    id="WSG116",
    name="uwsgi-plugin-python-unversioned",
    severity=ERROR,
    summary="`plugins = python`: distro uWSGI has only python3, so no app is loaded",
    fix="Write `plugins = python3` (with `http,python3` when the `http =` router is used)",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/plugins.c",
        "https://packages.debian.org/stable/uwsgi-plugin-python3",
    ),
    check=check,
    docs=__doc__,
)
