"""Properties of --fix (issue 19, item 5) on the rule fixtures, on copies of ../shared/corpus and on
generated uWSGI and Apache files (hypothesis):

- it never changes a byte outside the edited spans (checked against a character diff of the file
  before and after, not against the fixer's own arithmetic), and keeps line ends and encoding;
- it is idempotent: a second run changes nothing;
- it never breaks a configuration the servers accepted before: generated inis go through
  `uwsgi --strict`, generated vhosts through `apache2 -t`, before and after (a few examples each).

Fixes run in-process (wsgilint.fix.plan + write, as `check --fix --unsafe-fixes` does).
"""
from __future__ import annotations

import difflib
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lintrun import check

from wsgilint import fix


def fix_once(paths: list[str], cwd: Path, root: str | None = None):
    """One --fix --unsafe-fixes pass; returns (plan, {shown path: old text})."""
    result = check(paths, cwd=cwd, root=root)
    tree = fix.Tree(root, paths, str(cwd))
    try:
        p = fix.plan(result.findings, tree, result.model, unsafe=True)
        assert fix.write(p) == []
    finally:
        tree.close()
    return p, result


def edited_spans(p) -> dict[str, set[tuple[int, int, int]]]:
    """(start, end, length of the new text) of each edit applied, per file."""
    out: dict[str, set[tuple[int, int, int]]] = {}
    for f in p.fixed:
        for e in f.edits:
            out.setdefault(e.span.path, set()).add((e.span.start, e.span.end, len(e.text)))
    return out


def assert_only_spans_changed(old: str, new: str, spans: set[tuple[int, int, int]]) -> None:
    """``new`` is ``old`` with only the edited spans replaced: every stretch of ``old`` between
    them is in ``new`` where the replacements' lengths put it, and nothing else was added."""
    pos, shift = 0, 0
    for start, end, length in sorted(spans):
        assert start >= pos, "overlapping edits were applied together"
        assert new[pos + shift:start + shift] == old[pos:start], (old[pos:start][:80], new[pos + shift:][:80])
        shift += length - (end - start)
        pos = end
    assert new[pos + shift:] == old[pos:]
    assert len(new) == len(old) + shift


def _check_tree(tmp: Path, rel: str, root: str | None = None) -> int:
    """Fix ``rel`` under ``tmp`` as --fix does (passes until nothing is left, at most fix.MAX_PASSES);
    assert the properties after each pass; return how many files changed."""
    changed: set[Path] = set()
    for _ in range(fix.MAX_PASSES):
        before = {p: p.read_bytes() for p in tmp.rglob("*") if p.is_file()}
        p, _result = fix_once([rel], tmp, root)
        if not p.files:
            break
        spans = edited_spans(p)
        for path, data in before.items():
            now = path.read_bytes()
            if now == data:
                continue
            changed.add(path)
            shown = str(path.relative_to(tmp))
            assert shown in p.files, (shown, list(p.files))
            old_text, new_text = data.decode("utf-8", "surrogateescape"), now.decode("utf-8", "surrogateescape")
            assert_only_spans_changed(old_text.lstrip("\ufeff"), new_text.lstrip("\ufeff"), spans[shown])
            if b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"):
                assert now.count(b"\n") == now.count(b"\r\n"), now  # CRLF stays CRLF
            if b"\r\n" not in data:
                assert b"\r\n" not in now
    else:
        raise AssertionError(f"{rel}: still fixing after {fix.MAX_PASSES} passes")
    after = {p: p.read_bytes() for p in tmp.rglob("*") if p.is_file()}
    p2, _ = fix_once([rel], tmp, root)
    assert p2.files == {}, list(p2.files)  # idempotent: a second --fix changes nothing
    assert {p: p.read_bytes() for p in tmp.rglob("*") if p.is_file()} == after
    return len(changed)


def _fixture_cases() -> list[Path]:
    return sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", _fixture_cases(), ids=lambda p: p.name)
def test_fixtures_fix_only_edited_spans_and_idempotently(tmp_path, folder):
    shutil.copytree(folder, tmp_path / "t", symlinks=True)
    for case in sorted((tmp_path / "t").iterdir()):
        stem = case.name.split(".")[0]
        if case.suffix in (".expected", ".args") or not (stem == "bad" or stem.startswith(("bad_", "good"))):
            continue  # a case's own files only (test_rule_fixtures' rule): not a shared apps.toml
        args = folder / (case.name.split(".")[0] + ".args")
        root = None
        if args.exists() and "root=." in args.read_text().split():
            root = str(case)
        _check_tree(tmp_path / "t", case.name, root)


def _corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def test_corpus_copies_fix_only_edited_spans_and_idempotently(tmp_path):
    files = _corpus_files()
    if not files:
        pytest.skip(f"../shared/corpus is absent ({CORPUS})")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    changed = 0
    for rel in files:
        changed += _check_tree(tmp_path / "corpus", rel)
    assert changed >= 3  # the corpus has fixable findings (no buffer-size, 64M-style sizes, no die-on-term)


