"""Unit tests of the Apache httpd config parser: exact positions, continuations, quoting, problems."""

from __future__ import annotations

from wsgilint.fsroot import decode
from wsgilint.parse.apache import parse, split_words, unquote, walk


def pos(node_or_src, offset):
    src = node_or_src.source if hasattr(node_or_src, "source") else node_or_src
    return src.position(offset)


def flat(text):
    return list(walk(parse(text).nodes))


def test_directive_and_argument_positions():
    text = "ServerName a.example\n\n   ProxyPass  /api/   unix:/run/a.sock|uwsgi://localhost/ retry=0\n"
    res = parse(text)
    assert res.problems == []
    first, second = res.nodes
    assert (first.name, first.args) == ("ServerName", ["a.example"])
    assert pos(first, first.start) == (1, 1)
    assert second.name == "ProxyPass"
    assert second.args == ["/api/", "unix:/run/a.sock|uwsgi://localhost/", "retry=0"]
    assert pos(second, second.start) == (3, 4)
    spans = second.arg_spans()
    assert [pos(second, s) for s, _ in spans] == [(3, 15), (3, 23), (3, 59)]
    assert [text[s:e] for s, e in spans] == second.args


def test_section_positions_and_closing_tag():
    text = "<VirtualHost *:80>\n  ServerName x\n  <Location /a>\n    SetEnv proxy-sendcl 1\n  </Location>\n</VirtualHost>\n"
    res = parse(text)
    assert res.problems == []
    (vh,) = res.nodes
    assert vh.is_section and vh.name == "<VirtualHost" and vh.key == "<virtualhost" and vh.args == ["*:80"]
    assert pos(vh, vh.start) == (1, 1)
    assert pos(vh, vh.close_start) == (6, 1)
    loc = vh.children[1]
    assert loc.args == ["/a"] and loc.parent is vh
    assert pos(loc, loc.start) == (3, 3) and pos(loc, loc.close_start) == (5, 3)
    setenv = loc.children[0]
    assert setenv.parent is loc and pos(setenv, setenv.start) == (4, 5)
    assert [n.name for n in walk(res.nodes)] == ["<VirtualHost", "ServerName", "<Location", "SetEnv"]


def test_section_without_args_and_case_insensitive_close():
    res = parse("<IfModule mod_x.c>\n</ifmodule>\n<Directory />\n</DIRECTORY>\n")
    assert res.problems == []
    assert [n.args for n in res.nodes] == [["mod_x.c"], ["/"]]


def test_continuation_lines_join_and_keep_positions():
    text = "ProxyPass /a \\\n    http://127.0.0.1:8080/ \\\n  retry=0\nNext x\n"
    res = parse(text)
    pp, nxt = res.nodes
    assert pp.args == ["/a", "http://127.0.0.1:8080/", "retry=0"]
    assert [pos(pp, s) for s, _ in pp.arg_spans()] == [(1, 11), (2, 5), (3, 3)]
    assert pos(nxt, nxt.start) == (4, 1) and nxt.args == ["x"]


def test_continued_section_opener():
    res = parse("<VirtualHost \\\n  127.0.0.1:80>\n  ServerName x\n</VirtualHost>\n")
    assert res.problems == []
    (vh,) = res.nodes
    assert vh.args == ["127.0.0.1:80"]
    assert pos(vh, vh.arg_spans()[0][0]) == (2, 3)


def test_comment_ending_in_backslash_swallows_next_line():
    res = parse("# a comment \\\nInclude nope.conf\nServerName x\n")
    assert [n.name for n in res.nodes] == ["ServerName"]
    assert len(res.comments) == 1
    start, end, text = res.comments[0]
    assert pos(res.source, start) == (1, 1)
    assert "Include nope.conf" in text


def test_double_backslash_is_not_a_continuation():
    res = parse("SetEnv X a\\\\\nServerName x\n")
    assert [n.name for n in res.nodes] == ["SetEnv", "ServerName"]


