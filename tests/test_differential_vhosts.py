"""Virtual hosts: what wsgilint's model sees must equal `apache2 -S` (file, line, ServerName)."""

from __future__ import annotations

import re
import subprocess

import oracle
from wsgilint.fsroot import FileSystem
from wsgilint.model.build import build_apache
from wsgilint.resolve.apache import resolve


def test_vhosts_match_httpd_dash_S(tmp_path):
    apache2 = oracle.apache2("apache2 -S differential test")
    moddir = oracle.apache_module_dir("apache2 -S differential test")
    t = tmp_path / "tree"
    (t / "run").mkdir(parents=True)
    (t / "sites").mkdir()
    (t / "httpd.conf").write_text(
        f'ServerRoot "{t}"\nServerName localhost\nPidFile {t}/run/p\nErrorLog {t}/run/e\n'
        f"LoadModule mpm_event_module {moddir}/mod_mpm_event.so\n"
        "Listen 127.0.0.1:18181\nListen 127.0.0.1:18182\n"
        "IncludeOptional sites/*.conf\n"
        "<IfDefine NEVER>\n<VirtualHost 127.0.0.1:18181>\nServerName hidden.example\n</VirtualHost>\n</IfDefine>\n")
    (t / "sites/a.conf").write_text(
        "# glance\n<VirtualHost 127.0.0.1:18181>\n    ServerName glance.example\n</VirtualHost>\n\n"
        "<VirtualHost 127.0.0.1:18181>\n    ServerName keystone.example\n    ServerAlias id.example\n</VirtualHost>\n")
    (t / "sites/b.conf").write_text(
        "<VirtualHost \\\n   127.0.0.1:18182>\n    ServerName \"heat.example\"\n</VirtualHost>\n")
    proc = subprocess.run([apache2, "-d", str(t), "-f", str(t / "httpd.conf"), "-S"], capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C"})
    assert proc.returncode == 0, proc.stderr
    theirs = set()
    section = proc.stdout.split("ServerRoot:")[0]  # the "VirtualHost configuration:" part
    for m in re.finditer(r"(\S+) \((/[^:()]+):(\d+)\)$", section, re.M):
        theirs.add((m.group(1), m.group(2), int(m.group(3))))
    server = build_apache(resolve(FileSystem(), str(t / "httpd.conf")))
    ours = set()
    for vh in server.vhosts:
        names = [d.args[0] for d in vh.children if d.key == "servername" and d.args]
        # httpd numbers a continued opener by its last physical line; wsgilint reports
        # where it starts (span.line) and ends (span.end_line): compare the end.
        ours.add((names[-1] if names else "localhost", vh.node.source.path, vh.span.end_line))
    assert ours == theirs, (ours, proc.stdout)
    assert ("heat.example", str(t / "sites/b.conf"), 2) in ours
    assert not any(name == "hidden.example" for name, _, _ in ours)
