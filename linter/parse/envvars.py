"""Read Debian's /etc/apache2/envvars (a POSIX shell file) without running it.

apache2ctl sources envvars before starting httpd, so its exports act as Defines
for ``${APACHE_LOG_DIR}`` and friends. Only assignments are understood:
``[export] NAME=WORD`` where WORD concatenates bare text, single-quoted text
(literal), double-quoted text (``\\"`` escapes, ``$VAR``/``${VAR}`` expanded) and
``$VAR``/``${VAR}``. ``${VAR##pattern}``-style operators, command substitution and
control flow are not evaluated: assignments inside ``if``/``case`` blocks are
skipped, and ``SUFFIX`` is empty (the default /etc/apache2 instance).

Two readers, one language. Debian's stock envvars (and most edited ones) assign plain
words: ``export APACHE_LOG_DIR=/var/log/apache2$SUFFIX``. ``_plain`` reads such a line
with one regular expression: letters, digits, ``_./:@%+,=-`` and ``$VAR``/``${VAR}``,
nothing a shell would treat specially. Any other line (quotes, backslashes,
``${VAR##pattern}``, backticks, a space after ``=``) goes to ``_grammar``, the pyparsing
grammar of shell quoting, where a grammar is the clearest code. A Debian tree's check
thus never imports pyparsing (~55 ms: issue 16, bench/run.py's ``debian`` case), and
tests/parse/test_envvars.py holds the two readers to the same result on every line both
read (the fixtures' and ../shared/corpus's envvars files and a list of variants).
"""

from __future__ import annotations

import functools
import re

# A plain assignment: [export] NAME=WORD [;] [# comment], WORD made only of characters no
# shell treats specially and of $VAR / ${VAR}. What it leaves is for the grammar.
_PLAIN = re.compile(r"(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)="
                    r"((?:[A-Za-z0-9_./:@%+,=-]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})*)"
                    r"[ \t]*;?[ \t]*(?:#.*)?\Z")
_PLAIN_PART = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|[^$]+")


def _plain(line: str):
    """(name, parts) for a plain assignment line, parts as the grammar gives them; else None."""
    m = _PLAIN.match(line)
    if m is None or m.group(1) == "export":  # `export=1`: the grammar's (it refuses it)
        return None
    parts = []
    for p in _PLAIN_PART.finditer(m.group(2)):
        var = p.group(1) or p.group(2)
        parts.append(("var", var, "") if var else ("lit", p.group(0)))
    return m.group(1), parts


def _grammar_line(line: str):
    """(name, parts) for an assignment line by the pyparsing grammar; None when it does not parse."""
    import pyparsing as pp

    try:
        toks = _grammar().parse_string(line, parse_all=True)
    except pp.ParseBaseException:
        return None
    return toks[0], [tuple(t) for t in (toks[1] if len(toks) > 1 else [])]


@functools.cache
def _grammar():
    import pyparsing as pp

    name = pp.Regex(r"[A-Za-z_][A-Za-z0-9_]*").set_name("name")
    braced = pp.Regex(r"\$\{(?P<var>[A-Za-z_][A-Za-z0-9_]*)(?P<op>[^}]*)\}").set_name("${var}")
    plain_var = pp.Regex(r"\$(?P<var>[A-Za-z_][A-Za-z0-9_]*)").set_name("$var")
    var = (braced | plain_var).set_parse_action(lambda t: ("var", t.get("var"), t.get("op") or ""))
    squoted = pp.Regex(r"'(?P<s>[^']*)'").set_parse_action(lambda t: ("lit", t.get("s")))
    dq_text = pp.Regex(r'(?:[^"\\$]|\\.)+').set_parse_action(
        lambda t: ("lit", t[0].replace('\\"', '"').replace("\\\\", "\\").replace("\\$", "$")))
    dquoted = pp.Suppress('"') + pp.ZeroOrMore(var | dq_text) + pp.Suppress('"')
    bare = pp.Regex(r"""(?:[^\s'"$\\;#]|\\.)+""").set_parse_action(lambda t: ("lit", t[0].replace("\\", "")))
    word = pp.Group(pp.OneOrMore((squoted | dquoted | var | bare).leave_whitespace()))
    assignment = (pp.Optional(pp.Keyword("export")).suppress() + pp.Combine(name + pp.Suppress("="))
                  + pp.Optional(word, default=[]))
    assignment.set_whitespace_chars(" \t")
    return assignment + pp.Optional(pp.Suppress(";")) + pp.Optional(pp.Regex(r"#.*")).suppress()


_BLOCK_OPEN = ("if ", "if[", "case ", "while ", "for ", "until ")
_BLOCK_CLOSE = ("fi", "esac", "done")


def parse_envvars(text: str, limits=None, budget=None) -> dict[str, str]:
    """NAME -> value for every top-level assignment, expanded with earlier ones.

    Values are cut at ``limits.max_expansion`` characters (an ``A=$A$A`` chain doubles)
    and lines over ``limits.max_line_length`` are skipped; with a ``budget``, reading stops
    once the check's ``max_expanded_bytes`` are spent.
    """
    from wsgilint.limits import DEFAULT

    limits = limits or DEFAULT

    values: dict[str, str] = {"SUFFIX": ""}
    depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or len(line) > limits.max_line_length:
            continue
        first = line.split(None, 1)[0].rstrip(";")
        if line.startswith(_BLOCK_OPEN):
            depth += 1
            continue
        if first in _BLOCK_CLOSE:
            depth = max(0, depth - 1)
            continue
        if depth or "=" not in line:
            continue
        parsed = _plain(line) or _grammar_line(line)
        if parsed is None:
            continue
        name, parts = parsed
        out = []
        size = 0
        for kind, *rest in parts:
            if kind == "lit":
                out.append(rest[0])
            else:
                var, op = rest
                out.append(values.get(var, "") if not op else "")
            size += len(out[-1])
            if size > limits.max_expansion:
                break
        values[name] = "".join(out)[: limits.max_expansion]
        # The check's total of expanded characters (wsgilint.limits.Budget): a chain of
        # `A2="$A1$A1"` lines would otherwise keep max-expansion characters per line.
        if budget is not None and not budget.spend("max_expanded_bytes", len(values[name])):
            break
    values.pop("SUFFIX", None)
    return values
