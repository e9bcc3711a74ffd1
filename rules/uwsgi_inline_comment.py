"""A uWSGI ini value contains what looks like an inline comment.

## What it does
Finds ini values with ` #` or ` ;` after other text.

## Why is this bad?
uWSGI's ini reader (core/ini.c) only knows whole-line comments; an inline
`# comment` becomes part of the value (checked with `uwsgi --show-config`).
`hook-master-start = unix_signal:15 gracefully_kill_them_all  # graceful`
fails once the workers are up ("unable to find function", "FATAL hook
failed, destroying instance"); `processes = 4 # per core` happens to
parse as 4, `socket = /run/x.sock # glance` binds a socket with that name.

## Example
```ini
[uwsgi]
hook-master-start = unix_signal:15 gracefully_kill_them_all	# graceful stop
```

## Use instead
```ini
[uwsgi]
# graceful stop
hook-master-start = unix_signal:15 gracefully_kill_them_all
```

## Fix (`--fix`, safe)
`wsgilint check --fix` moves the comment onto its own line above the option, indented as the
option, and drops the blanks before it: the value becomes what precedes the comment. Safe:
the option gets the value its author wrote, nothing else changes. (If the text after ` #`
was meant as data, the finding is wrong too: silence it with a suppression comment.)

## References
- https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/ini.c
- https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#ini-files
"""

import re

from wsgilint.findings import ERROR, Hit, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._edits import indent_of, line_bounds, line_end_of, replace
from wsgilint.source import Span

_INLINE = re.compile(r"\s[#;]")


def check(model: Deployment):
    for app in model.uwsgi:
        for opt in app.config.options:
            m = _INLINE.search(opt.raw)
            if not m:
                continue
            vs = opt.value_span
            start = vs.start + m.start() + 1
            yield Hit(Span(vs.source, start, vs.end),
                      f"'{opt.raw[m.start() + 1:].strip()}' is part of the value of {opt.key}: "
                      f"uWSGI has no inline comments", service=app.service, edits=_edits(vs, start))


def _edits(vs: Span, comment: int) -> tuple:
    """The comment (``comment``..end of the value) moved onto its own line above the option."""
    source = vs.source
    if source.kind != "uwsgi":
        return ()
    line_start = line_bounds(source, vs.start)[0]
    text = source.text
    kept = text[line_start:comment].rstrip(" \t")
    if not kept.strip():
        return ()
    indent = indent_of(source, vs.start)
    return (replace(Span(source, line_start, vs.end),
                    f"{indent}{text[comment:vs.end]}{line_end_of(source, vs.start)}{kept}"),)


RULE = Rule(
    id="WSG104",
    name="uwsgi-inline-comment",
    severity=ERROR,
    summary="uWSGI ini has no inline comments: the text becomes part of the value",
    fix="Move the comment to its own line starting with # or ;",
    references=(
        "https://github.com/unbit/uwsgi/blob/uwsgi-2.0/core/ini.c",
        "https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#ini-files",
    ),
    check=check,
    docs=__doc__,
    fixable="safe",
)
