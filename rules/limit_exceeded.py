"""wsgilint stopped reading part of the configuration at one of its safety limits.

## What it does
Reports each place where a check hit a size or depth limit: a file over
`max-file-bytes` or `max-lines`, a logical line over `max-line-length`,
sections nested deeper than `max-depth`, an `Include` pattern or directory
expanding to more than `max-glob-matches` paths, more than `max-files` file
loads in one check, or a `${VAR}` / `%(key)` / `for =` expansion over
`max-expansion`. What lies beyond the limit was not checked.

## Why is this bad?
The check is incomplete, so "no findings" would be a false all-clear. The
limits keep a linter that runs as root in CI on configurations it did not
write from hanging or exhausting memory (a `%(a)%(a)` doubling chain grows
2^n). The defaults are far above real deployments (the 10,000-vhost benchmark
tree uses none of them), so hitting one usually means a generated or hostile
file. Raise a limit with `--limit NAME=NUMBER` when the input is legitimate.

## What the servers do
Measured with `apache2 -t` (httpd 2.4.71) and `uwsgi --show-config` (2.0.21),
see tests/hostile/test_hostile_oracles.py. The servers have no such limits, so
this finding is about wsgilint's completeness, not a server failure:
httpd accepts a 256 KiB `${VAR}` expansion and a 5 MB line ("Syntax OK"), and
uWSGI expands a `%(a)%(a)` chain fully (24 doublings: 1 GB of memory, 4 s).
Deep nesting is the exception: httpd recurses per section and dies of SIGSEGV
somewhere between 6,000 and 10,000 nested `<IfModule>` sections (8 MiB stack),
while wsgilint stops at `max-depth` (256) and carries on.

## Example
```ini
[uwsgi]
a0 = xxxxxxxxxxxxxxxx
a1 = %(a0)%(a0)
a2 = %(a1)%(a1)
; ... doubling on every line
a14 = %(a13)%(a13)
```

## Use instead
```ini
[uwsgi]
; say what you mean once
a0 = xxxxxxxxxxxxxxxx
```
or, for a legitimately large tree, `wsgilint check --limit max-expansion=1000000`.

## References
- https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#placeholders
- https://httpd.apache.org/docs/2.4/mod/core.html#define
- https://httpd.apache.org/docs/2.4/mod/core.html#include
"""
from wsgilint.findings import WARNING, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "limit-exceeded")


RULE = Rule(
    id="WSG010",
    name="limit-exceeded",
    severity=WARNING,
    summary="A size or depth limit stopped wsgilint from reading part of the configuration",
    fix="Simplify the configuration, or raise the limit with --limit NAME=NUMBER if the input is legitimate",
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#placeholders",
        "https://httpd.apache.org/docs/2.4/mod/core.html#define",
        "https://httpd.apache.org/docs/2.4/mod/core.html#include",
    ),
    check=check,
    docs=__doc__,
)
