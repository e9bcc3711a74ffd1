"""Parse Apache httpd configuration text into a tree of directives and sections.

This mirrors how httpd reads a file (server/util.c ap_cfg_getline, ap_getword_conf;
server/config.c ap_build_config_sub): logical lines joined by a single trailing
backslash (also inside comments), whole-line ``#`` comments only, the first word is
the directive name, ``<Name args>`` opens a section that ``</Name>`` must close.

This is the hot path of a check (a 10k-vhost tree has 180k lines), so it is a hand
written line scanner, not a pyparsing grammar: pyparsing's own import costs ~0.17 s
(../shared/notes/oracle-perf.md) and its per-token overhead is paid on every line.
Argument offsets are computed lazily, only for findings. Whole-run figures against
httpd are in bench/README.md (bench/run.py).

Two paths, one result. ``_parse_general`` reads any text (continuations, NBSP, ...).
``_parse_plain`` takes a file with no continuation line and no character that
str.split() treats as space but httpd does not (``_plain``: nearly every real file)
and does the least Python work per line: one split of the text into lines, one
``line.split(None, 1)`` and one ``str.split()`` for the words (C), a Node built by
storing its slots (no ``__init__`` call), and a quote test that is one int comparison
per line. The 10k tree's 10,001 files parse in 0.167 s instead of 0.368 s (parse
calls only, texts in memory, min of 9; 205M instead of 416M instructions for the 1k
tree under callgrind). tests/parse/test_apache_fastpath.py checks that both paths
build identical trees.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from wsgilint.limits import DEFAULT as DEFAULT_LIMITS
from wsgilint.limits import Limits
from wsgilint.parse.syntax import ParsedFile, SyntaxProblem
from wsgilint.source import SourceFile, Span

# One word as ap_getword_conf reads it: a quoted string (a backslash escapes the
# quote or a backslash; an unterminated quote runs to the end), or a run of non-space.
_WORD = re.compile(r"""("(?:[^"\\]|\\.)*(?:"|\\?$)|'(?:[^'\\]|\\.)*(?:'|\\?$)|[^ \t\n\r\f\v]+)""", re.S)
_SPACE = " \t\r\f\v"
# httpd splits on apr_isspace (ASCII space, \t \n \v \f \r) only. str.split() would also
# split on NBSP and \x1c-\x1f, so words and the directive name use these instead.
_BARE = re.compile(r"[^ \t\n\r\f\v]+")
_HEAD = re.compile(r"([^ \t\n\r\f\v]+)[ \t\n\r\f\v]*")
_RECOVER_LOOKBACK = 64
# Directive names seen, each with its key (lower case): nodes share one name and one key
# string each instead of two new ones per directive (140k directives on the 10k-vhost tree:
# ~13 MB less, so fewer page faults). Capped, so hostile input with a new name on every
# line cannot grow it without bound.
_NAMES: dict[str, tuple[str, str]] = {}
_NAMES_MAX = 4096
_SHARED_MAX = 65536  # argument texts shared per check (parse(shared=...)); the rest get their own lists
# Words separated by space where each quote opens or closes a whole non-empty word with no
# space, backslash or other quote inside ('a "b" c'; not '"b c"', 'a"b', '""', '"\\""').
_SIMPLE_WORD = r"""(?:[^ \t\n\r\f\v"']+|"[^ \t\n\r\f\v"'\\]+"|'[^ \t\n\r\f\v"'\\]+')"""
_SIMPLE_QUOTED = re.compile(rf"[ \t\n\r\f\v]*{_SIMPLE_WORD}(?:[ \t\n\r\f\v]+{_SIMPLE_WORD})*[ \t\n\r\f\v]*")
# What str.split() and str.strip() treat as space besides apr_isspace's ASCII set: a text
# without any of these splits the same with str.split() (C) as with _BARE.
_NOT_APR_SPACE = re.compile("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def unquote(word: str) -> tuple[str, bool]:
    """Return (value, quoted) for one raw word, as httpd's substring_conf does."""
    if word and word[0] in "\"'":
        q = word[0]
        body = word[1:-1] if len(word) > 1 and word[-1] == q and not _escaped_end(word) else word[1:]
        if "\\" in body:
            body = body.replace("\\" + q, q)
        return body, True
    return word, False


def _escaped_end(word: str) -> bool:
    """True when the final quote of a quoted word is escaped (so it does not close it)."""
    n = 0
    i = len(word) - 2
    while i > 0 and word[i] == "\\":
        n += 1
        i -= 1
    return n % 2 == 1


def split_words(raw: str) -> list[str]:
    """Split an argument string into values, as ap_getword_conf does."""
    if '"' not in raw and "'" not in raw:
        return _BARE.findall(raw)
    return [unquote(m.group(0))[0] for m in _WORD.finditer(raw)]


def _split_quoted(raw: str) -> list[str]:
    """``split_words`` for a plain line that has a quote character."""
    if _SIMPLE_QUOTED.fullmatch(raw) is not None:
        # Every quote opens or closes a whole word (no space, backslash or other quote
        # inside it), so removing the quotes leaves the same words: 0.5 us, not 1.8 us.
        return raw.replace('"', "").replace("'", "").split()
    return split_words(raw)


class Node:
    """A directive (``children is None``) or a section (``children`` is a list).

    ``raw`` is the argument text as written (for sections, without the final ``>``);
    ``args`` are its words with quotes removed. ``start``/``end`` cover the logical
    line; ``close_start``/``close_end`` the closing tag of a section. ``_raw_start`` is
    where ``raw`` starts: relative to ``start`` on one physical line, an index into the
    joined logical line when ``_segments`` maps continuation lines. ``parent`` is the
    enclosing section as parsed (None at top level); nothing changes a node after parsing
    (the resolver's Directive points at it: resolve.apache).
    """

    # _parse_plain sets every slot itself (no __init__ call): a new slot goes there too.
    __slots__ = (
        "name", "key", "args", "raw", "source", "start", "end", "children",
        "close_start", "close_end", "_raw_start", "_segments", "parent",
    )

    def __init__(self, name, args, raw, source, start, end, raw_start, segments, children=None):
        self.name = name
        self.key = name.lower()
        self.args = args
        self.raw = raw
        self.source = source
        self.start = start
        self.end = end
        self._raw_start = raw_start
        self._segments = segments
        self.children = children
        self.close_start = -1
        self.close_end = -1
        self.parent = None

    @property
    def is_section(self) -> bool:
        return self.children is not None

    def offset_of(self, raw_index: int, _starts: list[int] | None = None) -> int:
        """File offset of a character index into ``raw``."""
        if self._segments is None:
            return self.start + self._raw_start + raw_index
        idx = self._raw_start + raw_index  # index into the logical line
        starts = _starts if _starts is not None else [s[0] for s in self._segments]
        k = bisect_right(starts, idx) - 1
        seg_logical, seg_file = self._segments[k]
        return seg_file + (idx - seg_logical)

    @property
    def span(self) -> Span:
        return Span(self.source, self.start, self.end)

    def arg_span(self, index: int) -> Span:
        """The span of one argument as written (falls back to the whole directive)."""
        found = self.arg_offsets(index) if 0 <= index < len(self.args) else None
        return Span(self.source, found[0], found[1]) if found is not None else self.span

    def arg_offsets(self, index: int) -> tuple[int, int] | None:
        """File offsets (start, end) of argument ``index`` as written, or None."""
        if self._segments is None:  # stop at the wanted word (a route asks for its first or second)
            base = self.start + self._raw_start
            raw = self.raw
            if '"' not in raw and "'" not in raw:
                # The words are ``args`` (no quotes: the text split at spaces), and each one
                # starts where its text next occurs after the previous one: only spaces lie
                # between them. Two finds instead of a regex match object per word.
                args = self.args
                if not 0 <= index < len(args):
                    return None
                pos = 0
                for k in range(index):
                    pos = raw.find(args[k], pos) + len(args[k])
                pos = raw.find(args[index], pos)
                return base + pos, base + pos + len(args[index])
            for k, m in enumerate(_WORD.finditer(raw)):
                if k == index:
                    return base + m.start(), base + m.end()
            return None
        spans = self.arg_spans()
        return spans[index] if 0 <= index < len(spans) else None

    def arg_spans(self) -> list[tuple[int, int]]:
        """File offsets (start, end) of each argument as written."""
        if self._segments is None:  # one physical line: offsets are a constant shift
            base = self.start + self._raw_start
            return [(base + m.start(), base + m.end()) for m in _WORD.finditer(self.raw)]
        out = []
        # The segment table once per call, not per word: 100k continuation lines stay linear.
        starts = [s[0] for s in self._segments]
        for m in _WORD.finditer(self.raw):
            out.append((self.offset_of(m.start(), starts), self.offset_of(m.end() - 1, starts) + 1))
        return out

    def __repr__(self) -> str:
        kind = "Section" if self.children is not None else "Directive"
        return f"{kind}({self.name!r}, {self.args!r})"


def parse(text: str, path: str = "<string>", source: SourceFile | None = None,
          limits: Limits | None = None, shared: dict[str, list[str]] | None = None) -> ParsedFile:
    """Parse Apache configuration text. Never raises on bad input: problems are recorded.

    Limits: a logical line longer than ``max_line_length`` is skipped, and sections
    nested deeper than ``max_depth`` are matched but dropped (each reported once).

    ``shared`` (argument text -> words) lets directives written alike share one ``args``
    list, across the files of one check (a resolver passes one dict for all its files):
    ``Require all granted`` in 10k vhosts is one list, not 10k. ``args`` lists are never
    modified after parsing, by anyone.
    """
    src = source or SourceFile(path, text, "apache")
    limits = limits or DEFAULT_LIMITS
    result = ParsedFile(src)
    if len(text) > limits.max_lines and text.count("\n") > limits.max_lines:
        result.problems.append(SyntaxProblem(
            0, min(len(text), 1), f"more than {limits.max_lines} lines (max-lines); file not parsed",
            code="limit-exceeded"))
        return result
    if _plain(text):
        _parse_plain(text, src, limits, result, {} if shared is None else shared)
    else:
        _parse_general(text, src, limits, result)
    return result


def _plain(text: str) -> bool:
    """True when ``_parse_plain`` applies: no continuation line, and str.split splits as httpd does."""
    if "\\" in text and ("\\\n" in text or "\\\r" in text or text.endswith("\\")):
        return False
    if text.isascii():  # O(1); then four memchr scans
        return "\x1c" not in text and "\x1d" not in text and "\x1e" not in text and "\x1f" not in text
    return _NOT_APR_SPACE.search(text) is None


def _parse_plain(text: str, src: SourceFile, limits: Limits, result: ParsedFile,
                 shared: dict[str, list[str]]) -> None:
    """Parse text without continuation lines: one str.split per line, one Node per directive."""
    max_line = limits.max_line_length
    max_depth = limits.max_depth
    depth_reported = False
    nodes = result.nodes
    comments = result.comments
    problems = result.problems
    new = object.__new__
    sp = _SPACE
    stack: list[Node] = []
    children = nodes
    top = None
    # Offset of the next quote character: a line ending before it has no quoted word (one
    # int comparison per line instead of two substring tests). It is moved on only by lines
    # that split words; a stale value just sends a line through _split_quoted, which is exact.
    dq, sq, nextq = _next_quotes(text, 0, -1, -1)
    names = _NAMES
    names_get = names.get
    shared_get = shared.get
    pos = 0
    for line in text.split("\n"):
        ls = pos
        ln = len(line)
        pos += ln + 1
        if ln > max_line:
            problems.append(SyntaxProblem(
                ls, ls + ln, f"line longer than {max_line} characters (max-line-length); skipped",
                code="limit-exceeded"))
            continue
        words = line.split(None, 1)
        if len(words) == 2:
            name, rest = words
        elif words:
            name = words[0]
            rest = None
        else:
            continue
        c = name[0]
        dend = ls + ln
        ll = len(line.lstrip())
        dstart = dend - ll
        if c == "<":
            if name[1:2] == "/":
                # Closing tag: the same rules as in _parse_general.
                if top is not None and name[-1] == ">" and name[2:-1].lower() == top.key[1:]:
                    top.close_start = dstart
                    top.close_end = dend
                    stack.pop()
                else:
                    _misclosed(stack, name, dstart, dend, problems)
                if stack:
                    top = stack[-1]
                    children = top.children
                else:
                    top = None
                    children = nodes
                continue
            if rest is None:
                raw = ""
                raw_base = len(name)
            else:
                raw_base = ll - len(rest)
                raw = rest.rstrip(sp)
            if not raw and name[-1] == ">":
                sec_name = name[:-1]
                sec_raw = ""
            else:
                sec_name = name
                if raw and raw[-1] == ">":
                    sec_raw = raw[:-1].rstrip(sp)
                else:
                    gt = raw.rfind(">")
                    if gt == -1:
                        problems.append(SyntaxProblem(dstart, dend, f"{name}> directive missing closing '>'"))
                        sec_raw = raw
                    else:
                        sec_raw = raw[:gt].rstrip(sp)
            if sec_name[-1] == ">":
                sec_name = sec_name[:-1]
            if nextq < dend:
                args = _split_quoted(sec_raw)
                dq, sq, nextq = _next_quotes(text, pos, dq, sq)
            else:
                args = shared_get(sec_raw)  # <Location /api/> in 10k vhosts: one list
                if args is None:
                    args = sec_raw.split()
                    if len(shared) < _SHARED_MAX:
                        shared[sec_raw] = args
            found = names_get(sec_name)
            if found is None:
                key = sec_name.lower()
                if len(names) < _NAMES_MAX:
                    names[sec_name] = (sec_name, key)
            else:
                sec_name, key = found
            node = new(Node)  # slots stored here, as for directives below
            node.name = sec_name
            node.key = key
            node.args = args
            node.raw = sec_raw
            node.source = src
            node.start = dstart
            node.end = dend
            node._raw_start = raw_base
            node._segments = None
            node.children = []
            node.close_start = -1
            node.close_end = -1
            if len(stack) >= max_depth:
                node.parent = None
                if not depth_reported:
                    depth_reported = True
                    problems.append(_too_deep(dstart, dend, max_depth))
            else:
                node.parent = top
                children.append(node)
            stack.append(node)
            top = node
            children = node.children
            continue
        if c == "#":
            comments.append((dstart, dend, line[dstart - ls:].rstrip(sp)))
            if nextq < dend:
                dq, sq, nextq = _next_quotes(text, pos, dq, sq)
            continue
        if rest is None:
            raw = ""
            raw_base = len(name)
            args = shared_get("")
            if args is None:
                args = shared[""] = []
        else:
            raw_base = ll - len(rest)
            raw = rest.rstrip(sp)
            if nextq < dend:
                args = _split_quoted(raw)
                dq, sq, nextq = _next_quotes(text, pos, dq, sq)
            else:
                args = shared_get(raw)
                if args is None:
                    args = raw.split()
                    if len(shared) < _SHARED_MAX:
                        shared[raw] = args
        # Slots stored here, not through Node(...): its Python __init__ call makes a node
        # cost ~320 ns instead of ~245 ns (10 ms for the 10k tree's 140k nodes).
        found = names_get(name)
        if found is None:
            key = name.lower()
            if len(names) < _NAMES_MAX:
                names[name] = (name, key)
        else:
            name, key = found
        node = new(Node)
        node.name = name
        node.key = key
        node.args = args
        node.raw = raw
        node.source = src
        node.start = dstart
        node.end = dend
        node._raw_start = raw_base
        node._segments = None
        node.children = None
        node.close_start = -1
        node.close_end = -1
        node.parent = top
        children.append(node)
    if stack:
        for open_node in reversed(stack[:max_depth]):
            problems.append(SyntaxProblem(open_node.start, open_node.end, f"{open_node.name}> was not closed."))


def _next_quotes(text: str, pos: int, dq: int, sq: int) -> tuple[int, int, int]:
    """Offsets of the next '"' and "'" at or after ``pos`` (``len(text)``: none), and the first.

    An offset still ahead of ``pos`` is kept, not searched again: each character is scanned
    once per quote kind (re-searching both made 40k lines with ' and one final " quadratic).
    """
    if dq < pos:
        dq = text.find('"', pos)
        if dq < 0:
            dq = len(text)
    if sq < pos:
        sq = text.find("'", pos)
        if sq < 0:
            sq = len(text)
    return dq, sq, dq if dq < sq else sq


def _parse_general(text: str, src: SourceFile, limits: Limits, result: ParsedFile) -> None:
    """Parse any text, continuations included (the reference for ``_parse_plain``)."""
    max_line = limits.max_line_length
    max_depth = limits.max_depth
    depth_reported = False
    nodes = result.nodes
    comments = result.comments
    problems = result.problems
    stack: list[Node] = []
    children = nodes
    n = len(text)
    pos = 0
    find = text.find
    while pos < n:
        nl = find("\n", pos)
        end = n if nl == -1 else nl
        line_start = pos
        pos = end + 1
        line = text[line_start:end]
        segments = None
        if line.endswith("\\") or line.endswith("\\\r"):
            # Join continuation lines: exactly one backslash right before the line end.
            pieces = []
            segments = []
            logical_len = 0
            seg_start = line_start
            cur = line
            while True:
                body = cur[:-1] if cur.endswith("\r") else cur
                if body.endswith("\\") and not body.endswith("\\\\") and pos <= n:
                    piece = body[:-1]
                    segments.append((logical_len, seg_start))
                    pieces.append(piece)
                    logical_len += len(piece)
                    if pos >= n:
                        end = n
                        break
                    seg_start = pos
                    nl = find("\n", pos)
                    end = n if nl == -1 else nl
                    cur = text[pos:end]
                    pos = end + 1
                    continue
                segments.append((logical_len, seg_start))
                pieces.append(cur)
                break
            line = "".join(pieces) if logical_len + len(pieces[-1]) <= max_line else None
        if line is None or len(line) > max_line:
            problems.append(SyntaxProblem(
                line_start, end, f"line longer than {max_line} characters (max-line-length); skipped",
                code="limit-exceeded"))
            continue
        stripped = line.lstrip(_SPACE)
        if not stripped:
            continue
        lead = len(line) - len(stripped)
        if stripped[0] == "#":
            cstart = line_start + lead if segments is None else _map(segments, lead)
            comments.append((cstart, end, stripped.rstrip(_SPACE)))
            continue
        stripped = stripped.rstrip(_SPACE)
        # The directive name: the first word (a quoted first word is rare; treat as plain).
        m = _HEAD.match(stripped)
        name = m.group(1)
        rest_start = m.end()
        raw = stripped[rest_start:]
        raw_start = lead + rest_start  # index into the logical line
        if segments is None:
            dstart = line_start + lead
            raw_base = rest_start  # relative to dstart (a small int: no int object per node)
        else:
            dstart = _map(segments, lead)
            raw_base = raw_start
        dend = end
        if name[0] == "<":
            if len(name) > 1 and name[1] == "/":
                # Closing tag: httpd strips the last character of the word and compares.
                # httpd (checked on 2.4.71): the closing *word* must end with '>'
                # ("</Location >" and "</Location>junk" are "missing closing '>'");
                # words after a correct closer ("</Location> junk") are ignored.
                if not stack or not name.endswith(">") or name[2:-1].lower() != stack[-1].key[1:]:
                    _misclosed(stack, name, dstart, dend, problems)
                    children = stack[-1].children if stack else nodes
                    continue
                top = stack[-1]
                top.close_start, top.close_end = dstart, dend
                stack.pop()
                children = stack[-1].children if stack else nodes
                continue
            # Opening tag: "<Name args>"; the arguments end at the last '>'.
            if name.endswith(">") and not raw:
                sec_name = name[:-1]
                sec_raw = ""
            else:
                sec_name = name
                gt = raw.rfind(">")
                if gt == -1:
                    problems.append(SyntaxProblem(dstart, dend, f"{name}> directive missing closing '>'"))
                    sec_raw = raw
                else:
                    sec_raw = raw[:gt].rstrip(_SPACE)
            if sec_name.endswith(">"):
                sec_name = sec_name[:-1]
            node = Node(sec_name, split_words(sec_raw), sec_raw, src, dstart, dend,
                        raw_base, segments, [])
            if len(stack) >= max_depth:
                # Too deep: keep matching its closing tag, but leave it (and its body) out.
                if not depth_reported:
                    depth_reported = True
                    problems.append(_too_deep(dstart, dend, max_depth))
            else:
                if stack:
                    node.parent = stack[-1]
                children.append(node)
            stack.append(node)
            children = node.children
            continue
        node = Node(name, split_words(raw) if raw else [], raw, src, dstart, dend, raw_base, segments)
        if stack:
            node.parent = stack[-1]
        children.append(node)
    for open_node in reversed(stack[:max_depth]):
        problems.append(SyntaxProblem(open_node.start, open_node.end, f"{open_node.name}> was not closed."))


def _misclosed(stack: list[Node], name: str, dstart: int, dend: int, problems: list[SyntaxProblem]) -> None:
    """A closing tag that does not close the innermost open section (both parser paths).

    httpd refuses it; we report it and recover like a human would: close the matching open
    section if any, looking back a bounded distance (a hostile file may nest 20k deep).
    """
    cname = name[2:-1] if name[-1] == ">" else name[2:]
    if not stack:
        problems.append(SyntaxProblem(dstart, dend, f"{name} without matching <{cname}> section"))
        return
    problems.append(SyntaxProblem(
        dstart, dend, f"{name}> directive missing closing '>'" if name[-1] != ">" else
        f"Expected </{stack[-1].name[1:]}> but saw {name}"))
    want = cname.lower()
    for k in range(len(stack) - 1, max(-1, len(stack) - 1 - _RECOVER_LOOKBACK), -1):
        if stack[k].key[1:] == want:
            for open_node in stack[k:]:
                open_node.close_start, open_node.close_end = dstart, dend
            del stack[k:]
            return


def _too_deep(dstart: int, dend: int, max_depth: int) -> SyntaxProblem:
    """The one problem for sections nested past max-depth (matched, then dropped)."""
    return SyntaxProblem(dstart, dend, f"sections nested deeper than {max_depth} levels (max-depth); "
                         f"the deeper ones are not checked", code="limit-exceeded")


def _map(segments: list[tuple[int, int]], idx: int) -> int:
    starts = [s[0] for s in segments]
    k = bisect_right(starts, idx) - 1
    return segments[k][1] + (idx - segments[k][0])


def walk(nodes):
    """Yield every node of a tree in document order (iteratively: deep trees are fine)."""
    stack = [iter(nodes)]
    while stack:
        for node in stack[-1]:
            yield node
            if node.children:
                stack.append(iter(node.children))
                break
        else:
            stack.pop()
