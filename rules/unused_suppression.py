"""A `# wsgilint: ignore[...]` comment that silences nothing.

## What it does
Reports suppression comments that did not silence any finding, that name a rule
wsgilint does not know, or that it cannot read (like ruff's RUF100).

A suppression is a whole comment line (Apache, nginx and uWSGI have no trailing
comments): `# wsgilint: ignore[ID-or-name, ...] reason` covers the next directive,
or the whole section when it stands right after a section opener
(`<VirtualHost ...>`, `[uwsgi]`); `# wsgilint: ignore-file[ID, ...] reason` covers
the file. `;` works as the comment marker in uWSGI ini files.

Whether a suppression is used does not depend on `--select`: the rules it names
are run for the check even when they are not selected.

## Why is this bad?
A stale suppression hides the next problem of the same kind that appears at that
place, and tells readers a caveat applies where it no longer does. A misspelt rule
id silences nothing at all, while looking as if it did.

## Example
```ini
[uwsgi]
module = keystone.wsgi.api:application
; wsgilint: ignore[WSG101] harakiri is set by the orchestrator
socket-timeout = 30
```

## Use instead
Remove the comment, or move it above the directive the finding is reported on:
```ini
[uwsgi]
module = keystone.wsgi.api:application
socket-timeout = 30
```

## References
- https://docs.astral.sh/ruff/rules/unused-noqa/
"""

from wsgilint.findings import INFO, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    """Produces nothing itself: wsgilint.suppress reports unused suppressions after the rules ran."""
    return iter(())


RULE = Rule(
    id="WSG009",
    name="unused-suppression",
    severity=INFO,
    summary="A `wsgilint: ignore[...]` comment silences nothing (stale, misspelt or unreadable)",
    fix="Remove the comment, fix the rule id, or move it right above the directive the finding is on",
    references=("https://docs.astral.sh/ruff/rules/unused-noqa/",),
    check=check,
    docs=__doc__,
)