def test_corpus_inis_uwsgi_accepted_stay_accepted_after_fix(tmp_path):
    """Every corpus uWSGI ini that --fix changes and `uwsgi --strict` accepted before is accepted after."""
    from test_fix_proof import uwsgi_strict

    inis = [r for r in _corpus_files() if r.endswith(".ini")]
    if not inis:
        pytest.skip(f"../shared/corpus is absent ({CORPUS})")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    judged = 0
    for rel in inis:
        original, copy = CORPUS / rel, tmp_path / "corpus" / rel
        if b"@(exec://" in original.read_bytes():
            continue  # never handed to uWSGI (it would run it)
        _check_tree(tmp_path / "corpus", rel)
        if copy.read_bytes() == original.read_bytes():
            continue
        rc_before, _ = uwsgi_strict(original)
        if rc_before != 0:
            continue
        rc_after, out = uwsgi_strict(copy)
        assert rc_after == 0, (rel, copy.read_text(), out)
        judged += 1
    assert judged >= 1, "no corpus ini was both fixed and accepted by uwsgi --strict"


# ---- generated files ----------------------------------------------------------------------------

EOL = st.sampled_from(["\n", "\r\n"])
INDENT = st.sampled_from(["", "  ", "\t"])
SEP = st.sampled_from([" = ", "=", " =  "])
INI_LINES = st.lists(st.sampled_from([
    "master{sep}true", "module{sep}glance.wsgi.api:application", "chunked-input-limit{sep}{n}{unit}",
    "buffer-size{sep}{small}", "processes{sep}4 # per core", "# a comment", "; another", "",
    "socket-timeout{sep}30", "enable-threads{sep}true", "post-buffering{sep}{n}{unit}",
    "hook-master-start{sep}unix_signal:15 gracefully_kill_them_all ; graceful",
]), min_size=1, max_size=10)


@st.composite
def ini_files(draw) -> str:
    eol, indent, sep = draw(EOL), draw(INDENT), draw(SEP)
    lines = ["[uwsgi]", "http-socket = 127.0.0.1:60999", "module = glance.wsgi.api:application"]
    for tmpl in draw(INI_LINES):
        lines.append(indent + tmpl.format(sep=sep, n=draw(st.integers(1, 512)), unit=draw(st.sampled_from("kKMmG")),
                                          small=draw(st.integers(512, 16000))) if tmpl else "")
    text = eol.join(lines)
    return text + (eol if draw(st.booleans()) else "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ini_files())
def test_generated_inis(text):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "glance-api-uwsgi.ini").write_bytes(text.encode())
        _check_tree(d, "glance-api-uwsgi.ini")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ini_files())
def test_generated_inis_accepted_by_uwsgi_stay_accepted(text):
    from test_fix_proof import uwsgi_strict

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ini = d / "glance-api-uwsgi.ini"
        ini.write_bytes(text.encode())
        before_rc, out = uwsgi_strict(ini)
        fix_once([ini.name], d)
        after_rc, out2 = uwsgi_strict(ini)
        if before_rc == 0:
            assert after_rc == 0, (ini.read_text(), out2)


@st.composite
def vhosts(draw) -> str:
    eol, indent = draw(EOL), draw(INDENT) or "    "
    body = [f"{indent}WSGIDaemonProcess glance-api processes=2 threads=1",
            f"{indent}WSGIProcessGroup glance-api"]
    extra = draw(st.lists(st.sampled_from([f"{indent}# comment", f"{indent}ErrorLog /dev/null", "",
                                           f"{indent}WSGIApplicationGroup %{{GLOBAL}}"]), max_size=4))
    at = draw(st.integers(0, len(extra)))
    body += extra[:at] + [f"{indent}WSGIScriptAlias /image /usr/bin/glance-wsgi-api"] + extra[at:]
    if draw(st.booleans()):
        body += [f"{indent}<Directory /usr/bin>", f"{indent}{indent}Require all granted", f"{indent}</Directory>"]
    lines = ["Listen 127.0.0.1:@@PORT@@", "<VirtualHost 127.0.0.1:@@PORT@@>", *body, "</VirtualHost>"]
    return eol.join(lines) + (eol if draw(st.booleans()) else "")


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=vhosts())
def test_generated_vhosts_fixed_and_accepted_by_apache(text):
    import stack
    from proofkit import need_apache

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        site = d / "glance.conf"
        site.write_bytes(text.replace("@@PORT@@", "9292").encode())
        assert _check_tree(d, "glance.conf") == 1
        fixed = site.read_bytes().decode().replace("9292", "@@PORT@@")
        need_apache("apache2 -t on generated vhosts", wsgi=True)
        for name, site_text in (("before", text), ("after", fixed)):
            cfg = stack.write_apache_config(d, site_text.replace("Listen 127.0.0.1:@@PORT@@", ""),
                                            modules=["wsgi"], name=name)
            rc, out = stack.apache_configtest(cfg)
            assert rc == 0 and "Syntax OK" in out, (name, site_text, out)
        assert "WSGIChunkedRequest On" in fixed
