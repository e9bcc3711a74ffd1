"""Regular expressions taken from configurations, matched with bounded work.

``<IfVersion ~ re>``, ``<LocationMatch>``, ``<DirectoryMatch>``, ``<FilesMatch>`` and nginx
``location ~`` carry patterns wsgilint did not write. Python's ``re`` backtracks and has no
step budget, and the standard library has no engine without backtracking, so the choice
here is a static bound, decided before matching (no subprocess, no timer):

- A pattern with a quantified sub-pattern that itself holds an unbounded quantifier or an
  alternation (``(a+)+``, ``(a|a)*``, ``(a*b?)*``: star height 2) can backtrack
  exponentially in the subject's length: it is refused.
- Otherwise the backtracking of ``re`` is polynomial: with k unbounded quantifiers (a
  back-reference or a look-around counts as one more) over a subject of n characters it
  tries at most about C(n + k, k) ways to split the subject (``.*.*.*X`` is the classic).
  That number, times the subject's length (``search`` tries each start) and the pattern's
  length, must stay within ``max-regex-work`` (10,000,000 by default: at most a few tenths
  of a second of ``re``), else the pattern is refused for that subject.
- Patterns over 4 KiB and nesting deeper than 100 groups are refused (``re`` recurses).

A refused pattern is "cannot be evaluated": ``search`` returns None and the caller treats
the section as not matching and reports WSG010 once per check (budget ``max-regex-work``).
Real configurations use a handful of anchored alternations and one ``.*``; the 10k-vhost
bench and every corpus tree pass.
"""

from __future__ import annotations

import functools
import math
import re

MAX_PATTERN = 4096
MAX_NESTING = 100
_INFINITE = -1  # cost of a pattern that may backtrack exponentially


@functools.lru_cache(maxsize=512)
def _analyse(pattern: str) -> tuple[int, re.Pattern | None]:
    """(k, compiled) for an acceptable pattern; (_INFINITE, None) when refused or invalid."""
    if len(pattern) > MAX_PATTERN or pattern.count("(") > MAX_NESTING * 4:
        return _INFINITE, None
    depth = 0
    for ch in pattern:  # cheap pre-check: sre's parser recurses per group
        if ch == "(":
            depth += 1
            if depth > MAX_NESTING:
                return _INFINITE, None
        elif ch == ")":
            depth = max(0, depth - 1)
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse  # type: ignore[no-redef]
    try:
        tree = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return _INFINITE, None
    k = _count(tree, sre_parse, inside_repeat=False)
    if k < 0:
        return _INFINITE, None
    return k, compiled


def _count(items, sre, inside_repeat: bool) -> int:
    """Unbounded quantifiers (and back-references, look-arounds) in ``items``; -1 if nested."""
    c = sre.constants if hasattr(sre, "constants") else sre
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT) + ((c.POSSESSIVE_REPEAT,) if hasattr(c, "POSSESSIVE_REPEAT") else ())
    total = 0
    for op, av in items:
        if op in repeats:
            lo, hi, sub = av
            unbounded = hi == c.MAXREPEAT or hi > 64
            if inside_repeat and unbounded:
                return -1
            if unbounded or hi > 1:
                if _has_choice(sub, sre, c, repeats):
                    return -1
                inner = _count(sub, sre, inside_repeat=True)
                if inner < 0:
                    return -1
                total += inner + (1 if unbounded else 0)
            else:
                inner = _count(sub, sre, inside_repeat)
                if inner < 0:
                    return -1
                total += inner
        elif op == c.SUBPATTERN:
            inner = _count(av[-1], sre, inside_repeat)
            if inner < 0:
                return -1
            total += inner
        elif op == c.BRANCH:
            for alt in av[1]:
                inner = _count(alt, sre, inside_repeat)
                if inner < 0:
                    return -1
                total += inner
        elif op in (c.ASSERT, c.ASSERT_NOT):
            inner = _count(av[1], sre, inside_repeat)
            if inner < 0:
                return -1
            total += inner + 1
        elif op == c.GROUPREF or op == getattr(c, "GROUPREF_EXISTS", None):
            if inside_repeat:
                return -1
            total += 1
        elif op == getattr(c, "ATOMIC_GROUP", None):
            inner = _count(av, sre, inside_repeat)
            if inner < 0:
                return -1
            total += inner
    return total


def _has_choice(items, sre, c, repeats) -> bool:
    """Whether a repeated body holds an alternation or an optional part (ways to split it)."""
    for op, av in items:
        if op == c.BRANCH:
            return True
        if op in repeats:
            lo, hi, sub = av
            if lo != hi:
                return True
            if _has_choice(sub, sre, c, repeats):
                return True
        elif op == c.SUBPATTERN:
            if _has_choice(av[-1], sre, c, repeats):
                return True
    return False


def cost(pattern: str, subject_length: int) -> int:
    """An upper bound of the backtracking steps (-1: unbounded, refused)."""
    k, compiled = _analyse(pattern)
    if compiled is None:
        return -1
    n = max(1, subject_length)
    return math.comb(n + k, k) * max(1, len(pattern)) * (n if k else 1)


def valid(pattern: str) -> bool:
    """Whether ``re`` accepts the pattern at all (and wsgilint could analyse it)."""
    return _analyse(pattern)[1] is not None


def search(pattern: str, subject: str, max_work: int, flags: int = 0):
    """``re.search`` when its bounded cost fits ``max_work``; None (refused) otherwise.

    Returns a tuple ``(matched, refused)``: ``refused`` is True when the pattern was not
    run (its cost is over ``max_work``, or unbounded); ``matched`` is then False.
    """
    k, compiled = _analyse(pattern)
    if compiled is None:
        return False, _INFINITE == k and not _is_re_error(pattern)
    if k:
        n = max(1, len(subject))
        # comb grows fast: compare in steps so a huge subject does not build a huge integer
        if k > 64 or n > max_work or math.comb(n + k, k) * n * max(1, len(pattern)) > max_work:
            return False, True
    if flags:
        compiled = re.compile(pattern, flags)
    return compiled.search(subject) is not None, False


@functools.lru_cache(maxsize=256)
def _is_re_error(pattern: str) -> bool:
    """True when the pattern is simply invalid (``re`` refuses it): not a budget matter."""
    if len(pattern) > MAX_PATTERN:
        return False
    depth = 0
    for ch in pattern:
        if ch == "(":
            depth += 1
            if depth > MAX_NESTING:
                return False
        elif ch == ")":
            depth = max(0, depth - 1)
    try:
        re.compile(pattern)
    except (re.error, OverflowError, ValueError, TypeError):
        return True
    except RecursionError:
        return False
    return False
