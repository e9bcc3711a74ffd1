"""GitLab Code Quality report (the ``codequality`` artifact), a JSON array of issues."""

from __future__ import annotations

import hashlib
import os

from wsgilint.findings import Severity

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _path(path: str, project_dir: str | None) -> str:
    """Relative to CI_PROJECT_DIR when set (GitLab links need repository paths)."""
    if project_dir and path and not path.startswith("<"):
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(project_dir))
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
    return path.replace(os.sep, "/")


def to_list(result, *, project_dir: str | None = None) -> list[dict]:
    return list(_issues(result, project_dir))


def _issues(result, project_dir: str | None):
    seen = set()
    for f in result.findings:
        path = _path(f.path, project_dir)
        fp = f.extra.get("fingerprint")
        if not fp:  # no directive context was computed: fall back to rule + path + message
            fp = hashlib.sha256(f"{f.rule.id}\0{path}\0{f.message}".encode("utf-8", "surrogateescape")).hexdigest()
        salt = 0
        unique = fp
        while unique in seen:  # same rule, file and context twice: salt, stay deterministic
            salt += 1
            unique = hashlib.sha256(f"{fp}\0{salt}".encode()).hexdigest()
        seen.add(unique)
        yield {
            "type": "issue",
            "check_name": f"{f.rule.id} {f.rule.name}",
            "description": f"{f.rule.id}: {f.message}",
            "content": {"body": f"Fix: {f.fix}"} if f.fix else {"body": ""},
            "categories": ["Bug Risk"] if f.severity >= Severity.WARNING else ["Style"],
            "fingerprint": unique,
            "severity": SEVERITY[f.severity],
            "location": {"path": path or "wsgilint", "lines": {"begin": max(1, f.line), "end": max(1, f.line, f.end_line)}},
        }


def render(result, stream, **_: object) -> None:
    # Compact and in pieces of ~1k issues, as the JSON report (bench/README.md, 2026-12-02, issue 17 part 2).
    from wsgilint.report.json_report import json_array_pieces, write_pieces

    write_pieces(stream, json_array_pieces(_issues(result, os.environ.get("CI_PROJECT_DIR")), brackets=True))
