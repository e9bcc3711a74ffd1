"""Run a check in-process the way the CLI does, for tests (no subprocess, exact results)."""

from __future__ import annotations

from wsgilint import engine, knowledge, pipeline, registry
from wsgilint.targets import Targets


def check(paths, *, cwd=None, root=None, select=None, release=None, defines=None, uwsgi=None, httpd=None,
          nginx=None, apps=None):
    """Return the CheckResult for ``paths`` (strings), optionally only some rules."""
    targets = Targets.given(openstack=knowledge.normalize_release(release) if release else None, uwsgi=uwsgi, httpd=httpd,
                      nginx=nginx)
    sel = registry.select(list(select)) if select else None
    opts = pipeline.CheckOptions(paths=[str(p) for p in paths], root=str(root) if root else None,
                                 cwd=str(cwd) if cwd else None, defines=defines or {}, targets=targets,
                                 engine=engine.EngineOptions(selected=sel), apps=dict(apps or {}))
    return pipeline.run(opts)


def concise(result) -> list[str]:
    """`path:line:col: ID name` per finding (what .expected files hold)."""
    return [f"{f.path}:{f.line}:{f.column}: {f.rule.id} {f.rule.name}" for f in result.findings]
