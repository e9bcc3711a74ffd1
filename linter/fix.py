"""Apply the edits rules attach to findings: ``wsgilint check --fix`` and ``--diff``.

The only place wsgilint writes what it reads. A file is written only when all of this holds:

- it is one the check read as an Apache, uWSGI or nginx config (never a systemd unit, an
  init script or a service's own config);
- it is a regular file inside the tree: ``--root`` (resolved as in a chroot, wsgilint.fsroot),
  or without a root the PATHs given (``/etc`` without them); a file reached only through a
  symlink that leads outside the tree is left alone;
- it is not a template (Jinja ``{{``/``{%``/``{#`` or ERB ``<%`` markers);
- its bytes, decoded as the check decoded them, are still the text the check read;
- no parse problem lies within ``NEAR`` lines of the edit (that edit is skipped).

Edits keep every other byte: they replace spans of the text as read, the text is encoded
back as it was decoded (UTF-8, or latin-1 for a file that is not UTF-8) and a UTF-8 byte
order mark is kept. The write is atomic and keeps the file's mode and owner
(wsgilint.output's replace). Overlapping edits in one file: the first in file order wins,
the others wait for the next pass; ``--fix`` re-checks after each pass (at most
``MAX_PASSES``) and reports what remains. A second run finds nothing to do.
"""

from __future__ import annotations

import os
import stat
from bisect import bisect_left, insort

MAX_PASSES = 4
NEAR = 3  # lines: a parse problem this close to an edit leaves the edit alone
KINDS = ("apache", "uwsgi", "nginx")
TEMPLATE_MARKERS = ("{{", "{%", "{#", "<%")
_PROBLEMS = ("parse-error", "limit-exceeded")


