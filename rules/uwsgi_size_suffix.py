"""A numeric uWSGI option has a unit suffix, which uWSGI ignores (`64M` means 64).

## What it does
Finds byte, megabyte and second options whose value is a number followed by a
unit (`chunked-input-limit = 64M`, `buffer-size = 64k`, `harakiri = 2m`,
`reload-on-rss = 1G`), where the unit changes the meaning.

## Why is this bad?
uWSGI reads numbers with `strtoul`/`atoi` and silently drops what follows the
digits: `chunked-input-limit = 64M` is a limit of **64 bytes**. Measured on
uWSGI 2.0.21: with it, every chunked upload fails in `uwsgi.chunked_read()`
with `OSError: unable to receive chunked part` (the log shows
`uwsgi_chunked_input_recv(): Bad address`), even with 64-byte chunks, while the
client still gets 200 from an app that catches the error. Megabyte options
(`reload-on-rss`, `limit-as`) already count in MiB, so `512M` happens to work
but `1G` means 1 MiB; second options take plain seconds.

## Example
```ini
[uwsgi]
chunked-input-limit = 64M
```

## Use instead
```ini
[uwsgi]
chunked-input-limit = 67108864
```

## Fix (`--fix`, safe)
For byte options, `wsgilint check --fix` writes the number of bytes the suffix meant
(`64M` -> `67108864`; k, M, G, T are powers of 1024), keeping the rest of the line. Safe: the
option gets the value its author wrote. Values with a fraction (`1.5G`) or a `%(placeholder)`
are not edited, nor a value uWSGI cannot hold (over 65535 for `buffer-size`, over
2147483647 for the others). The megabyte and second options (warnings) are not edited.

## References
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/uwsgi.c
- https://uwsgi-docs.readthedocs.io/en/latest/Options.html
"""

import re

from wsgilint.findings import ERROR, WARNING, Hit, Rule
from wsgilint.knowledge import UWSGI_BYTE_OPTIONS, UWSGI_MEGABYTE_OPTIONS, UWSGI_SECOND_OPTIONS
from wsgilint.model.types import Deployment
from wsgilint.numbers import parse_int
from wsgilint.rules._edits import replace

_SUFFIXED = re.compile(r"\s*([0-9]+)(?:\.[0-9]+)?\s*([A-Za-z]+)\s*$")
_UNITS = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
_PLAIN = re.compile(r"([0-9]+)\s*([KkMmGgTt])(?:i?[Bb])?")  # what --fix rewrites (no fraction)


def _edits(opt, meant: int) -> tuple:
    span = opt.value_span
    if span.source.kind != "uwsgi" or opt.raw != opt.value or not _PLAIN.fullmatch(span.text.strip()):
        return ()
    # Not written where uWSGI cannot hold it: 16-bit buffer sizes (uwsgi-buffer-size-clamped), atoi's int.
    if meant > (65535 if opt.key in ("buffer-size", "http-buffer-size") else 2 ** 31 - 1):
        return ()
    value = span.text.strip()
    return (replace(type(span)(span.source, span.start, span.start + len(value)), str(meant)),)


def check(model: Deployment):
    for app in model.uwsgi:
        for opt in app.config.options:
            if opt.dynamic or opt.key not in UWSGI_BYTE_OPTIONS | UWSGI_MEGABYTE_OPTIONS | UWSGI_SECOND_OPTIONS:
                continue
            m = _SUFFIXED.match(opt.value)
            if not m:
                continue
            number, unit = m.group(1), m.group(2)
            low = unit.lower()
            if opt.key in UWSGI_MEGABYTE_OPTIONS:
                if low in ("m", "mb", "mib"):
                    continue
                yield Hit(opt.value_span, f"{opt.key} = {opt.value.strip()} is read as {number} MiB: uWSGI ignores "
                          f"'{unit}' (the option already counts in megabytes)", severity=WARNING, service=app.service)
            elif opt.key in UWSGI_SECOND_OPTIONS:
                if low in ("s", "sec", "secs"):
                    continue
                yield Hit(opt.value_span, f"{opt.key} = {opt.value.strip()} is read as {number} seconds: uWSGI "
                          f"ignores '{unit}'", severity=WARNING, service=app.service)
            else:
                meant = parse_int(number) * _UNITS.get(low[0], 1)  # saturates, never raises
                yield Hit(opt.value_span, f"{opt.key} = {opt.value.strip()} is read as {number} bytes, not {meant}: "
                          f"uWSGI ignores '{unit}' (write {meant})", service=app.service, edits=_edits(opt, meant))


RULE = Rule(
    id="WSG109",
    name="uwsgi-size-suffix",
    severity=ERROR,
    summary="uWSGI ignores unit suffixes: `chunked-input-limit = 64M` is 64 bytes",
    fix="Write the plain number in the option's unit, e.g. `chunked-input-limit = 67108864`",
    references=(
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/uwsgi.c",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html",
    ),
    check=check,
    docs=__doc__,
    fixable="safe",
)
