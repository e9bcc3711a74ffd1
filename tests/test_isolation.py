"""A crash while reading one configuration is a WSG002 finding; the rest of the deployment is checked.

No real input is known to crash a parser (fuzzing found none), so the crash is
injected into the resolver the pipeline calls for one file.
"""

from __future__ import annotations

import json
import subprocess
import sys

from lintrun import check

from wsgilint.resolve import uwsgi as uwsgi_resolve


def _tree(tmp_path):
    (tmp_path / "apache2").mkdir()
    (tmp_path / "apache2" / "apache2.conf").write_text(
        "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n"
        "<VirtualHost *:80>\nProxyPass /image unix:/run/uwsgi/glance.sock|uwsgi://glance/\n</VirtualHost>\n")
    (tmp_path / "uwsgi").mkdir()
    (tmp_path / "uwsgi" / "crash.ini").write_text("[uwsgi]\nsocket = /run/uwsgi/crash.sock\n")
    (tmp_path / "uwsgi" / "fine.ini").write_text("[uwsgi]\nsocket = /tmp/fine.sock\nmodule = heat.wsgi.api:application\n")
    return tmp_path


def _crash_on(name, monkeypatch):
    real = uwsgi_resolve.resolve

    def resolve(fs, path, *a, **kw):
        if path.endswith(name):
            raise KeyError("boom")
        return real(fs, path, *a, **kw)

    monkeypatch.setattr(uwsgi_resolve, "resolve", resolve)


def test_a_crash_reading_one_file_is_a_finding_and_the_rest_is_checked(tmp_path, monkeypatch):
    tree = _tree(tmp_path)
    before = check([tree], cwd=tree)
    _crash_on("crash.ini", monkeypatch)
    after = check([tree], cwd=tree)
    crashed = [f for f in after.findings if f.rule.id == "WSG002"]
    assert len(crashed) == 1
    assert crashed[0].path == "uwsgi/crash.ini"
    assert "wsgilint crashed while reading uwsgi/crash.ini: KeyError: 'boom'" in crashed[0].message
    # Everything not about crash.ini is still reported, unchanged.
    keep = {(f.rule.id, f.path, f.line) for f in before.findings if f.path != "uwsgi/crash.ini"}
    assert keep and keep <= {(f.rule.id, f.path, f.line) for f in after.findings}
    assert any(f.path == "uwsgi/fine.ini" for f in after.findings)
    assert any(f.path == "apache2/apache2.conf" for f in after.findings)


def test_the_cli_exits_1_with_the_finding_not_2(tmp_path):
    tree = _tree(tmp_path)
    code = ("import sys\nfrom wsgilint.resolve import uwsgi\nreal = uwsgi.resolve\n"
            "def boom(fs, path, *a, **k):\n"
            "    if path.endswith('crash.ini'):\n        raise KeyError('boom')\n"
            "    return real(fs, path, *a, **k)\n"
            "uwsgi.resolve = boom\n"
            "from wsgilint.cli import main\nsys.argv = ['wsgilint', 'check', '--format', 'json', sys.argv[1]]\n"
            "main()\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tree)], capture_output=True, text=True, cwd=tree)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    rules = {f["rule"] for f in doc["findings"]}
    assert "WSG002" in rules and len(rules) > 1
