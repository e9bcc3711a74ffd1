"""What the real servers do with the hostile inputs (config test only; no server is started).

These pin the facts the limit-exceeded and include-cycle docs rely on: httpd and uWSGI
have no limits of their own here (they accept huge expansions and lines, and httpd
even crashes on deep nesting), so wsgilint's limits protect wsgilint, not the server.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import oracle
from lintrun import check


def _httpd_conf(tmp: Path, body: str) -> Path:
    mods = oracle.apache_module_dir()
    conf = tmp / "httpd.conf"
    conf.write_text(f"ServerRoot {tmp}\nLoadModule mpm_event_module {mods}/mod_mpm_event.so\n"
                    f"LoadModule authz_core_module {mods}/mod_authz_core.so\nErrorLog {tmp}/error.log\n"
                    f"PidFile {tmp}/httpd.pid\nListen 127.0.0.1:{oracle.free_port()}\n" + body)
    return conf


def _httpd_t(conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run([oracle.apache2(), "-t", "-f", str(conf)], capture_output=True, text=True, timeout=60)


def test_httpd_crashes_on_deep_nesting_wsgilint_does_not(tmp_path):
    conf = _httpd_conf(tmp_path, "<IfModule !nonexistent_module>\n" * 20000 + "ServerName deep\n"
                       + "</IfModule>\n" * 20000)
    proc = _httpd_t(conf)
    # httpd 2.4.71 recurses in C per nesting level: with an 8 MiB stack it dies of SIGSEGV
    # (measured: fine at 6,000 levels, SIGSEGV at 10,000).
    assert proc.returncode != 0 and "Syntax OK" not in proc.stdout + proc.stderr
    r = check([conf], cwd=tmp_path)
    assert "limit-exceeded" in {f.rule.name for f in r.findings}


def test_httpd_accepts_huge_expansion_and_line(tmp_path):
    body = ("Define d0 xxxxxxxxxxxxxxxx\n" + "".join(f"Define d{i} ${{d{i-1}}}${{d{i-1}}}\n" for i in range(1, 15))
            + "ServerName ${d14}\nServerAdmin " + "y" * (5 * 1024 * 1024) + "\n")
    conf = _httpd_conf(tmp_path, body)
    proc = _httpd_t(conf)
    assert proc.returncode == 0 and "Syntax OK" in proc.stderr, proc.stderr[-500:]
    r = check([conf], cwd=tmp_path)
    names = [f.rule.name for f in r.findings]
    assert "limit-exceeded" in names and "parse-error" not in names


def test_httpd_refuses_directory_symlink_loop(tmp_path):
    d = tmp_path / "conf.d"
    d.mkdir()
    (d / "a.conf").write_text("ServerName a\n")
    os.symlink(".", d / "self")
    conf = _httpd_conf(tmp_path, f"Include {d}/\n")
    proc = _httpd_t(conf)
    assert proc.returncode != 0 and "Too many levels of symbolic links" in proc.stderr, proc.stderr[-500:]
    r = check([conf], cwd=tmp_path)
    assert [f.rule.name for f in r.findings].count("include-cycle") == 1


def test_uwsgi_expands_doubling_chain_fully(tmp_path):
    ini = tmp_path / "u.ini"
    ini.write_text("[uwsgi]\na0 = xxxxxxxxxxxxxxxx\n" + "".join(f"a{i} = %(a{i-1})%(a{i-1})\n" for i in range(1, 15)))
    proc = subprocess.run([oracle.uwsgi(), "--ini", ini.name, "--show-config", "--hook-pre-jail", "exit:0"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    out = proc.stdout + proc.stderr
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("a14 = "))
    assert len(line.split("= ", 1)[1]) == 16 * 2 ** 14  # no limit in uWSGI 2.0.21 (a 24-step chain took 1 GB)
    r = check([ini], cwd=tmp_path)
    assert "limit-exceeded" in {f.rule.name for f in r.findings}


def test_httpd_wildcards_skip_directory_symlinks(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    os.symlink(".", d / "s1")
    os.symlink(".", d / "s2")
    (d / "x.conf").write_text("ServerName x\n")
    conf = _httpd_conf(tmp_path, f"Include {d}/" + "/".join(["*"] * 40) + "/*.conf\n")
    proc = _httpd_t(conf)
    assert proc.returncode != 0 and "No matches for the wildcard '*'" in proc.stderr, proc.stderr[-500:]
    r = check([conf], cwd=tmp_path)
    assert [f.rule.name for f in r.findings] == ["include-not-found"]
