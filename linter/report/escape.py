"""The one place where text from configurations and file names is made safe to print.

Everything wsgilint prints (every report format, stderr messages) may quote a hostile
configuration or file name. Three kinds of characters must not reach a terminal or a CI log
as they are (../shared/notes/adversarial.md #24, #32-#35):

- controls (Unicode category Cc: C0 but tab, DEL, C1): ESC starts colour, cursor and OSC 8
  hyperlink sequences, CR/LF start a new line that a GitHub runner reads as a workflow
  command (``::error ...``);
- format and separator characters (Cf, Zl, Zp): bidi embeddings, overrides and isolates
  (U+202A-U+202E, U+2066-U+2069) reorder what is shown ("Trojan Source", CVE-2021-42574),
  zero-width characters (U+200B-U+200D, U+2060, U+FEFF) hide text, U+2028/U+2029 break lines;
- lone surrogates (Cs): the bytes of a file name that is not UTF-8 (os.fsdecode's
  surrogateescape, ``\\udcff`` for the byte 0xff); a strict UTF-8 stream cannot encode them.

``visible`` (text, concise, github, stderr) writes each as a visible escape: ``\\x1b``,
``\\u202e``, and a non-UTF-8 byte as ``\\xff``, the raw byte shown. ``json_text`` (json, sarif,
gitlab, baseline files) keeps the decoded values unchanged where JSON can carry them (a
``\\u202e`` escape, never the raw character) and turns lone surrogates into the text ``\\xff``.
``_UNSAFE`` lists the characters by code point (Unicode 14, Python 3.11's unicodedata);
tests/hostile/test_escaping.py checks it against unicodedata of the running Python.
"""

from __future__ import annotations

import re

# Cc but tab; Cf, Zl, Zp; Cs (surrogates).
_C0 = "\x00-\x08\x0a-\x1f"  # Cc below space, tab kept (sources expand it, messages may hold it)
_RANGES_HIGH = (
    "\x7f-\x9f"  # DEL and C1
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
    "\ud800-\udfff"
)
_UNSAFE = re.compile(f"[{_C0}{_RANGES_HIGH}]")
# What json.dumps leaves raw (it escapes \x00-\x1f, '"' and '\\' itself).
_JSON_UNSAFE = re.compile(f"[{_RANGES_HIGH}]")


def _escape(m: re.Match) -> str:
    o = ord(m.group(0))
    if o < 0x100:
        return f"\\x{o:02x}"
    if 0xDC80 <= o <= 0xDCFF:  # surrogateescape: one byte of a name that is not UTF-8
        return f"\\x{o - 0xDC00:02x}"
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def visible(text: object) -> str:
    """``text`` with control, format, separator characters and lone surrogates as visible escapes."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    elif not isinstance(text, str):
        text = str(text)
    if text.isascii() and text.isprintable():
        return text
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def _surrogate(m: re.Match) -> str:
    o = ord(m.group(0))
    return f"\\x{o - 0xDC00:02x}" if 0xDC80 <= o <= 0xDCFF else f"\\u{o:04x}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def unsurrogate(text: str) -> str:
    """``text`` with lone surrogates (a non-UTF-8 name's bytes) as ``\\xff`` text; the rest kept.

    For values stored or compared as strings that must be encodable (baseline keys)."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(_surrogate, text)


def _json_escape(m: re.Match) -> str:
    o = ord(m.group(0))
    if 0xD800 <= o <= 0xDFFF:  # not a character: written as text, "\\xff" (JSON for \xff)
        return "\\" + _surrogate(m)
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    o -= 0x10000  # a UTF-16 pair, as JSON writes characters beyond the BMP
    return f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}"


def json_text(encoded: str) -> str:
    """Encoded JSON (``json.dumps(..., ensure_ascii=False)``) with the characters of ``_UNSAFE``
    that json leaves raw written as ``\\uXXXX`` escapes (the values read back are the same), and
    lone surrogates as the text ``\\xff``: valid UTF-8 JSON in which no line can be broken."""
    if encoded.isascii():
        return encoded.replace("\x7f", "\\u007f") if "\x7f" in encoded else encoded
    if _JSON_UNSAFE.search(encoded) is None:
        return encoded
    return _JSON_UNSAFE.sub(_json_escape, encoded)
