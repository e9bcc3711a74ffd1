"""Differential test: the files wsgilint reads for an nginx tree are the files `nginx -T` dumps.

A temporary prefix holds an nginx.conf whose includes exercise what nginx does
itself: globs (sorted, a leading-dot name not matched, an empty match allowed),
paths relative to the prefix (not to the including file), absolute paths, a
Debian sites-enabled symlink, a file included twice. nginx runs with
`-p TMP -c TMP/nginx.conf -e stderr -g 'pid TMP/nginx.pid;' -T` (temp dirs and
the pid file inside TMP); upstreams use 127.0.0.1 because -t resolves names.
"""

from __future__ import annotations

import os
import re
import subprocess

import oracle
from lintrun import check

_HEADER = re.compile(r"^# configuration file (.+):$")


def _tree(tmp):
    p = str(tmp)
    files = {
        "nginx.conf": f"""worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {p}/tmp/body;
    proxy_temp_path {p}/tmp/proxy;
    fastcgi_temp_path {p}/tmp/fastcgi;
    uwsgi_temp_path {p}/tmp/uwsgi;
    scgi_temp_path {p}/tmp/scgi;
    include mime.types;
    include conf.d/*.conf;
    include {p}/sites-enabled/*;
    include nothing-here/*.conf;
}}
""",
        "mime.types": "types { text/html html; }\n",
        "uwsgi_params": "uwsgi_param QUERY_STRING $query_string;\nuwsgi_param REQUEST_METHOD $request_method;\n",
        "conf.d/b.conf": "upstream glance { server 127.0.0.1:60999; }\n",
        "conf.d/a.conf": """server {
    listen 127.0.0.1:18997;
    # relative to the prefix, not to conf.d/
    include snippets/common.conf;
    location /image { include uwsgi_params; uwsgi_pass glance; }
    location /x { include uwsgi_params; uwsgi_pass unix:/run/x.sock; }
}
""",
        "conf.d/.hidden.conf": "this is not nginx syntax and must not be read;\n",
        "conf.d/notes.txt": "not matched by *.conf\n",
        "snippets/common.conf": "client_max_body_size 0;\n",
        "sites-available/keystone": """server {
    listen 127.0.0.1:18998;
    location / { include uwsgi_params; uwsgi_pass 127.0.0.1:5001; }
}
""",
        "sites-available/unused": "server { listen 127.0.0.1:18999; }\n",
    }
    for rel, text in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp / "tmp").mkdir()
    (tmp / "sites-enabled").mkdir()
    os.symlink("../sites-available/keystone", tmp / "sites-enabled" / "keystone")
    return tmp / "nginx.conf"


def _dump(binary, tmp, conf):
    argv = [binary, "-p", f"{tmp}/", "-c", str(conf), "-e", "stderr", "-g", f"pid {tmp}/nginx.pid;", "-T"]
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr
    dumped: dict[str, list[str]] = {}
    current = None
    for line in res.stdout.splitlines():
        m = _HEADER.match(line)
        if m:
            current = m.group(1)
            dumped[current] = []
        elif current is not None:
            dumped[current].append(line)
    return {path: "\n".join(lines).rstrip("\n") for path, lines in dumped.items()}


def test_files_read_equal_nginx_dump(tmp_path):
    binary = oracle.nginx("nginx -T differential test")
    tmp = tmp_path.resolve()
    conf = _tree(tmp)
    dumped = _dump(binary, tmp, conf)
    result = check([conf], cwd=tmp)
    ours = {}
    for server in result.model.nginx:
        for f in server.config.files:
            ours[f.config_path] = f.source.text.rstrip("\n")
    # nginx names files as it opened them (the glob's path for sites-enabled/keystone)
    assert set(ours) == set(dumped), (sorted(ours), sorted(dumped))
    for path, text in dumped.items():
        assert ours[path] == text, path
    assert f"{tmp}/conf.d/.hidden.conf" not in ours
    assert [k for k, _ in result.files if k.endswith("uwsgi_params")] == ["uwsgi_params"]  # listed once
    assert not [f for f in result.findings if f.rule.id == "WSG001"]


def test_relative_include_is_relative_to_the_prefix(tmp_path):
    """`include snippets/common.conf` in conf.d/a.conf reads TMP/snippets, as nginx -T shows."""
    binary = oracle.nginx("nginx -T differential test")
    tmp = tmp_path.resolve()
    conf = _tree(tmp)
    (tmp / "conf.d" / "snippets").mkdir()
    (tmp / "conf.d" / "snippets" / "common.conf").write_text("client_max_body_size 1k;\n")
    dumped = _dump(binary, tmp, conf)
    assert f"{tmp}/snippets/common.conf" in dumped
    assert f"{tmp}/conf.d/snippets/common.conf" not in dumped
    result = check([conf], cwd=tmp)
    paths = {f.config_path for s in result.model.nginx for f in s.config.files}
    assert f"{tmp}/snippets/common.conf" in paths and f"{tmp}/conf.d/snippets/common.conf" not in paths


def test_missing_plain_include_is_refused_by_both(tmp_path):
    binary = oracle.nginx("nginx -T differential test")
    tmp = tmp_path.resolve()
    conf = _tree(tmp)
    conf.write_text(conf.read_text().replace("include mime.types;", "include missing.types;"))
    argv = [binary, "-p", f"{tmp}/", "-c", str(conf), "-e", "stderr", "-g", f"pid {tmp}/nginx.pid;", "-t"]
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20,
                         stdin=subprocess.DEVNULL)
    assert res.returncode != 0 and "missing.types" in res.stdout
    result = check([conf], cwd=tmp)
    hits = [(f.rule.name, f.line) for f in result.findings if f.rule.name == "include-not-found"]
    assert hits == [("include-not-found", 10)]