class Plan:
    """What one pass would change: new text per file, the findings fixed, what was left and why."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, str, str, os.stat_result, bytes]] = {}  # shown -> (host, old, new, st, raw)
        self.fixed: list = []  # findings whose edits are in ``files``
        self.waiting: list = []  # findings whose edits overlap another's: next pass
        self.unsafe: list = []  # findings with only unsafe edits, not asked for
        self.refused: dict[str, str] = {}  # shown path -> why its file is not written


class Tree:
    """Where --fix may write: host paths of the tree, and the FileSystem that reads it."""

    def __init__(self, root: str | None, paths: list[str], cwd: str, limits=None) -> None:
        from wsgilint.fsroot import FileSystem

        self.cwd = cwd
        self.fs = FileSystem(root=root, cwd=cwd, limits=limits)
        if root:
            self.tops = [os.path.realpath(root)]
        else:
            self.tops = [os.path.realpath(os.path.join(cwd, p)) for p in paths] or ["/etc"]

    def locate(self, shown: str) -> tuple[str, str]:
        """(config path, real host path) of a file shown as ``shown``; ValueError says why not."""
        from wsgilint.fsroot import ReadError

        host = os.path.abspath(os.path.join(self.cwd, shown))
        try:
            config = self.fs.to_config_path(host)
            real = self.fs.resolve(config) if self.fs.root else os.path.realpath(host)
        except ReadError as exc:
            raise ValueError(str(exc)) from None
        if not any(real == top or real.startswith(top.rstrip("/") + "/") for top in self.tops):
            raise ValueError("reached through a symlink that leads outside the tree")
        return config, real

    def close(self) -> None:
        self.fs.close()


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Two insertions at one place, or an insertion inside a replaced span, overlap too.
    return a[0] < b[1] and b[0] < a[1] or a[0] == b[0] or (a[0] == a[1] and b[0] < a[0] < b[1]) \
        or (b[0] == b[1] and a[0] < b[0] < a[1])


def _clashes(span: tuple[int, int], chosen: list[tuple[int, int]]) -> bool:
    """Does ``span`` overlap one of the sorted, non-overlapping ``chosen`` spans? (Its neighbours tell:
    a logarithmic search, not a scan, so a file with thousands of edits costs n log n.)"""
    i = bisect_left(chosen, span)
    return any(_overlaps(span, chosen[j]) for j in (i - 1, i, i + 1) if 0 <= j < len(chosen))


def plan(findings, tree: Tree, model=None, unsafe: bool = False) -> Plan:
    """Choose the edits to apply now and compute each file's new text (nothing is written)."""
    from wsgilint.fsroot import ReadError, decode

    out = Plan()
    by_source: dict = {}
    for f in findings:
        if not f.edits:
            continue
        if not unsafe and not all(e.safe for e in f.edits):
            out.unsafe.append(f)
            continue
        sources = {e.span.source for e in f.edits}
        if len(sources) != 1:
            continue  # an edit group across files is applied whole or not at all: not made by any rule
        by_source.setdefault(next(iter(sources)), []).append(f)
    problems: dict = {}
    for d in (model.diagnostics if model is not None else ()):
        if d.code in _PROBLEMS and d.span is not None:
            problems.setdefault(d.span.source, []).append(d.span)
    for source, group in by_source.items():
        shown = source.path
        why = _refuse(source, tree)
        raw = b""
        if why is None:
            try:
                config, real = tree.locate(shown)
                st = os.lstat(real)
                if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
                    raise ValueError("not a regular file")
                raw = tree.fs.read_bytes(config)
                text, _note = decode(raw)
                if text != source.text:
                    raise ValueError("changed since it was read")
            except (ValueError, ReadError, OSError) as exc:
                why = str(exc)
        if why is not None:
            out.refused[shown] = why
            continue
        near = {source.position(p.start)[0] + d for p in problems.get(source, ()) for d in range(-NEAR, NEAR + 1)}
        chosen: list[tuple[int, int]] = []  # sorted, non-overlapping: a new span is compared with its neighbours
        edits: dict[tuple[int, int, str], object] = {}
        for f in sorted(group, key=lambda f: min(e.span.start for e in f.edits)):
            spans = [(e.span.start, e.span.end) for e in f.edits]
            lines = [source.position(s)[0] for s, _ in spans]
            if any(line in near for line in lines):
                out.refused.setdefault(shown, f"a parse problem within {NEAR} lines of the edit")
                continue
            keys = [(e.span.start, e.span.end, e.text) for e in f.edits]
            if all(k in edits for k in keys):  # the same edit as another finding's (a shared section)
                out.fixed.append(f)
                continue
            if any(_clashes(s, chosen) for s in spans) or any(_overlaps(a, b) for a in spans for b in spans if a < b):
                out.waiting.append(f)
                continue
            for sp in spans:
                insort(chosen, sp)
            for k, e in zip(keys, f.edits):
                edits[k] = e
            out.fixed.append(f)
        if not edits:
            continue
        new = apply_text(source.text, list(edits))
        if new != source.text:
            out.files[shown] = (real, source.text, new, st, raw)
    return out


def apply_text(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, replacement) applied; the spans do not overlap."""
    parts = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        parts.append(text[pos:start])
        parts.append(new)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _refuse(source, tree: Tree) -> str | None:
    if source.kind not in KINDS:
        return f"a {source.kind or 'non-config'} file: never edited"
    if any(m in source.text for m in TEMPLATE_MARKERS):
        return "a template (Jinja or ERB markers): edit its source instead"
    return None


def encode(text: str, raw: bytes) -> bytes:
    """``text`` encoded as ``raw`` was decoded (wsgilint.fsroot.decode): UTF-8 or latin-1, BOM kept."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        body.decode("utf-8")
        data = text.encode("utf-8")
    except UnicodeDecodeError:
        data = text.encode("latin-1")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def write(p: Plan) -> list[str]:
    """Write each planned file atomically (mode and owner kept); the files that could not be written."""
    from wsgilint import output

    failed = []
    for shown, (real, _old, new, st, raw) in p.files.items():
        try:
            cur = os.lstat(real)
            if (cur.st_ino, cur.st_dev, cur.st_size, cur.st_mtime_ns) != \
                    (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns) or not stat.S_ISREG(cur.st_mode):
                raise OSError(f"{shown} changed while it was fixed")
            output._replace(real, cur, encode(new, raw))
        except (OSError, output._Refused) as exc:
            failed.append(f"{shown}: {exc}")
    return failed


