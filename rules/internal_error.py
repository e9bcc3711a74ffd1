"""wsgilint itself failed while checking.

## What it does
Reports a rule that crashed, or a configuration file that wsgilint crashed while
reading. Rules run in isolation, and so does the reading of each root
configuration (an Apache tree, an nginx.conf, a uWSGI ini, a service config), so
everything else is still checked; this finding names the rule or the file and the
error so that it can be reported.

## Why is this bad?
What crashed checked nothing, so a real problem it looks for may be hidden.
The finding is an error, so the check exits 1 unless `--fail-on never`.

## Example
```text
WSG002 internal-error rule WSG201 (modwsgi-chunked-request-off) crashed: KeyError: 'x'
WSG002 internal-error wsgilint crashed while reading etc/uwsgi/a.ini: KeyError: 'x' [uwsgi.py:120]
```

## Use instead
Report the message and the configuration that triggered it; meanwhile
`--ignore` the crashed rule (or leave the file out) to keep the gate working.

## References
- https://github.com/PyCQA/pyflakes
"""

from wsgilint.findings import ERROR, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    """Files whose reading crashed; the engine reports crashes of other rules under this id."""
    return diagnostic_hits(model, "internal-error")


RULE = Rule(
    id="WSG002",
    name="internal-error",
    severity=ERROR,
    summary="A rule, or the reading of a file, crashed; what it covers was not checked (the rest was)",
    fix="Report the crash with the configuration that triggered it; --ignore the rule meanwhile",
    references=("https://github.com/PyCQA/pyflakes",),
    check=check,
    docs=__doc__,
)
