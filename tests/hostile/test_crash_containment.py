"""Crashes that dropped a whole configuration, or the report itself (../shared/notes/adversarial.md
#18, #22, #23): regex recursion in config patterns, an nginx include glob over its limit, and a
WSG002 lost when the only configuration crashed.
"""

from __future__ import annotations

from pathlib import Path

import lintrun
from wsgilint import pipeline

DEEP = "(" * 2000 + "a" + ")" * 2000  # re.compile raises RecursionError (not re.error) on it


def _write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def _rules(result) -> list[str]:
    return [f.rule.id for f in result.findings]


def test_deeply_nested_config_regexes_do_not_drop_the_tree(tmp_path):
    _write(tmp_path, "etc/apache2/apache2.conf",
           f"ServerName x\nLoadModule proxy_module x\n<IfVersion ~ {DEEP}>\nServerName y\n</IfVersion>\n"
           f'<VirtualHost *:80>\n<LocationMatch "{DEEP}">\nProxyPassReverse /\n</LocationMatch>\n'
           "ProxyPass /a http://127.0.0.1:1/\nInclude missing.conf\n</VirtualHost>\n")
    rules = _rules(lintrun.check([], root=tmp_path))
    assert "WSG002" not in rules and "WSG003" in rules  # the rest of the tree was checked


def test_an_nginx_glob_over_the_limit_reads_the_first_matches(tmp_path):
    _write(tmp_path, "etc/nginx/nginx.conf", "events {}\nhttp {\ninclude conf.d/*.conf;\n}\n")
    for i in range(3):
        _write(tmp_path, f"etc/nginx/conf.d/{i}.conf", "server { listen 80; }\n")
    from wsgilint import engine
    from wsgilint.limits import Limits

    opts = pipeline.CheckOptions(root=str(tmp_path), engine=engine.EngineOptions(),
                                 limits=Limits().with_overrides(["max-glob-matches=2"]))
    result = pipeline.run(opts)
    assert "WSG002" not in _rules(result) and "WSG010" in _rules(result)
    assert sum("/conf.d/" in p for p, _ in result.files) == 2


def test_a_crash_in_the_only_configuration_is_reported_not_lost(tmp_path, monkeypatch):
    """Fault injection: the Apache model builder raises. Before, the run said "no configuration
    found", exit 2, and the WSG002 naming apache2.conf was discarded."""
    _write(tmp_path, "etc/apache2/apache2.conf", "ServerName x\n")

    def boom(cfg):
        raise RuntimeError("injected")

    monkeypatch.setattr(pipeline, "build_apache", boom)
    result = lintrun.check([], root=tmp_path)
    [crash] = [f for f in result.findings if f.rule.id == "WSG002"]
    assert "apache2.conf" in crash.message and "injected" in crash.message