def test_only_whole_line_comments_hash_after_directive_is_an_argument():
    res = parse("ServerAdmin a@b # not a comment\n   # indented comment\nX y#z\n")
    assert res.nodes[0].args == ["a@b", "#", "not", "a", "comment"]
    assert res.nodes[1].args == ["y#z"]
    assert len(res.comments) == 1
    assert pos(res.source, res.comments[0][0]) == (2, 4)


def test_quoted_arguments_with_escaped_quotes():
    res = parse('Header set X "a \\"quoted\\" value" \'single q\' plain\n')
    (d,) = res.nodes
    assert d.args == ["set", "X", 'a "quoted" value', "single q", "plain"]
    spans = d.arg_spans()
    assert [pos(d, s)[1] for s, _ in spans] == [8, 12, 14, 35, 46]
    assert unquote('"a\\\\b"') == ("a\\\\b", True)  # only \" loses its backslash
    assert split_words('"unterminated value') == ["unterminated value"]


def test_stray_closer_is_a_problem_with_httpd_wording():
    res = parse("ServerName x\n</Location>\n")
    assert [p.message for p in res.problems] == ["</Location> without matching <Location> section"]
    p = res.problems[0]
    assert res.source.position(p.start) == (2, 1)
    assert p.code == "parse-error"


def test_mismatched_closer_with_httpd_wording_and_recovery():
    res = parse("<VirtualHost *:80>\n<Location /a>\n</VirtualHost>\nServerName after\n")
    assert [p.message for p in res.problems] == ["Expected </Location> but saw </VirtualHost>"]
    assert res.source.position(res.problems[0].start) == (3, 1)
    # Recovery: the VirtualHost is closed, the next directive is at top level.
    assert [n.name for n in res.nodes] == ["<VirtualHost", "ServerName"]


def test_unclosed_section_and_missing_gt():
    res = parse("<VirtualHost *:80>\n  ServerName x\n")
    assert [p.message for p in res.problems] == ["<VirtualHost> was not closed."]
    assert res.source.position(res.problems[0].start) == (1, 1)
    res = parse("<Location /a\n</Location>\n")
    assert [p.message for p in res.problems] == ["<Location> directive missing closing '>'"]


def test_crlf_line_ends():
    text = "ServerName x\r\n<Location /a>\r\n  SetEnv A b\r\n</Location>\r\nProxyPass /b \\\r\n  http://h/\r\n"
    res = parse(text)
    assert res.problems == []
    sn, loc, pp = res.nodes
    assert sn.args == ["x"] and loc.args == ["/a"] and loc.children[0].args == ["A", "b"]
    assert pp.args == ["/b", "http://h/"]
    assert pos(loc, loc.children[0].start) == (3, 3)
    assert pos(pp, pp.arg_spans()[1][0]) == (6, 3)
    assert all("\r" not in a for n in walk(res.nodes) for a in n.args)


def test_bom_is_dropped_by_decode_positions_unchanged():
    text, note = decode(b"\xef\xbb\xbfServerName x\nListen 80\n")
    assert note is None
    res = parse(text)
    assert [n.name for n in res.nodes] == ["ServerName", "Listen"]
    assert pos(res.nodes[1], res.nodes[1].start) == (2, 1)


def test_blank_and_whitespace_lines_and_no_trailing_newline():
    res = parse("\n   \n\t\nListen 80")
    (d,) = res.nodes
    assert d.args == ["80"] and pos(d, d.start) == (4, 1)


def test_bom_file_is_a_parse_error_like_httpd(tmp_path):
    # httpd 2.4.71 does not skip a UTF-8 BOM: "Invalid command '\xef\xbb\xbfServerName'".
    from wsgilint.fsroot import FileSystem
    from wsgilint.resolve.apache import resolve

    conf = tmp_path / "httpd.conf"
    conf.write_bytes(b"\xef\xbb\xbfServerName x\nListen 80\n")
    cfg = resolve(FileSystem(), str(conf))
    errs = [d for d in cfg.diagnostics if d.code == "parse-error"]
    assert len(errs) == 1
    assert "Invalid command '\\xef\\xbb\\xbfServerName'" in errs[0].message
    assert (errs[0].span.line, errs[0].span.column) == (1, 1)
    assert [d.name for d in cfg.tree.children] == ["ServerName", "Listen"]
