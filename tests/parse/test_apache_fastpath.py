"""The Apache parser's plain-file fast path builds exactly the tree of the general path."""

from __future__ import annotations

import gc
import re
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgilint.limits import DEFAULT, Limits
from wsgilint.parse import apache
from wsgilint.parse.syntax import ParsedFile
from wsgilint.source import SourceFile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Every slot (the fast path sets them one by one: a slot it forgets is an AttributeError here).
_SLOTS = [s for s in apache.Node.__slots__ if s not in ("parent", "children", "source")]


def _tree(nodes, parent=None):
    out = []
    for n in nodes:
        assert n.parent is parent and n.source.path == "x.conf"
        out.append((type(n), *(getattr(n, s) for s in _SLOTS), n.arg_spans(),
                    None if n.children is None else _tree(n.children, n)))
    return out


def _dump(res: ParsedFile):
    return _tree(res.nodes), res.comments, res.problems


def _both(text: str, limits: Limits = DEFAULT) -> tuple[ParsedFile, ParsedFile]:
    """Parse with the fast path (the text must be one it takes) and with the general path."""
    assert apache._plain(text), repr(text)
    fast = apache.parse(text, "x.conf", limits=limits)
    slow = ParsedFile(SourceFile("x.conf", text, "apache"))
    apache._parse_general(text, slow.source, limits, slow)
    return fast, slow


def _same(text: str, limits: Limits = DEFAULT) -> ParsedFile:
    """The fast path's result, after checking that the general path's is identical."""
    fast, slow = _both(text, limits)
    assert _dump(fast) == _dump(slow)
    return fast


def _defuse_continuations(text: str) -> str:
    """A backslash right before a line end (or at the end) gets a space after it."""
    return re.sub(r"\\(?=\r|\n|\Z)", r"\\ ", text)


# -- generated inputs -------------------------------------------------------------------------
_INDENT = st.sampled_from(["", " ", "    ", "\t", " \t", "\f", "\v ", "\r", "\t\r "])
_TRAIL = st.sampled_from(["", " ", "\t", "  \t", "\r", " \r", "\f"])
_SEP = st.sampled_from([" ", "  ", "\t", " \t ", "\v", " \r "])
_CHARS = list("aZ09./:_-=|*") + list("\"'\\#<>${}()%") + ["ß", "İ", "Σ", "ς", "é", "\u00ff", "\U0001f600", "\x00"]
_NAME = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,10}", fullmatch=True),
    st.sampled_from(["ServerName", "ProxyPass", "SetEnv", "Header", "Include", "İf", "ΣΑΣ", "straße",
                     "x#y", 'a"b', "'q'", "\"quoted\"", ">", "=", "\x00"]),
)
_WORD = st.one_of(
    st.text(alphabet=st.sampled_from(_CHARS), min_size=1, max_size=8).filter(lambda w: not w.isspace()),
    st.from_regex(r"[A-Za-z0-9_./:=-]{1,10}", fullmatch=True),
    st.text(alphabet=st.sampled_from(_CHARS + [" ", "\t"]), max_size=6).flatmap(
        lambda body: st.sampled_from([f'"{body}"', f"'{body}'", f'"{body}', f"'{body}", f'x"{body}"',
                                      f'"{body}"y', f'"{body}\\""', f"'{body}\\\\'"])),
)
_SECTION = st.sampled_from(["Location", "VirtualHost", "IfModule", "Directory", "a", "Σας", "İx", "ß"])


@st.composite
def _case(draw, name):
    mode = draw(st.integers(0, 3))
    return name if mode == 0 else name.upper() if mode == 1 else name.lower() if mode == 2 else name.swapcase()


