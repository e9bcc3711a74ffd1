"""An ini key that is no uWSGI 2.0 option is silently ignored.

## What it does
Finds keys that are not options of uWSGI 2.0 (core or any plugin Debian
ships) and are not used as placeholders (`%(key)`) elsewhere in the
configuration, nor keys apps read from `uwsgi.opt` (neutron's `start-time`):
typos such as `enabled-threads`, underscores instead of
dashes (`enable_threads`), short command-line aliases (`p = 4`) and options
that exist only in uWSGI master/2.1 (`wsgi-manage-chunked-input`). It
suggests the nearest known name. Keys named after a loaded plugin that is not
in the list (`plugin = dogstatsd` with `dogstatsd-all-gauges`) are left alone.

## Why is this bad?
Unless `strict = true` is set, uWSGI 2.0 accepts any key and ignores the ones
it does not know: the setting silently has no effect (with
`enabled-threads = true`, Python threads stay off). In strict mode uWSGI
refuses to start: `[strict-mode] unknown config directive: enabled-threads`
(measured on 2.0.21).

## Example
```ini
[uwsgi]
enabled-threads = true
wsgi-manage-chunked-input = true
```

## Use instead
```ini
[uwsgi]
enable-threads = true
```
and run with `strict = true` to catch the next typo at startup.

## Options
The list of known names is `linter/data/uwsgi_options_2_0.txt`, generated from
`uwsgi --help` of uWSGI 2.0.21 with each Debian plugin loaded.

## References
- https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/config.c
"""

import re

from wsgilint.findings import WARNING, Hit, Rule
from wsgilint.knowledge import UWSGI_APP_KEYS, UWSGI_MASTER_ONLY_OPTIONS, uwsgi_known_options
from wsgilint.model.types import Deployment

_PLACEHOLDER = re.compile(r"%\(([^)]*)\)")
# Handled by the ini reader itself (logic blocks and includes), not by the option table.
_READER_KEYS = frozenset({"end-for", "end-if", "endfor", "endif", "ini", "inherit", "include"})


def check(model: Deployment):
    if not model.uwsgi:  # the option table (a data file) only when there is uWSGI
        return
    known = uwsgi_known_options()
    names = sorted(known)
    plugins = set(known.values()) | {"python", "python3", "http", "corerouter"}
    for app in model.uwsgi:
        used = {m for o in app.config.options for m in _PLACEHOLDER.findall(o.raw)}
        # plugins this list does not know (third-party, e.g. dogstatsd) bring their own `<name>-*` options
        foreign = tuple(n + "-" for o in app.config.options if o.key in ("plugin", "plugins", "need-plugin")
                        for n in re.split(r"[\s,]+", o.value.strip()) if n and n not in plugins)
        for opt in app.config.options:
            key = opt.key
            if key in known or key in _READER_KEYS or key in UWSGI_APP_KEYS or key in used or key.startswith(("if-", "if_")) or (
                    foreign and key.startswith(foreign)):
                continue
            if key in UWSGI_MASTER_ONLY_OPTIONS:
                yield Hit(opt.span, f"{key} exists only in {UWSGI_MASTER_ONLY_OPTIONS[key]}; uWSGI 2.0 ignores it "
                          f"silently", service=app.service)
                continue
            import difflib  # only for an unknown option: a suggestion

            guess = difflib.get_close_matches(key.replace("_", "-"), names, n=1, cutoff=0.8)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            yield Hit(opt.span, f"{key} is not a uWSGI 2.0 option: ignored silently{hint}", service=app.service)


RULE = Rule(
    id="WSG117",
    name="uwsgi-unknown-option",
    severity=WARNING,
    summary="unknown uWSGI key (typo, master-only option): silently ignored",
    fix="Fix the name (see `uwsgi --help`) and set `strict = true`",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/config.c",
    ),
    check=check,
    docs=__doc__,
)
