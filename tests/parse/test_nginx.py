"""The nginx parser: tokens as ngx_conf_read_token reads them, exact offsets, recovery."""

from __future__ import annotations

import time

from wsgilint.parse import nginx
from wsgilint.source import SourceFile


def _pos(parsed, off):
    return parsed.source.position(off)


def test_blocks_directives_and_offsets():
    text = "http {\n\tserver {\n\t\tlisten 80;  # note\n\t\tlocation /x { uwsgi_pass unix:/s.sock; }\n\t}\n}\n"
    p = nginx.parse(text, "n.conf")
    assert p.problems == []
    http = p.nodes[0]
    server = http.children[0]
    listen, loc = server.children
    assert (listen.name, listen.args) == ("listen", ["80"])
    assert _pos(p, listen.start) == (3, 3)  # tabs are one column each: no expansion
    assert text[listen.start:listen.end] == "listen 80;"
    assert p.comments == [(text.index("# note"), text.index("# note") + 6, "# note")]
    pas = loc.children[0]
    assert pas.args == ["unix:/s.sock"]
    s, e = pas.arg_spans()[0]
    assert text[s:e] == "unix:/s.sock" and _pos(p, s) == (4, 28)
    assert text[loc.start:loc.end].endswith("}") and text[loc.open_brace] == "{"


def test_quotes_escapes_and_variables_follow_nginx():
    text = r"""add_header X "a; b {c}";
return 200 'it\'s';
set $x ${host}a};
rewrite ^/(.*)$ /x?$1 break;
location ~ "^/a\"b{2}" { }
if ($request_uri ~ "x") { }
a\ b c#d;
"""
    p = nginx.parse(text)
    assert p.problems == []
    vals = [n.args for n in p.nodes]
    assert vals[0] == ["X", "a; b {c}"]
    assert p.nodes[0].tokens[2].quoted and p.nodes[0].tokens[2].raw == '"a; b {c}"'
    assert vals[1] == ["200", "it's"]
    assert vals[2] == ["$x", "${host}a}"]  # "${" is part of a word, and "}" inside a word too
    assert vals[3] == ["^/(.*)$", "/x?$1", "break"]
    assert vals[4] == ["~", '^/a"b{2}'] and p.nodes[4].children == []
    assert vals[5] == ["($request_uri", "~", "x", ")"]  # ")" right after a quote starts a word
    # an escaped space joins the word; nginx keeps the backslash (it translates only \" \' \\ \t \r \n)
    assert p.nodes[6].name == "a\\ b" and vals[6] == ["c#d"]  # "#" inside a word is not a comment


def test_recovers_where_nginx_stops():
    text = "server {\n  listen 80\n}\n}\n;\nlocation / {\n  uwsgi_pass x;\n"
    p = nginx.parse(text)
    msgs = [(m.message, _pos(p, m.start)[0]) for m in p.problems]
    assert ('unexpected "}" (missing ";" before it)', 2) in msgs
    assert ('unexpected "}"', 4) in msgs
    assert ('unexpected ";"', 5) in msgs
    assert ('unexpected end of file, expecting "}"', 6) in msgs
    server, loc = p.nodes
    assert server.children[0].args == ["80"]  # kept despite the missing ";"
    assert loc.children[0].args == ["x"]


def test_unterminated_quote_and_fragment():
    p = nginx.parse('location / {\n  return 200 "abc;\n}\n')
    assert any("unterminated quote" in m.message for m in p.problems)
    p = nginx.parse("")
    assert p.nodes == [] and p.problems == []


def test_same_source_object_is_used():
    src = SourceFile("a.conf", "x 1;", "nginx")
    p = nginx.parse(src.text, src.path, src)
    assert p.nodes[0].source is src and p.source is src


def test_large_file_is_linear():
    block = ("server {\n    listen 127.0.0.1:%d;\n    server_name s%d.example;\n    location / {\n"
             "        include uwsgi_params;\n        uwsgi_pass unix:/run/uwsgi/s%d.sock;\n"
             "        client_max_body_size 0;  # comment\n    }\n    location /static { alias /srv/%d; }\n}\n")
    text = "".join(block % (i, i, i, i) for i in range(10000))
    assert text.count("\n") == 100000
    t0 = time.perf_counter()
    p = nginx.parse(text)
    elapsed = time.perf_counter() - t0
    assert len(p.nodes) == 10000 and p.problems == []
    assert elapsed < 10.0, f"{elapsed:.2f}s for 100k lines"