@st.composite
def _line(draw):
    indent, trail = draw(_INDENT), draw(_TRAIL)
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from(["", " ", "\t", "\r", " \f\v "]))
    if kind == 1:
        return indent + "#" + draw(st.text(alphabet=st.sampled_from(_CHARS + [" ", "\t", "\r"]), max_size=12)) + trail
    words = "".join(draw(_SEP) + w for w in draw(st.lists(_WORD, max_size=4)))
    if kind in (2, 3, 4):
        return indent + draw(_NAME) + words + trail
    if kind in (5, 6):
        end = draw(st.sampled_from([">", ">", "", " >", ">>", "> x", "\t>"]))
        return indent + "<" + draw(_case(draw(_SECTION))) + words + end + trail
    if kind in (7, 8):
        end = draw(st.sampled_from([">", ">", ">", "", " >", ">junk", "> junk", "\t> x y", "></Location>",
                                    "> </VirtualHost>", ">>"]))
        return indent + "</" + draw(_case(draw(_SECTION))) + end + trail
    return indent + draw(st.sampled_from(["<", "</", "<>", "</>", "< Location>", "<\"a b\">", "</ Location>"])) + trail


@st.composite
def _text(draw):
    lines = draw(st.lists(_line(), max_size=30))
    ends = draw(st.lists(st.sampled_from(["\n", "\n", "\r\n"]), min_size=len(lines), max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, ends))
    if text and draw(st.booleans()):
        text = text[:-1]  # no final line end
    return _defuse_continuations(text)


_SOUP = st.lists(st.one_of(st.sampled_from(list("<>/\"'#\\ \t\r\n") + ["</", "\r\n", "ß", "Σ"]),
                           st.text(alphabet=st.sampled_from(_CHARS), max_size=6)), max_size=60).map(
    lambda parts: _defuse_continuations("".join(parts)))

_LIMITS = st.one_of(
    st.just(DEFAULT),
    st.builds(Limits, max_depth=st.integers(1, 4), max_line_length=st.integers(1, 60)),
)


@SETTINGS
@given(st.one_of(_text(), _SOUP), _LIMITS)
def test_fast_path_equals_general_path(text, limits):
    _same(text, limits)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(
    st.text(alphabet=st.sampled_from(_CHARS + [" ", "\t", "\r", "\f", "\v"]), max_size=40),
    # dense in quotes, escapes and spaces: '"a\\" "b"' is one word to httpd
    st.lists(st.sampled_from(['"', "'", "\\", " ", "\t", "a", "bc", '\\"', "\\'", "\\\\"]), max_size=14).map("".join),
))
def test_split_quoted_equals_split_words(raw):
    assert apache._split_quoted(raw) == apache.split_words(raw)


# -- routing: which texts take the fast path ----------------------------------------------------
def test_not_apr_space_is_exactly_what_str_split_adds():
    # str.split()/str.lstrip() split on str.isspace(); httpd only on ASCII " \t\n\r\f\v".
    apr = set(" \t\n\r\f\v")
    extra = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c not in apr]
    assert len(extra) == 23 and all(len(f"a{c}b".split()) == 2 for c in extra)
    assert apache._NOT_APR_SPACE.findall("".join(map(chr, range(sys.maxunicode + 1)))) == extra


def test_routing_continuations_and_foreign_spaces_take_the_general_path():
    assert apache._plain("ServerName x\n  Listen 80\r\n# ß é \U0001f600\n")
    assert apache._plain("SetEnv X a\\\\ \nY \\b\n")  # backslashes, none before a line end
    for text in ("A b \\\nc\n", "A b \\\r\nc\n", "A b \\", "A b \\\r", "# c \\\nX y\n",
                 "A b\xa0c\n", "A b\x1cc\n", "A b\x1fc\n", "A b\u3000c\n", "A b\u2028c\n", "A \x85\n"):
        assert not apache._plain(text), repr(text)


def test_foreign_spaces_do_not_split_words_like_httpd():
    # apr_isspace is ASCII only: NBSP and \x1c-\x1f stay inside a word (general path).
    for sep in ("\xa0", "\x1c", "\x1f", "\u2003"):
        (d,) = apache.parse(f"SetEnv{sep}X a{sep}b c\n").nodes
        assert (d.name, d.args) == (f"SetEnv{sep}X", [f"a{sep}b", "c"])


