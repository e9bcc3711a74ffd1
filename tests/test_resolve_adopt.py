"""The resolver adopts parse leaves as their own directives the first time it walks a file.

A leaf needing no ${VAR} expansion is not wrapped in a Directive: the parse Node gets its
resolved ``parent`` and serves the Directive interface itself. These tests pin down that
an adopted tree reads exactly as a wrapped one would: same keys, words, spans, parents
and argument spans; that a file included twice gets its own objects the second time; and
that an expanded leaf is wrapped (its words differ from the parsed ones).
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


def test_adopted_leaves_read_as_directives(tmp_path):
    cfg = _resolve(_tree(tmp_path))
    every = list(cfg.tree.iter())
    leaves = [d for d in every if d.children is None]
    kinds = {d.key: type(d) for d in leaves}
    assert kinds["servername"] is Node and kinds["loglevel"] is Node  # adopted (LogLevel via IfModule)
    assert kinds["proxypass"] is Directive  # ${PORT} expanded: wrapped
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
    assert type(first) is Node and type(second) is Directive  # adopted once, then wrapped
    assert first.parent.key == "<location" and second.parent.key == "<virtualhost"
    assert second.node is first  # the same parsed line
    assert first.args == second.args == ["set", "X-Common", "yes"]
    assert first.span == second.span and first.arg_span(2) == second.arg_span(2)
    assert first.arg_span(2).text == '"yes"'
    requires = cfg.index.by_key()["require"]
    assert [r.parent.key for r in requires] == ["<location", "<virtualhost"]
