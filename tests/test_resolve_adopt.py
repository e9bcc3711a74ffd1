"""Resolved directives point at immutable parse nodes; the parse tree keeps its own links.

Every directive the resolver keeps is a Directive(node, args, parent) whose ``node`` is
the parse Node it came from (no parse leaf is "adopted" as its own directive any more:
issue 17, item 1). These tests pin down that the resolved tree reads as before (keys,
words, spans, parents, argument spans), that resolving changes no parse node (its
``parent`` stays the section it was parsed in), and that a file included twice gets its
own directives over one parse.
"""

from __future__ import annotations

from pathlib import Path

from wsgilint.fsroot import FileSystem
from wsgilint.parse.apache import Node
from wsgilint.resolve import apache as apache_resolve
from wsgilint.resolve.apache import Directive


def _tree(tmp: Path) -> Path:
    (tmp / "snip").mkdir()
    (tmp / "snip" / "common.conf").write_text('Header set X-Common "yes"\nRequire all granted\n')
    (tmp / "httpd.conf").write_text(
        f"ServerRoot {tmp}\n"
        "Define PORT 8080\n"
        "<VirtualHost *:${PORT}>\n"
        "    ServerName a.test\n"
        "    ProxyPass /api/ http://127.0.0.1:${PORT}/ retry=0\n"
        "    <Location /api/>\n"
        "        Include snip/common.conf\n"
        "    </Location>\n"
        "    <IfModule !mod_nothing.c>\n"
        "        LogLevel warn\n"
        "    </IfModule>\n"
        "</VirtualHost>\n"
        "<VirtualHost *:81>\n"
        "    Include snip/common.conf\n"
        "</VirtualHost>\n")
    return tmp


def _resolve(root: Path):
    return apache_resolve.resolve(FileSystem(None), str(root / "httpd.conf"))


def test_every_directive_wraps_its_parse_node(tmp_path):
    cfg = _resolve(_tree(tmp_path))
    every = list(cfg.tree.iter())
    leaves = [d for d in every if d.children is None]
    assert every and all(type(d) is Directive and type(d.node) is Node for d in every)
    for d in every:
        assert d in d.parent.children  # every directive is among its parent's children
        assert d.node.key == d.key and d.span.text.split()[0].lower().lstrip("<") == d.key.lstrip("<")
    log = next(d for d in leaves if d.key == "loglevel")
    assert log.parent.key == "<virtualhost" and log.args == ["warn"]  # the IfModule is gone
    assert log.span.text == "LogLevel warn" and log.arg_span(0).text == "warn"
    assert log.arg_span(5).text == "LogLevel warn"  # no such word: the whole directive
    assert log.name == "LogLevel" and log.file.endswith("httpd.conf") and not log.is_section
    assert log.children_named("x") == [] and list(log.ancestors())[-1] is cfg.tree
    pp = next(d for d in leaves if d.key == "proxypass")
    assert pp.args == ["/api/", "http://127.0.0.1:8080/", "retry=0"]
    assert pp.arg_span(1).text == "http://127.0.0.1:${PORT}/"  # as written


def test_a_file_included_twice_gets_its_own_directives(tmp_path):
    cfg = _resolve(_tree(tmp_path))
    headers = cfg.index.by_key()["header"]
    assert len(headers) == 2
    first, second = headers
    assert first is not second
    assert type(first) is Directive and type(second) is Directive
    assert first.parent.key == "<location" and second.parent.key == "<virtualhost"
    assert second.node is first.node  # the same parsed line, parsed once
    assert first.args == second.args == ["set", "X-Common", "yes"]
    assert first.span == second.span and first.arg_span(2) == second.arg_span(2)
    assert first.arg_span(2).text == '"yes"'
    requires = cfg.index.by_key()["require"]
    assert [r.parent.key for r in requires] == ["<location", "<virtualhost"]


def test_resolving_changes_no_parse_node(tmp_path):
    """The parse tree keeps its own links: a leaf's parent is the section it was parsed in
    (the IfModule the resolver dropped, None at a file's top level), before and after."""
    from wsgilint.parse import apache as parser

    cfg = _resolve(_tree(tmp_path))
    log = next(d for d in cfg.tree.iter() if d.key == "loglevel")
    assert log.parent.key == "<virtualhost"  # resolved: the IfModule is gone
    assert log.node.parent.key == "<ifmodule"  # parsed: still inside it
    assert log.node.parent.parent.key == "<virtualhost" and log.node.parent.parent.parent is None
    headers = cfg.index.by_key()["header"]
    assert headers[0].node.parent is None  # top level of snip/common.conf, though included in a Location
    for d in cfg.tree.iter():  # each parse node sits among its parse parent's children
        p = d.node.parent
        assert p is None or any(c is d.node for c in p.children)
        assert p is None or type(p) is Node