# -- named cases (each also checked against the general path) ------------------------------------
def test_plain_file_positions_and_tree():
    text = ("# head\r\n<VirtualHost *:80>\r\n    ServerName a.example  \r\n\r\n  <Location /api/>\r\n"
            "\tHeader set X-Site \"00004\" 'b'\r\n  </location>\r\n</VirtualHost>")
    res = _same(text)
    assert res.problems == []
    assert res.comments == [(0, 7, "# head")]
    (vh,) = res.nodes
    sn, loc = vh.children
    (hdr,) = loc.children
    assert (sn.name, sn.args, sn.raw) == ("ServerName", ["a.example"], "a.example")
    assert text[sn.start:sn.end] == "ServerName a.example  \r"
    assert (hdr.args, hdr.raw) == (["set", "X-Site", "00004", "b"], "set X-Site \"00004\" 'b'")
    assert [text[s:e] for s, e in hdr.arg_spans()] == ["set", "X-Site", '"00004"', "'b'"]
    assert text[loc.close_start:loc.close_end] == "</location>\r"
    assert text[vh.close_start:vh.close_end] == "</VirtualHost>"
    assert (loc.parent, hdr.parent) == (vh, loc)


def test_closing_tag_words_like_httpd():
    # httpd 2.4.71: words after a correct closer are ignored; "</Location >" and
    # "</Location>junk" are "missing closing '>'".
    ok = _same("<Location /a>\n</Location> junk\n")
    assert ok.problems == [] and (ok.nodes[0].close_start, ok.nodes[0].close_end) == (14, 30)
    res = _same("<Location /a>\n</Location >\n")
    # (recovery: the word "</Location" still names the open section, which it closes)
    assert [p.message for p in res.problems] == ["</Location> directive missing closing '>'"]
    assert res.nodes[0].close_start == 14
    res = _same("<Location /a>\n</Location>junk\n")
    assert [p.message for p in res.problems] == ["</Location>junk> directive missing closing '>'",
                                             "<Location> was not closed."]


def test_two_closing_tags_on_one_line_are_one_word():
    res = _same("<VirtualHost *:80>\n<Location /a>\n</Location></VirtualHost>\nX y\n")
    assert [n.name for n in apache.walk(res.nodes)] == ["<VirtualHost", "<Location", "X"]
    assert [p.message for p in res.problems] == ["Expected </Location> but saw </Location></VirtualHost>",
                                             "<Location> was not closed.", "<VirtualHost> was not closed."]


def test_mismatch_recovery_stray_closer_and_missing_gt():
    res = _same("<VirtualHost *:80>\n<Location /a>\n</VirtualHost>\n</Files>\n<Directory /x\n</Directory>\n")
    assert [(n.name, n.args) for n in res.nodes] == [("<VirtualHost", ["*:80"]), ("<Directory", ["/x"])]
    assert [p.message for p in res.problems] == [
        "Expected </Location> but saw </VirtualHost>", "</Files> without matching <Files> section",
        "<Directory> directive missing closing '>'"]


def test_section_name_forms():
    res = _same("<a>\n</A>\n<IfModule> x\n</IfModule>\n<b>>\n</b>\n<>\n</>\n")
    assert [(n.name, n.args) for n in res.nodes] == [("<a", []), ("<IfModule", ["x"]), ("<b", []), ("<", [])]
    assert all(n.close_start > n.start for n in res.nodes)
    assert [p.message for p in res.problems] == ["<IfModule>> directive missing closing '>'"]


def test_depth_line_length_and_line_count_limits():
    deep = "".join(f"<L{i}>\n" for i in range(5)) + "X y\n" + "".join(f"</L{i}>\n" for i in reversed(range(5)))
    res = _same(deep, Limits(max_depth=2))
    assert [p.code for p in res.problems] == ["limit-exceeded"]
    assert [n.name for n in apache.walk(res.nodes)] == ["<L0", "<L1"]  # L2 and below: matched, left out
    res = _same("Short x\nLooooooooong y\nA b\n", Limits(max_line_length=10))
    assert [n.name for n in res.nodes] == ["Short", "A"] and res.problems[0].start == 8
    # max-lines is checked before either path: the newline count, never the length, decides.
    limits = Limits(max_lines=2)
    assert apache.parse("a\nb\n", limits=limits).problems == []
    assert [p.code for p in apache.parse("a\nb\nc\n", limits=limits).problems] == ["limit-exceeded"]
    assert apache.parse("abcdefgh", limits=limits).nodes[0].name == "abcdefgh"


