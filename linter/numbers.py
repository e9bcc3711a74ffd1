"""Numbers from configuration text, read the way the servers read them, and never raising.

Every number wsgilint takes from a configuration (a port, a size, a timeout, a count,
a version part) goes through this module, because Python's own conversions are not the
servers' and can raise on hostile input:

- ``int()`` accepts any Unicode decimal digit (``int("٣") == 3``, Arabic-Indic), ``str.isdigit``
  is also true for ``"²"`` (which ``int()`` then refuses with ValueError), and ``\\d`` in a
  ``str`` regex matches every Unicode digit. httpd (``apr_atoi64``/``apr_strtoff``), nginx
  (``ngx_atoi``, ``ngx_parse_size``, ``ngx_parse_time``) and uWSGI (``atoi``/``strtoul``) read
  ASCII ``0``-``9`` only (the C standard's ``isdigit`` in the "C" locale; nginx
  src/core/ngx_string.c ``ngx_atoi``: ``if (*line < '0' || *line > '9') return NGX_ERROR``),
  so only those are digits here.
- ``int()`` raises ValueError on more than 4300 digits (CPython's int max_str_digits,
  3.11+), and ``float(huge_int)`` / ``huge_int / n`` raise OverflowError. The servers store
  such numbers in a machine word: ``strtoul`` saturates at ``ULONG_MAX`` (C11 7.22.1.4),
  nginx refuses them. Here a number with more significant digits than ``max_digits`` is
  ``CAP`` (``2**64 - 1``, ULONG_MAX on the 64-bit hosts the servers run on) when
  ``saturate`` (the default), else None; no conversion is ever asked of more digits than
  that, so the cost is bounded too.

Every function returns a number or None (not a number); none raises for any ``str``.
tests/hostile/test_numbers.py holds them to that.
"""

from __future__ import annotations

CAP = 2**64 - 1  # ULONG_MAX on a 64-bit host: what strtoul saturates to (C11 7.22.1.4)
MAX_DIGITS = 20  # len(str(CAP)): more significant digits than this cannot fit a machine word
_SPACE = " \t\r\n\f\v"


def _digits_end(text: str, start: int) -> int:
    """The end of the run of ASCII digits starting at ``start``."""
    i, n = start, len(text)
    while i < n and "0" <= text[i] <= "9":
        i += 1
    return i


def _value(digits: str, max_digits: int, saturate: bool) -> int | None:
    """``int(digits)`` for a non-empty run of ASCII digits, bounded by ``max_digits``."""
    sig = digits.lstrip("0")
    if len(sig) > max_digits:
        return CAP if saturate else None
    return int(sig) if sig else 0


def is_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits only (unlike ``str.isdigit``: not ``"²"``)."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_int(text: str, *, max_digits: int = MAX_DIGITS, saturate: bool = True, leading: bool = False,
              signed: bool = False) -> int | None:
    """An integer written with ASCII digits, surrounding blanks allowed; None otherwise.

    ``leading``: read as ``strtoul``/``atoi`` do (uWSGI): the leading digits, the rest ignored,
    and 0 when there are none. ``signed``: an optional ``+``/``-`` sign. More than
    ``max_digits`` significant digits: ``CAP`` (``-CAP`` when negative) with ``saturate``,
    else None.
    """
    if not isinstance(text, str):
        return None
    t = text.strip(_SPACE)
    sign = 1
    start = 0
    if signed and t[:1] in ("+", "-"):
        sign = -1 if t[0] == "-" else 1
        start = 1
    end = _digits_end(t, start)
    if end == start:
        return 0 if leading else None
    if not leading and end != len(t):
        return None
    value = _value(t[start:end], max_digits, saturate)
    return None if value is None else sign * value


def parse_size(text: str, units: dict[str, int], *, max_digits: int = MAX_DIGITS,
               saturate: bool = True) -> int | None:
    """``<digits><unit>`` (blanks around allowed) as ``number * units[unit]``; None otherwise.

    ``units`` maps each accepted suffix (case-sensitive; give both cases when the server
    takes both) to its multiplier, and ``""`` to the multiplier of a bare number (leave it
    out when a suffix is required). The product saturates at ``CAP``.
    """
    if not isinstance(text, str):
        return None
    t = text.strip(_SPACE)
    end = _digits_end(t, 0)
    if end == 0:
        return None
    mult = units.get(t[end:])
    if mult is None:
        return None
    value = _value(t[:end], max_digits, saturate)
    if value is None:
        return None
    return min(value * mult, CAP) if saturate else value * mult


def parse_duration(text: str, units: dict[str, float], *, bare: str | None = None,
                   max_digits: int = MAX_DIGITS) -> float | None:
    """Seconds of a duration made of ``<digits><unit>`` parts (``1m30s``, ``500ms``); None otherwise.

    ``units`` maps each suffix to its length in seconds; ``bare`` is the unit of a part
    without a suffix (None: a suffix is required). The sum is a finite float: it saturates
    at ``CAP`` seconds (no OverflowError, whatever the digits).
    """
    if not isinstance(text, str):
        return None
    t = text.strip(_SPACE)
    if not t:
        return None
    # Longest suffix first, so "ms" is not read as "m" followed by "s".
    suffixes = sorted(units, key=len, reverse=True)
    total = 0.0
    pos, n = 0, len(t)
    while pos < n:
        end = _digits_end(t, pos)
        if end == pos:
            return None
        value = _value(t[pos:end], max_digits, True)
        unit = None
        for s in suffixes:
            if s and t.startswith(s, end):
                unit = s
                break
        if unit is None:
            if bare is None or end != n:
                return None
            scale = units[bare]
            pos = end
        else:
            scale = units[unit]
            pos = end + len(unit)
        total += float(min(value, CAP)) * scale
        if total >= CAP:
            total = float(CAP)
    return total


def parse_float(text: str, *, max_digits: int = MAX_DIGITS) -> float | None:
    """A decimal ``digits[.digits]`` (ASCII, blanks around allowed) as a finite float; None otherwise.

    No exponent, no ``inf``/``nan`` (Python's ``float()`` takes ``"1e999"``, ``"nan"`` and
    Unicode digits); the integer part saturates at ``CAP``.
    """
    if not isinstance(text, str):
        return None
    t = text.strip(_SPACE)
    whole, dot, frac = t.partition(".")
    if not whole and not frac:
        return None
    if (whole and _digits_end(whole, 0) != len(whole)) or (frac and _digits_end(frac, 0) != len(frac)):
        return None
    if dot and not frac and not whole:
        return None
    value = _value(whole, max_digits, True) if whole else 0
    if value >= CAP:
        return float(CAP)
    frac = frac[:max_digits]
    return float(value) + (int(frac) / 10 ** len(frac) if frac else 0.0)

