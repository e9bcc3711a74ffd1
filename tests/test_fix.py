"""`wsgilint check --fix` / `--diff` / `--unsafe-fixes` through the real CLI (issue 19).

Each mechanical fix is applied to a copy of its rule's bad fixture and compared with the text
it must produce; the re-check has no finding of that rule; a second run is a no-op. Around
that: line ends, BOM, latin-1 and file mode kept; --diff writes nothing; templates, files
behind a symlink out of the tree, non-config files and edits near a parse error are left
alone; the report formats carry the edits (JSON schema, SARIF 2.1.0 schema, GitHub).
Real servers judge the fixed trees in tests/test_fix_proof.py.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, SHARED
from test_cli import run

RULES = FIXTURES / "rules"

# (rule folder, case, options, [(file in the case, text before, text after)])
CASES = [
    ("modwsgi-chunked-request-off", "bad.conf", ["--select", "WSG201"], [
        ("", "    WSGIScriptAlias / /usr/bin/glance-wsgi-api\n",
         "    WSGIScriptAlias / /usr/bin/glance-wsgi-api\n    WSGIChunkedRequest On\n")]),
    ("modwsgi-chunked-request-off", "bad_off.conf", ["--select", "WSG201", "--unsafe-fixes"], [
        ("", "    WSGIChunkedRequest Off\n", "    WSGIChunkedRequest On\n")]),
    ("uwsgi-size-suffix", "bad.ini", ["--select", "WSG109"], [
        ("", "chunked-input-limit = 64M\n", "chunked-input-limit = 67108864\n")]),
    ("uwsgi-inline-comment", "bad.ini", ["--select", "WSG104"], [
        ("", "socket = /run/uwsgi/glance-api.socket # glance\n", "# glance\nsocket = /run/uwsgi/glance-api.socket\n"),
        ("", "processes = 4 ; one per core\n", "; one per core\nprocesses = 4\n"),
        ("", "hook-master-start = unix_signal:15 gracefully_kill_them_all\t# graceful stop\n",
         "# graceful stop\nhook-master-start = unix_signal:15 gracefully_kill_them_all\n")]),
    ("uwsgi-sigterm-reloads", "bad.ini", ["--select", "WSG115", "--unsafe-fixes"], [
        ("", "master = true\n", "master = true\ndie-on-term = true\n")]),
    ("uwsgi-buffer-size-small", "bad.ini", ["--select", "WSG107"], [
        ("", "module = keystone.wsgi.api:application\n",
         "module = keystone.wsgi.api:application\nbuffer-size = 65535\n")]),
    ("uwsgi-buffer-size-small", "bad_small.ini", ["--select", "WSG107"], [
        ("", "buffer-size = 8192\n", "buffer-size = 65535\n")]),
    ("nginx-body-size-limit", "bad", ["--select", "WSG301", "--unsafe-fixes"], [
        ("glance-api.conf", "        uwsgi_pass unix:/run/uwsgi/glance-api.socket;\n",
         "        uwsgi_pass unix:/run/uwsgi/glance-api.socket;\n        client_max_body_size 0;\n")]),
]


def _copy(tmp_path: Path, folder: str, case: str) -> Path:
    src = RULES / folder / case
    dst = tmp_path / case
    if src.is_dir():
        shutil.copytree(src, dst, symlinks=True)
    else:
        shutil.copy2(src, dst)
    return dst


def _files(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _rules_of(proc) -> list[str]:
    return [f["rule"] for f in json.loads(proc.stdout)["findings"]]


@pytest.mark.parametrize("folder,case,opts,changes", CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_fix_applies_the_mechanical_fix_and_a_second_run_is_a_noop(tmp_path, folder, case, opts, changes):
    target = _copy(tmp_path, folder, case)
    before = _files(target)
    rule = opts[opts.index("--select") + 1]
    doc = json.loads(run("check", case, "--format", "json", *opts[:2], cwd=tmp_path).stdout)
    fixable = [(f["path"], f["message"]) for f in doc["findings"] if f["rule"] == rule and f.get("edits")]
    assert fixable
    proc = run("check", case, "--fix", "--format", "json", *opts, cwd=tmp_path)
    assert "wsgilint: fixed " in proc.stderr and f"({rule}" in proc.stderr, proc.stderr
    # The re-check after the fix: no finding of that rule at those places.
    left = [(f["path"], f["message"]) for f in json.loads(proc.stdout)["findings"] if f["rule"] == rule]
    assert not set(fixable) & set(left), proc.stdout
    after = _files(target)
    expected = {}
    for name, text in before.items():
        new = text.decode()
        for where, old, fixed in changes:
            if where in ("", name):
                assert old in new, (name, old)
                new = new.replace(old, fixed, 1)
        expected[name] = new.encode()
    assert after == expected
    again = run("check", case, "--fix", "--format", "json", *opts, cwd=tmp_path)
    assert "fixed 0 finding(s) in 0 file(s)" in again.stderr, again.stderr
    assert _files(target) == after


def test_rules_listing_says_which_rules_fix():
    rules = {r["id"]: r["fixable"] for r in json.loads(run("rules", "--format", "json").stdout)}
    assert {k: rules[k] for k in ("WSG201", "WSG109", "WSG104", "WSG107", "WSG115", "WSG301")} == {
        "WSG201": "safe", "WSG109": "safe", "WSG104": "safe", "WSG107": "safe", "WSG115": "unsafe",
        "WSG301": "unsafe"}
    assert rules["WSG401"] is None
    text = run("rules").stdout
    assert any(line.startswith("WSG201") and line.endswith("[fix]") for line in text.splitlines())
    assert any(line.startswith("WSG115") and line.endswith("[unsafe fix]") for line in text.splitlines())


def test_unsafe_fixes_wait_for_the_flag(tmp_path):
    target = _copy(tmp_path, "uwsgi-sigterm-reloads", "bad.ini")
    before = target.read_bytes()
    proc = run("check", "bad.ini", "--fix", "--select", "WSG115", cwd=tmp_path)
    assert target.read_bytes() == before
    assert "1 more fix(es) need --unsafe-fixes (WSG115)" in proc.stderr, proc.stderr
    assert proc.returncode == 1  # the finding remains


def test_crlf_bom_and_mode_are_kept(tmp_path):
    src = (RULES / "modwsgi-chunked-request-off" / "bad.conf").read_text()
    target = tmp_path / "glance.conf"
    target.write_bytes(b"\xef\xbb\xbf" * 0 + src.replace("\n", "\r\n").encode())
    os.chmod(target, 0o640)
    run("check", "glance.conf", "--fix", "--select", "WSG201", cwd=tmp_path)
    data = target.read_bytes()
    assert b"    WSGIScriptAlias / /usr/bin/glance-wsgi-api\r\n    WSGIChunkedRequest On\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    # A UTF-8 BOM (uWSGI reads one as part of the first line: the ini's first line is a comment) and
    # a latin-1 byte elsewhere stay as they were.
    ini = tmp_path / "x.ini"
    ini.write_bytes(b"\xef\xbb\xbf# caf\xc3\xa9\n[uwsgi]\nmodule = glance.wsgi.api:application\n"
                    b"chunked-input-limit = 64M\n")
    run("check", "x.ini", "--fix", "--select", "WSG109", cwd=tmp_path)
    assert ini.read_bytes() == (b"\xef\xbb\xbf# caf\xc3\xa9\n[uwsgi]\nmodule = glance.wsgi.api:application\n"
                                b"chunked-input-limit = 67108864\n")
    lat = tmp_path / "l.ini"
    lat.write_bytes(b"# caf\xe9\n[uwsgi]\nmodule = glance.wsgi.api:application\nchunked-input-limit = 1k")
    run("check", "l.ini", "--fix", "--select", "WSG109", cwd=tmp_path)
    assert lat.read_bytes() == b"# caf\xe9\n[uwsgi]\nmodule = glance.wsgi.api:application\nchunked-input-limit = 1024"


def test_inserted_line_at_the_end_of_a_file_without_a_final_newline(tmp_path):
    ini = tmp_path / "k.ini"
    ini.write_bytes(b"[uwsgi]\r\nsocket = /run/k.sock\r\n  module = keystone.wsgi.api:application")
    run("check", "k.ini", "--fix", "--select", "WSG107", cwd=tmp_path)
    assert ini.read_bytes() == (b"[uwsgi]\r\nsocket = /run/k.sock\r\n  module = keystone.wsgi.api:application"
                                b"\r\n  buffer-size = 65535")


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    target = _copy(tmp_path, "uwsgi-inline-comment", "bad.ini")
    before = target.read_bytes()
    proc = run("check", "bad.ini", "--diff", "--select", "WSG104", cwd=tmp_path)
    assert proc.returncode == 1
    assert target.read_bytes() == before
    assert proc.stdout.startswith("--- a/bad.ini\n+++ b/bad.ini\n@@ ")
    assert "-processes = 4 ; one per core\n+; one per core\n+processes = 4\n" in proc.stdout
    assert "would fix 3 finding(s) in 1 file(s) (WSG104 x3)" in proc.stderr
    # The diff is what --fix writes: patch(1) applied to a copy gives the same bytes.
    if shutil.which("patch"):
        import subprocess

        other = tmp_path / "other"
        other.mkdir()
        shutil.copy2(target, other / "bad.ini")
        subprocess.run(["patch", "-p1", "-s"], input=proc.stdout, text=True, cwd=other, check=True, timeout=30)
        run("check", "bad.ini", "--fix", "--select", "WSG104", cwd=tmp_path)
        assert (other / "bad.ini").read_bytes() == target.read_bytes()
    clean = run("check", "bad.ini", "--diff", "--select", "WSG104", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


def test_templates_are_never_edited(tmp_path):
    src = (RULES / "uwsgi-size-suffix" / "bad.ini").read_text()
    target = tmp_path / "glance.ini"
    target.write_text("# {{ ansible_managed }}\n" + src)
    proc = run("check", "glance.ini", "--fix", "--select", "WSG109", cwd=tmp_path)
    assert target.read_text() == "# {{ ansible_managed }}\n" + src
    assert "not fixed: glance.ini: a template" in proc.stderr, proc.stderr


def test_a_parse_problem_near_the_edit_leaves_it(tmp_path):
    target = tmp_path / "glance.conf"
    text = (RULES / "modwsgi-chunked-request-off" / "bad.conf").read_text()
    text = text.replace("    WSGIScriptAlias / /usr/bin/glance-wsgi-api\n",
                        "    WSGIScriptAlias / /usr/bin/glance-wsgi-api\n    <Directory /x\n    </Directory>\n")
    target.write_text(text)
    proc = run("check", "glance.conf", "--fix", "--select", "WSG201,WSG001", cwd=tmp_path)
    if "WSG201" not in proc.stdout:
        pytest.skip("the parse problem hides the route: nothing to fix")
    assert target.read_text() == text
    assert "parse problem within 3 lines" in proc.stderr, proc.stderr


def test_no_write_through_a_symlink_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    real = outside / "glance.ini"
    shutil.copy2(RULES / "uwsgi-size-suffix" / "bad.ini", real)
    before = real.read_bytes()
    tree = tmp_path / "tree"
    tree.mkdir()
    os.symlink(real, tree / "glance.ini")
    proc = run("check", "tree", "--fix", "--select", "WSG109", cwd=tmp_path)
    assert "WSG109" in proc.stdout, proc.stdout + proc.stderr
    assert real.read_bytes() == before and (tree / "glance.ini").is_symlink()
    assert "outside the tree" in proc.stderr, proc.stderr


def test_with_root_a_link_inside_the_tree_is_followed_as_in_a_chroot(tmp_path):
    root = tmp_path / "root"
    avail = root / "etc/uwsgi/apps-available"
    enabled = root / "etc/uwsgi/apps-enabled"
    avail.mkdir(parents=True)
    enabled.mkdir(parents=True)
    shutil.copy2(RULES / "uwsgi-size-suffix" / "bad.ini", avail / "glance.ini")
    os.symlink("/etc/uwsgi/apps-available/glance.ini", enabled / "glance.ini")  # absolute: inside the root
    proc = run("check", "--root", "root", "--fix", "--select", "WSG109", cwd=tmp_path)
    assert "fixed 1 finding(s) in 1 file(s) (WSG109)" in proc.stderr, proc.stderr
    assert "chunked-input-limit = 67108864\n" in (avail / "glance.ini").read_text()
    assert os.readlink(enabled / "glance.ini") == "/etc/uwsgi/apps-available/glance.ini"


def test_fix_refuses_stdin(tmp_path):
    proc = subprocess_run_stdin(tmp_path)
    assert proc.returncode == 2 and "not with `-` (stdin)" in proc.stderr


def subprocess_run_stdin(tmp_path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "wsgilint", "check", "-", "--fix"], input="[uwsgi]\n",
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)


def test_json_report_carries_the_edits_and_validates(tmp_path):
    import jsonschema

    _copy(tmp_path, "uwsgi-sigterm-reloads", "bad.ini")
    doc = json.loads(run("check", "bad.ini", "--format", "json", cwd=tmp_path).stdout)
    schema = json.loads((PROJECT / "linter/report/schema/wsgilint-report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["version"] == 1
    by_rule = {f["rule"]: f for f in doc["findings"]}
    assert by_rule["WSG115"]["edits"] == [{"path": "bad.ini", "line": 4, "column": 1, "end_line": 4,
                                           "end_column": 1, "start": 52, "end": 52,
                                           "text": "die-on-term = true\n", "safe": False}]
    assert "edits" not in by_rule.get("WSG401", {"rule": "WSG401"})


def test_sarif_fixes_validate_against_the_schema(tmp_path):
    schema_path = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip(f"../shared is absent ({schema_path})")
    import jsonschema

    _copy(tmp_path, "uwsgi-inline-comment", "bad.ini")
    doc = json.loads(run("check", "bad.ini", "--format", "sarif", cwd=tmp_path).stdout)
    jsonschema.validate(doc, json.loads(schema_path.read_text()), cls=jsonschema.Draft7Validator)
    fixes = [r["fixes"] for r in doc["runs"][0]["results"] if r["ruleId"] == "WSG104"]
    assert len(fixes) == 3
    change = fixes[0][0]["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "bad.ini", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [{"deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3,
                                                         "endColumn": 47},
                                       "insertedContent": {"text": "# glance\nsocket = /run/uwsgi/glance-api.socket"}}]
    assert "wsgilint check --fix" in fixes[0][0]["description"]["text"]


def test_github_annotation_names_the_fix(tmp_path):
    _copy(tmp_path, "uwsgi-sigterm-reloads", "bad.ini")
    out = run("check", "bad.ini", "--format", "github", "--select", "WSG115,WSG107", cwd=tmp_path).stdout
    lines = {line.split("title=wsgilint (")[1][:6]: line for line in out.splitlines()}
    assert "`wsgilint check --fix --unsafe-fixes` applies it" in lines["WSG115"]
    assert "`wsgilint check --fix` applies it" in lines["WSG107"]


def test_fast_path_and_typer_take_the_fix_options(tmp_path):
    from wsgilint.cli import _fast_check_args

    assert _fast_check_args(["check", "x", "--fix", "--unsafe-fixes", "--diff"]) == {
        "fix": True, "unsafe_fixes": True, "diff": True, "paths": ["x"]}
    _copy(tmp_path, "uwsgi-size-suffix", "bad.ini")
    # `--fix=1` is not a fast-path spelling: typer reads (and refuses) it, as click does for flags.
    assert run("check", "bad.ini", "--fix=1", cwd=tmp_path).returncode == 2


def test_diff_escapes_control_characters_but_keeps_line_ends(tmp_path):
    ini = tmp_path / "x.ini"
    ini.write_bytes(b"[uwsgi]\r\nmodule = glance.wsgi.api:application\r\n"
                    b"chunked-input-limit = 64M\r\nenv = A=\x1b[31mred\r\n")
    proc = run("check", "x.ini", "--diff", "--select", "WSG109", cwd=tmp_path)
    assert "\x1b" not in proc.stdout and " env = A=\\x1b[31mred" in proc.stdout
    # (run() reads text: universal newlines turn the diff's CRLF into "\n" here)
    assert "-chunked-input-limit = 64M\n+chunked-input-limit = 67108864\n" in proc.stdout


def test_json_fast_encoder_equals_to_dict_with_edits():
    from lintrun import check

    from wsgilint.report import json_report

    case = RULES / "uwsgi-inline-comment"
    result = check([case / "bad.ini"], cwd=case)
    assert any(f.edits for f in result.findings)
    assert "".join(json_report._encode(result, "warning")) == json.dumps(json_report.to_dict(result, "warning"),
                                                                         **json_report._COMPACT)


def test_overlapping_edits_wait_for_the_next_pass(tmp_path):
    # WSG107 inserts a line where WSG104 rewrites one: one pass applies the first, the re-check the other.
    ini = tmp_path / "k.ini"
    ini.write_text("[uwsgi]\nmodule = keystone.wsgi.api:application\nprocesses = 4 # per core\n")
    diff = run("check", "k.ini", "--diff", "--select", "WSG104,WSG107", cwd=tmp_path)
    assert "1 fix(es) overlap another: --fix applies them in a next pass" in diff.stderr, diff.stderr
    proc = run("check", "k.ini", "--fix", "--select", "WSG104,WSG107", cwd=tmp_path)
    assert "fixed 2 finding(s) in 1 file(s) (WSG104, WSG107); 0 remain" in proc.stderr, proc.stderr
    assert ini.read_text() == ("[uwsgi]\nmodule = keystone.wsgi.api:application\nbuffer-size = 65535\n"
                               "# per core\nprocesses = 4\n")
