"""The rule pages in docs/rules are generated from the rule modules (scripts/gen_rule_docs.py) and fresh."""

from __future__ import annotations

import subprocess
import sys

from conftest import PROJECT

SCRIPT = PROJECT / "scripts" / "gen_rule_docs.py"


def _gen(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_committed_pages_are_fresh():
    proc = _gen("--check")
    assert proc.returncode == 0, proc.stderr + "\n(run: python3 scripts/gen_rule_docs.py)"


def test_one_page_per_rule_with_its_docstring():
    from wsgilint import registry

    docs = PROJECT / "docs" / "rules"
    pages = sorted(p.name for p in docs.glob("WSG*.md"))
    rules = registry.all_rules()
    assert pages == sorted(f"{r.id}-{r.name}.md" for r in rules)
    r = registry.lookup("WSG401")
    text = (docs / f"{r.id}-{r.name}.md").read_text()
    assert text.startswith(f"# WSG401 proxy-uwsgi-chunked-upload\n") and r.docs.strip() in text and r.fix in text


def test_check_catches_stale_missing_and_extra_pages(tmp_path):
    out = tmp_path / "rules"
    assert _gen("--out", str(out)).returncode == 0
    assert _gen("--check", "--out", str(out)).returncode == 0
    page = next(out.glob("WSG401-*.md"))
    page.write_text(page.read_text().replace("411", "412"))
    (out / "WSG999-gone.md").write_text("# old\n")
    next(out.glob("WSG201-*.md")).unlink()
    proc = _gen("--check", "--out", str(out))
    assert proc.returncode == 1
    assert "WSG401-proxy-uwsgi-chunked-upload.md: stale" in proc.stderr
    assert "WSG201-modwsgi-chunked-request-off.md: missing" in proc.stderr
    assert "WSG999-gone.md: no such rule" in proc.stderr
    assert _gen("--out", str(out)).returncode == 0 and not (out / "WSG999-gone.md").exists()
    assert _gen("--check", "--out", str(out)).returncode == 0


def _sarif_rules(cwd, env=None):
    import json
    import os

    e = dict(os.environ)
    e.pop("WSGILINT_DOCS_URL", None)
    e.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", str(PROJECT / "fixtures" / "example"),
                           "--root", str(PROJECT / "fixtures" / "example"), "--format", "sarif", "--fail-on", "never"],
                          cwd=cwd, capture_output=True, text=True, env=e, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc, {r["id"]: r for r in json.loads(proc.stdout)["runs"][0]["tool"]["driver"]["rules"]}


def test_sarif_help_links_only_to_pages_that_exist(tmp_path):
    (tmp_path / ".git").mkdir()  # the config search stops here
    _, rules = _sarif_rules(tmp_path)
    assert rules and not any("helpUri" in r for r in rules.values())  # no base URL: no link
    (tmp_path / ".wsgilint.toml").write_text('docs-url = "https://example.org/wsgilint/docs/rules/"\n')
    _, rules = _sarif_rules(tmp_path)
    for rid, r in rules.items():
        prefix = "https://example.org/wsgilint/docs/rules/"
        assert r["helpUri"].startswith(prefix), r["helpUri"]
        assert (PROJECT / "docs" / "rules" / r["helpUri"][len(prefix):]).is_file(), r["helpUri"]
    # The environment wins over the file.
    _, rules = _sarif_rules(tmp_path, {"WSGILINT_DOCS_URL": "https://docs.example.com/r"})
    assert rules["WSG401"]["helpUri"] == "https://docs.example.com/r/WSG401-proxy-uwsgi-chunked-upload.md"


def test_docs_url_must_be_a_web_url(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".wsgilint.toml").write_text('docs-url = "javascript:alert(1)"\n')
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", str(PROJECT / "fixtures" / "example"),
                           "--format", "sarif"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "'docs-url' must be an http:// or https:// URL" in proc.stderr
    assert "Traceback" not in proc.stderr