def test_quoted_words_fast_and_fallback():
    for raw, words in (('a "b" c', ["a", "b", "c"]), ('"b c" d', ["b c", "d"]), ('a"b c"', ['a"b', 'c"']),
                       ('"" x', ["", "x"]), ('"a\\"b" c', ['a"b', "c"]), ("'it\"s' x", ['it"s', "x"]),
                       ('"unterminated x', ["unterminated x"]), ('"b"c', ["b", "c"])):
        assert apache._split_quoted(raw) == apache.split_words(raw) == words, raw
        (d,) = _same(f"D {raw}\n").nodes
        assert d.args == words


def test_non_ascii_names_and_case_folding():
    res = _same("<ΣΑΣ x>\n  İf y\n</σας>\n<Straße>\n</STRASSE>\n</straße>\n")
    assert res.nodes[0].key == "<σας" and res.nodes[0].children[0].key == "i\u0307f"
    assert [p.message for p in res.problems] == ["Expected </Straße> but saw </STRASSE>"]


def test_next_quotes_keeps_offsets_still_ahead():
    text = "a'b\"c'd\"e"
    assert apache._next_quotes(text, 0, -1, -1) == (3, 1, 1)
    assert apache._next_quotes(text, 2, 3, 1) == (3, 5, 3)
    assert apache._next_quotes(text, 6, 3, 5) == (7, len(text), 7)
    # an offset still ahead is trusted, not searched again (what keeps the scan linear)
    assert apache._next_quotes(text, 2, 9, 1) == (9, 5, 5)


def _parse_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        gc.disable()
        try:
            t0 = time.perf_counter()
            apache.parse(text)
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best


def test_many_quoted_lines_parse_in_linear_time():
    # Lines quoted with ' and one " at the very end: searching both kinds again on each
    # quoted line rescanned the rest of the file every time (quadratic: 40k lines 0.2 s,
    # 160k lines 1.5 s). Linear is 16x for 16x the lines; allow 40x for a busy machine.
    small = _parse_seconds("X 'a'\n" * 20_000 + 'Y "b"\n')
    big = _parse_seconds("X 'a'\n" * 320_000 + 'Y "b"\n')
    assert big < 40 * small, (small, big)


# -- every real file: the corpus and the project's own fixtures ----------------------------------
def _check_tree(root: Path) -> tuple[int, int]:
    """Parse every text file under root both ways (any format: more shapes of input)."""
    plain = general = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_bytes().decode("utf-8")  # not read_text: keep CRLF line ends
        except (UnicodeDecodeError, OSError):
            continue
        if apache._plain(text):
            plain += 1
            fast, slow = _both(text)
            assert _dump(fast) == _dump(slow), path
        else:
            general += 1
    return plain, general


def test_corpus_files_parse_the_same_both_ways(corpus):
    plain, _ = _check_tree(corpus)
    assert plain >= 20


def test_fixture_files_parse_the_same_both_ways():
    plain, _ = _check_tree(FIXTURES)
    assert plain >= 100


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(['a', 'b"c', '"q r"', "'s t'", 'x\\"y', '"', "'", 'z' * 3, '\t', '  ']),
                min_size=1, max_size=8))
def test_arg_span_is_arg_spans_at_that_index(words):
    """Node.arg_offsets(i) (one word) is Node.arg_spans()[i], with and without continuation lines."""
    line = "Directive " + " ".join(words)
    for text in (line + "\n", line.replace(" ", " \\\n", 1) + "\n"):
        nodes = apache.parse(text).nodes
        if not nodes:
            continue
        node = nodes[0]
        spans = node.arg_spans()
        for i in range(len(spans) + 2):
            assert node.arg_offsets(i) == (spans[i] if i < len(spans) else None)
