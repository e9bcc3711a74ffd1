"""Parse nginx configuration text into a tree of directives and blocks with exact offsets.

The tokenizer follows nginx's own ``ngx_conf_read_token`` (src/core/ngx_conf_file.c,
1.22): words end at space, tab, CR, LF, ``;`` or ``{`` (a ``}`` inside a word is
part of it, so ``${var}`` and ``$a}`` stay one word; ``{`` right after ``$`` is
too); ``#`` starts a comment only where a word could start; a word starting with
``"`` or ``'`` runs to the matching unescaped quote and must be followed by
space, ``;``, ``{`` or ``)``; backslash escapes the next character, and ``\\"``
``\\'`` ``\\\\`` ``\\t`` ``\\r`` ``\\n`` are translated in the value. ``$variables``
are kept as text. Every token keeps its raw text, its value, its quoted flag and
its start/end offsets into the unmodified text; comments are kept too.

Why not crossplane (nginx's authors' parser)? Evaluated 0.5.8 (pip download):
it takes only a filename and opens files itself (includes would escape a
``--root``), gives lines but no columns, drops argument positions and raw
quoting, and on a fragment (a sites-enabled file holding ``server {}``) its
context check marks every directive "not allowed here" and returns none of them;
with ``check_ctx=False`` one unclosed brace at the end loses the whole file
("unexpected end of file"). Why not pyparsing? The language is a flat token
stream; a regex-driven scanner gives the same offsets without pyparsing's import
cost (~0.17 s, ../shared/notes/oracle-perf.md). Measured: this scanner reads a
generated 100,000-line nginx file (10,000 server blocks, 90,000 directives) in
1.2-2.4 s on the CI machine (tests/parse/test_nginx.py::test_large_file_is_linear
bounds it); real nginx trees are a few hundred lines.

Where nginx stops at the first error, this parser records a SyntaxProblem and
goes on: a missing ``;`` before ``}`` still yields the directive, extra ``}``
and stray ``;`` are skipped, blocks still open at the end are closed there.
"""

from __future__ import annotations

import re

from wsgilint.parse.syntax import ParsedFile, SyntaxProblem
from wsgilint.source import SourceFile

_SPACE = re.compile(r"[ \t\r\n]+")
# An unquoted word: escaped characters, "${" (the brace does not open a block), or any
# character but space, ";", "{" and backslash.
_WORD = re.compile(r"(?:\\[\s\S]|\$\{|[^ \t\r\n;{\\])+")
_DQ = re.compile(r'"((?:[^"\\]|\\[\s\S])*)"')
_SQ = re.compile(r"'((?:[^'\\]|\\[\s\S])*)'")
_ESC = re.compile(r"\\([\s\S])")
_TRANSLATE = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}


def unescape(raw: str) -> str:
    """The value nginx stores for a word's characters (quotes already removed)."""
    if "\\" not in raw:
        return raw
    return _ESC.sub(lambda m: _TRANSLATE.get(m.group(1), m.group(0)), raw)


class Token:
    """One word: raw text as written (quotes included), its value, offsets, quoted flag."""

    __slots__ = ("raw", "value", "start", "end", "quoted")

    def __init__(self, raw: str, value: str, start: int, end: int, quoted: bool) -> None:
        self.raw, self.value, self.start, self.end, self.quoted = raw, value, start, end, quoted

    def __repr__(self) -> str:
        return f"Token({self.raw!r}@{self.start})"


class Node:
    """A directive (``children is None``) or a block (``children`` is a list).

    ``start`` is the first word, ``end`` is after the ``;`` (or the closing ``}``
    of a block; ``open_brace`` is the offset of its ``{``).
    """

    __slots__ = ("tokens", "source", "start", "end", "children", "open_brace", "parent")

    def __init__(self, tokens: list[Token], source: SourceFile, start: int, end: int,
                 children: list["Node"] | None = None) -> None:
        self.tokens = tokens
        self.source = source
        self.start = start
        self.end = end
        self.children = children
        self.open_brace = -1
        self.parent: Node | None = None

    @property
    def name(self) -> str:
        return self.tokens[0].value

    @property
    def key(self) -> str:
        return self.tokens[0].value.lower()

    @property
    def args(self) -> list[str]:
        return [t.value for t in self.tokens[1:]]

    @property
    def is_block(self) -> bool:
        return self.children is not None

    def arg_spans(self) -> list[tuple[int, int]]:
        return [(t.start, t.end) for t in self.tokens[1:]]

    def to_json(self) -> dict:
        """A plain dict (for tests and debugging), like crossplane's payload plus offsets."""
        out: dict = {"directive": self.name, "args": self.args, "start": self.start, "end": self.end}
        if self.children is not None:
            out["block"] = [c.to_json() for c in self.children]
        return out

    def __repr__(self) -> str:
        return f"Node({self.name!r}, {self.args!r})"


