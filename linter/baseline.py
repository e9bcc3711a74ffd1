"""Record today's findings in a baseline file and filter them out of later runs.

Findings match on rule id + file + directive context (the enclosing sections and
the directive, see wsgilint.context), never on line numbers: editing above a
finding does not bring it back. Paths are stored relative to the baseline file's
directory, so the check can run from another directory. Repeats of the same key
are counted: a second identical finding in the same place is new.
"""

from __future__ import annotations

import json
import os
from collections import Counter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a small check)

if TYPE_CHECKING:
    from wsgilint.findings import Finding

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read (exit 2)."""


def _rel(path: str, base_dir: str, cwd: str) -> str:
    if not path or path.startswith("<"):
        return path
    full = os.path.normpath(os.path.join(cwd, path))
    return os.path.relpath(full, base_dir).replace(os.sep, "/")


def _key(f: "Finding", base_dir: str, cwd: str) -> tuple[str, str, str]:
    return (f.rule.id, _rel(f.path, base_dir, cwd), f.extra.get("context", ""))


def dump(findings: list["Finding"], path: str, *, cwd: str) -> dict:
    """The baseline document for ``findings`` (which must carry ``extra["context"]``)."""
    from wsgilint import __version__

    base_dir = os.path.dirname(os.path.abspath(path))
    entries = []
    for f in findings:
        rule, rel, ctx = _key(f, base_dir, cwd)
        entries.append({"rule": rule, "name": f.rule.name, "path": rel, "context": ctx, "message": f.message})
    return {"version": VERSION, "tool": {"name": "wsgilint", "version": __version__}, "findings": entries}


def load(path: str) -> Counter:
    """The (rule, path, context) keys of a baseline file, with their counts."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a wsgilint baseline (invalid JSON: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a wsgilint baseline (version {VERSION} expected)")
    keys: Counter = Counter()
    for e in doc["findings"]:
        try:
            keys[(str(e["rule"]), str(e["path"]), str(e.get("context", "")))] += 1
        except (KeyError, TypeError):
            raise BaselineError(f"{path}: malformed baseline entry {e!r}") from None
    return keys


def filter_new(findings: list["Finding"], keys: Counter, baseline_path: str, *, cwd: str) -> tuple[list, int]:
    """Findings not in the baseline, and how many baseline entries matched nothing (fixed since)."""
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    left = Counter(keys)
    new = []
    for f in findings:
        k = _key(f, base_dir, cwd)
        if left[k] > 0:
            left[k] -= 1
        else:
            new.append(f)
    return new, sum(left.values())
