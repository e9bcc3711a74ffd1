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
# A baseline is read whole (it is small: ~200 bytes per finding), but never more than this,
# and never from a FIFO or a device (wsgilint.readcap): a committed symlink to /dev/zero
# must not read until memory runs out (../shared/hostile/hang-baseline-special-file).
MAX_BYTES = 256 * 1024 * 1024


class BaselineError(Exception):
    """A baseline file that cannot be read (exit 2)."""


def _rel(path: str, base_dir: str, cwd: str) -> str:
    if not path or path.startswith("<"):
        return path
    full = os.path.normpath(os.path.join(cwd, path))
    return os.path.relpath(full, base_dir).replace(os.sep, "/")


def _key(f: "Finding", base_dir: str, cwd: str) -> tuple[str, str, str]:
    # The bytes of a non-UTF-8 file name as the text \xff (wsgilint.report.escape.unsurrogate):
    # what the JSON file can hold, and what a later run computes again for the same name.
    from wsgilint.report.escape import unsurrogate

    return (f.rule.id, unsurrogate(_rel(f.path, base_dir, cwd)), unsurrogate(f.extra.get("context", "")))


def dump(findings: list["Finding"], path: str, *, cwd: str) -> dict:
    """The baseline document for ``findings`` (which must carry ``extra["context"]``)."""
    from wsgilint import __version__

    from wsgilint.report.escape import unsurrogate

    base_dir = os.path.dirname(os.path.abspath(path))
    entries = []
    for f in findings:
        rule, rel, ctx = _key(f, base_dir, cwd)
        entries.append({"rule": rule, "name": f.rule.name, "path": rel, "context": ctx,
                        "message": unsurrogate(f.message)})
    return {"version": VERSION, "tool": {"name": "wsgilint", "version": __version__}, "findings": entries}


def load(path: str) -> Counter:
    """The (rule, path, context) keys of a baseline file, with their counts.

    Whatever the file holds, the answer is the keys or a one-line BaselineError: a special
    file or one over MAX_BYTES is not read, numbers are read without Python's 4300-digit
    error, nesting too deep for the parser and entries of the wrong types are named
    (../shared/hostile/crash-baseline-hostile-json)."""
    from wsgilint import readcap
    from wsgilint.context import bounded
    from wsgilint.numbers import parse_int

    try:
        data = readcap.read_regular(path, MAX_BYTES)
    except readcap.CapError as exc:
        raise BaselineError(f"{path}: baseline {exc}") from None
    try:
        doc = json.loads(data.decode("utf-8"), parse_int=parse_int)
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: not a wsgilint baseline (not UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a wsgilint baseline (invalid JSON: {exc.msg} at line {exc.lineno} "
                            f"column {exc.colno})") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a wsgilint baseline (nested too deeply)") from None
    except ValueError as exc:  # anything else json refuses
        raise BaselineError(f"{path}: not a wsgilint baseline (invalid JSON: {str(exc)[:100]})") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a wsgilint baseline (version {VERSION} expected)")
    keys: Counter = Counter()
    for i, e in enumerate(doc["findings"]):
        if not isinstance(e, dict):
            raise BaselineError(f"{path}: malformed baseline entry #{i + 1}: an object expected")
        for field, required in (("rule", True), ("path", True), ("context", False)):
            value = e.get(field)
            if value is None and not required:
                continue
            if not isinstance(value, str):
                what = "missing" if value is None else f"a {type(value).__name__}, a string expected"
                raise BaselineError(f"{path}: malformed baseline entry #{i + 1}: {field!r} is {what}")
        # Contexts are stored bounded (wsgilint.context.bounded); one written whole by an older
        # wsgilint reads as the bounded form a check computes now for the same place.
        keys[(e["rule"], e["path"], bounded(e.get("context") or ""))] += 1
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