def parse(text: str, path: str = "<string>", source: SourceFile | None = None) -> ParsedFile:
    """Parse nginx configuration text. Never raises on bad input: problems are recorded."""
    src = source or SourceFile(path, text, "nginx")
    result = ParsedFile(src)
    problems = result.problems
    stack: list[Node] = []
    children = result.nodes
    words: list[Token] = []
    n = len(text)
    pos = 0
    space_match = _SPACE.match
    word_match = _WORD.match

    def emit(end: int, block: bool) -> Node:
        node = Node(list(words), src, words[0].start, end, [] if block else None)
        if stack:
            node.parent = stack[-1]
        children.append(node)
        words.clear()
        return node

    while pos < n:
        m = space_match(text, pos)
        if m:
            pos = m.end()
            if pos >= n:
                break
        c = text[pos]
        if c == ";":
            if words:
                emit(pos + 1, False)
            else:
                problems.append(SyntaxProblem(pos, pos + 1, 'unexpected ";"'))
            pos += 1
        elif c == "{":
            if words:
                node = emit(pos + 1, True)
                node.open_brace = pos
                stack.append(node)
                children = node.children  # type: ignore[assignment]
            else:
                problems.append(SyntaxProblem(pos, pos + 1, 'unexpected "{"'))
            pos += 1
        elif c == "}":
            if words:
                problems.append(SyntaxProblem(words[-1].end, pos + 1,
                                              'unexpected "}" (missing ";" before it)'))
                emit(words[-1].end, False)
            if stack:
                node = stack.pop()
                node.end = pos + 1
                children = stack[-1].children if stack else result.nodes  # type: ignore[assignment]
            else:
                problems.append(SyntaxProblem(pos, pos + 1, 'unexpected "}"'))
            pos += 1
        elif c == "#":
            nl = text.find("\n", pos)
            end = n if nl == -1 else nl
            result.comments.append((pos, end, text[pos:end].rstrip("\r")))
            pos = end
        elif c == '"' or c == "'":
            qm = (_DQ if c == '"' else _SQ).match(text, pos)
            if qm is None:
                problems.append(SyntaxProblem(pos, n, "unexpected end of file: unterminated quote"))
                raw = text[pos:]
                words.append(Token(raw, unescape(raw[1:]), pos, n, True))
                pos = n
                break
            end = qm.end()
            words.append(Token(qm.group(0), unescape(qm.group(1)), pos, end, True))
            pos = end
            if pos < n and text[pos] not in " \t\r\n;{)":
                problems.append(SyntaxProblem(pos, pos + 1, f'unexpected "{text[pos]}"'))
        else:
            wm = word_match(text, pos)
            if wm is None:  # a lone backslash at the very end
                problems.append(SyntaxProblem(pos, n, "unexpected end of file"))
                break
            end = wm.end()
            raw = wm.group(0)
            words.append(Token(raw, unescape(raw), pos, end, False))
            pos = end
    if words:
        problems.append(SyntaxProblem(words[0].start, words[-1].end,
                                      'unexpected end of file, expecting ";" or "}"'))
        emit(words[-1].end, False)
    for node in reversed(stack):
        node.end = n
        problems.append(SyntaxProblem(node.start, node.open_brace + 1,
                                      'unexpected end of file, expecting "}"'))
    return result


def walk(nodes):
    """Every node below ``nodes`` in document order."""
    todo = list(reversed(nodes))
    while todo:
        node = todo.pop()
        yield node
        if node.children:
            todo.extend(reversed(node.children))
