"""Inline suppressions end to end through the CLI, and the structure they target."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES
from test_cli import run

from wsgilint.context import FileIndex
from wsgilint.source import SourceFile

TREE = FIXTURES / "suppress" / "tree"
RULES = "WSG102,WSG401,WSG402,WSG009"  # fixed, so rules added later do not change the counts


def _found(*args, cwd=None):
    proc = run("check", *args, "-f", "json", "--fail-on", "never", **({"cwd": cwd} if cwd else {}))
    assert proc.returncode == 0, proc.stderr
    return {(f["rule"], f["path"].rsplit("/", 1)[-1], f["line"]) for f in json.loads(proc.stdout)["findings"]}


def test_comments_silence_directive_section_and_ini_lines():
    got = _found(str(TREE), "--select", RULES)
    # Left: the WSG401 of the first vhost (its comment names WSG402 only). Silenced: the
    # WSG402 below its comment, the WSG401 of the whole second section and the ini's WSG102.
    assert got == {("WSG401", "glance-api.conf", 5)}


def test_no_ignore_comments_shows_everything():
    got = _found(str(TREE), "--select", RULES, "--no-ignore-comments")
    assert got == {("WSG401", "glance-api.conf", 5), ("WSG402", "glance-api.conf", 4),
                   ("WSG401", "glance-api.conf", 10), ("WSG102", "glance-api-uwsgi.ini", 9)}


def _copy(tmp_path):
    shutil.copytree(TREE, tmp_path / "tree")
    return tmp_path / "tree"


def test_hash_marker_in_ini_and_ignore_file(tmp_path):
    tree = _copy(tmp_path)
    ini = tree / "uwsgi" / "glance-api-uwsgi.ini"
    ini.write_text(ini.read_text().replace("; wsgilint:", "# wsgilint:"))
    site = tree / "apache" / "glance-api.conf"
    site.write_text("# wsgilint: ignore-file[WSG401] legacy mirror\n" + site.read_text())
    # Everything silenced; the section-wide WSG401 comment still counts as used (it covers a finding too).
    assert _found("tree", "--select", RULES, cwd=tmp_path) == set()
    assert ("WSG102", "glance-api-uwsgi.ini", 9) in _found("tree", "--select", RULES, "--no-ignore-comments",
                                                           cwd=tmp_path)


def test_suppression_survives_edits_above(tmp_path):
    tree = _copy(tmp_path)
    site = tree / "apache" / "glance-api.conf"
    site.write_text("\n".join(["# padding"] * 7) + "\n" + site.read_text())
    assert _found("tree", "--select", RULES, cwd=tmp_path) == {("WSG401", "glance-api.conf", 12)}


def test_comment_not_directly_above_covers_the_next_directive_only(tmp_path):
    tree = _copy(tmp_path)
    site = tree / "apache" / "glance-api.conf"
    # Move the WSG402 comment above the ProxyPass: the SetEnv is reported, the comment is unused.
    text = site.read_text().replace(
        "    # wsgilint: ignore[proxy-sendcl-ignored] kept for the old client; harmless on mod_proxy_uwsgi\n"
        "    SetEnv proxy-sendcl 1\n",
        "    SetEnv proxy-sendcl 1\n    # wsgilint: ignore[proxy-sendcl-ignored] misplaced\n")
    site.write_text(text)
    got = _found("tree", "--select", RULES, cwd=tmp_path)
    assert ("WSG402", "glance-api.conf", 3) in got and ("WSG009", "glance-api.conf", 4) in got


def test_unused_is_judged_with_all_named_rules_even_when_not_selected():
    bad = FIXTURES / "rules" / "unused-suppression" / "bad.ini"
    assert _found(str(bad), "--select", "WSG009") == {("WSG009", "bad.ini", 8), ("WSG009", "bad.ini", 10),
                                                      ("WSG009", "bad.ini", 12)}
    good = FIXTURES / "rules" / "unused-suppression" / "good.ini"
    assert _found(str(good), "--select", "WSG009") == set()
    # ...and the silenced rule stays out of the output when it was not selected.
    assert _found(str(good), "--select", "WSG009,WSG102") == set()


def test_stdin_uses_suppressions_too():
    text = (TREE / "uwsgi" / "glance-api-uwsgi.ini").read_text()
    import subprocess
    import sys

    for body, expect in ((text, []), (text.replace("; wsgilint", "; nothing"), ["WSG102"])):
        proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", "-", "--stdin-filename",
                               "etc/glance/glance-api-uwsgi.ini", "--select", "WSG102", "-f", "json"],
                              input=body, capture_output=True, text=True, timeout=60)
        doc = json.loads(proc.stdout)
        assert [f["rule"] for f in doc["findings"]] == expect
        assert all(f["path"] == "etc/glance/glance-api-uwsgi.ini" for f in doc["findings"])
        assert proc.returncode == (1 if expect else 0)


@pytest.mark.parametrize("kind,text,comment_line,target", [
    ("apache", "<VirtualHost *:80>\n  # c\n  A 1\n  <Location /x>\n    B 2\n  </Location>\n</VirtualHost>\n",
     2, ("section", "<VirtualHost *:80>")),
    ("apache", "<VirtualHost *:80>\n  A 1\n  # c\n  B 2\n</VirtualHost>\n", 3, ("next", "B 2")),
    ("apache", "<VirtualHost *:80>\n  <Location /x>\n  </Location>\n  # c\n  B 2\n</VirtualHost>\n", 4,
     ("next", "B 2")),
    ("uwsgi", "[uwsgi]\n; c\nmodule = x\n[other]\nk = v\n", 2, ("section", "[uwsgi]")),
    ("uwsgi", "[uwsgi]\nmodule = x\n; c\nk = v\n", 3, ("next", "k = v")),
])
def test_file_index_targets(kind, text, comment_line, target):
    src = SourceFile("x", text, kind)
    idx = FileIndex(src)
    offset = sum(len(line) + 1 for line in text.split("\n")[: comment_line - 1])
    sec = idx.section_opened_before(offset)
    if target[0] == "section":
        assert sec is not None and sec.label == target[1]
        assert src.text[sec.start:sec.close_end].startswith(target[1])
    else:
        assert sec is None
        assert idx.next_item(offset).label == target[1]


def test_context_names_sections_and_directive():
    text = "<VirtualHost *:80>\n  <Location /x>\n    ProxyPass   /x  http://a/\n  </Location>\n</VirtualHost>\n"
    idx = FileIndex(SourceFile("x", text, "apache"))
    assert idx.context(text.index("http://a/")) == "<VirtualHost *:80> > <Location /x> > ProxyPass /x http://a/"
    assert idx.context(text.index("</Location>")) == "<VirtualHost *:80> > <Location /x>"


def test_nginx_next_directive_and_block(tmp_path):
    src = (FIXTURES / "rules" / "nginx-read-timeout-short" / "bad.conf").read_text()
    assert "uwsgi_pass" in src
    cases = {
        "next": src.replace("        uwsgi_pass", "        # wsgilint: ignore[WSG303] upstream answers fast\n"
                                                 "        uwsgi_pass"),
        "block": src.replace("    location /image {\n", "    location /image {\n        # wsgilint: ignore[WSG303] ok\n"),
        "none": src,
    }
    for name, text in cases.items():
        (tmp_path / f"{name}.conf").write_text(text)
        got = _found(f"{name}.conf", "--select", "WSG303,WSG009", cwd=tmp_path)
        assert {r for r, _, _ in got} == (set() if name != "none" else {"WSG303"}), (name, got)
