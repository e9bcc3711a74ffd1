"""wsgilint itself failed while checking.

## What it does
Reports a rule that crashed. The engine runs every rule in isolation, so the
other rules' findings are still complete; this finding names the rule and the
error so that it can be reported.

## Why is this bad?
The crashed rule checked nothing, so a real problem it looks for may be hidden.
The finding is an error, so the check exits 1 unless `--fail-on never`.

## Example
```text
WSG002 internal-error rule WSG201 (modwsgi-chunked-request-off) crashed: KeyError: 'x'
```

## Use instead
Report the message and the configuration that triggered it; meanwhile
`--ignore` the crashed rule to keep the gate working.

## References
- https://github.com/PyCQA/pyflakes
"""

from wsgilint.findings import ERROR, Rule
from wsgilint.model.types import Deployment


def check(model: Deployment):
    """Produces nothing itself: the engine reports crashes of other rules under this id."""
    return iter(())


RULE = Rule(
    id="WSG002",
    name="internal-error",
    severity=ERROR,
    summary="A rule crashed; its checks did not run (the others did)",
    fix="Report the crash with the configuration that triggered it; --ignore the rule meanwhile",
    references=("https://github.com/PyCQA/pyflakes",),
    check=check,
    docs=__doc__,
)