def diff(p: Plan) -> str:
    """A unified diff of every planned change (paths as shown, a/ and b/ prefixes)."""
    import difflib

    out = []
    for shown in sorted(p.files):
        _real, old, new, _st, _raw = p.files[shown]
        out.extend(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{shown}", f"b/{shown}"))
        if out and not out[-1].endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _shown(text: str) -> str:
    """The diff as printed: each line's own line end kept (a CRLF file's diff stays applicable), any
    other control, bidi or non-UTF-8 character escaped (wsgilint.report.escape.visible)."""
    from wsgilint.report.escape import visible

    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(visible(body) + line[len(body):])
    return "".join(out)


def _count(findings) -> str:
    from collections import Counter

    c = Counter(f.rule.id for f in findings)
    return ", ".join(f"{rid} x{n}" if n > 1 else rid for rid, n in sorted(c.items()))


def run(result, recheck, *, root, paths, cwd, unsafe=False, show_diff=False, limits=None, echo=None):
    """--fix (``show_diff`` False) or --diff: returns (result to report, exit status for --diff or None).

    ``recheck()`` runs the check again (with the user's filters) and returns its result."""
    tree = Tree(root, [p for p in paths if p != "-"], cwd, limits)
    notes: list[str] = []
    try:
        if show_diff:
            p = plan(result.findings, tree, result.model, unsafe)
            text = diff(p)
            import sys

            sys.stdout.write(_shown(text))
            sys.stdout.flush()
            notes.append(f"would fix {len(p.fixed)} finding(s) in {len(p.files)} file(s)"
                         + (f" ({_count(p.fixed)})" if p.fixed else ""))
            notes.extend(_leftovers(p, result.findings, unsafe, final=False))
            for line in notes:
                echo(f"wsgilint: {line}")
            return result, (1 if p.files else 0)
        fixed: list = []
        files: set[str] = set()
        last = None
        for _ in range(MAX_PASSES):
            p = plan(result.findings, tree, result.model, unsafe)
            last = p
            if not p.files:
                break
            failed = write(p)
            for line in failed:
                notes.append(f"not fixed: {line}")
            fixed.extend(f for f in p.fixed if f.path in p.files and not any(x.startswith(f.path + ":")
                                                                              for x in failed))
            files.update(s for s in p.files if not any(x.startswith(s + ":") for x in failed))
            result = recheck()
            if failed:
                break
        notes.insert(0, f"fixed {len(fixed)} finding(s) in {len(files)} file(s)"
                     + (f" ({_count(fixed)})" if fixed else "") + f"; {len(result.findings)} remain")
        if last is not None:
            final = plan(result.findings, tree, result.model, unsafe)
            notes.extend(_leftovers(final, result.findings, unsafe, final=True))
        for line in notes:
            echo(f"wsgilint: {line}")
        return result, None
    finally:
        tree.close()


def _leftovers(p: Plan, findings, unsafe: bool, final: bool) -> list[str]:
    out = []
    if p.unsafe and not unsafe:
        out.append(f"{len(p.unsafe)} more fix(es) need --unsafe-fixes ({_count(p.unsafe)})")
    if p.waiting:
        out.append(f"{len(p.waiting)} fix(es) overlap another: " + ("run --fix again" if final
                                                                      else "--fix applies them in a next pass"))
    if final and p.files:
        out.append(f"{len(p.fixed)} fix(es) still apply after {MAX_PASSES} passes: run --fix again")
    for shown, why in sorted(p.refused.items()):
        out.append(f"not fixed: {shown}: {why}")
    return out
