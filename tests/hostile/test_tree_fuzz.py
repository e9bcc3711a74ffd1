"""Structure-aware tree fuzzer: whole Apache + uWSGI + nginx + suppressions + config trees,
each checked in a child process under a CPU-time and memory limit (resource.setrlimit).

Runs a few examples in CI; WSGILINT_FUZZ_EXAMPLES=N runs N (e.g. 2000) on demand.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

EXAMPLES = int(os.environ.get("WSGILINT_FUZZ_EXAMPLES", "15"))
CPU_S, MEM = 20, 1024 * 1024 * 1024

word = st.sampled_from(["x", "${A}", "%(a)", "(a+)+", ".*.*.*X", "/p", "l0.conf", "*", "d/", "80", "\n", "{", "}"])
apache_line = st.one_of(
    st.builds(lambda w: f"Define A {w * 50}", word), st.just("ServerAlias ${A} ${A}"),
    st.builds(lambda i: f"Include l{i}.conf", st.integers(0, 3)), st.just("IncludeOptional d/"),
    st.builds(lambda w: f"<IfVersion ~ {w}>\nTimeout 1\n</IfVersion>", word),
    st.builds(lambda w: f'<LocationMatch "{w}">\nRequire all granted\n</LocationMatch>', word),
    st.builds(lambda i: f"ProxyPass /p{i} http://127.0.0.1:{8000 + i}/", st.integers(0, 50)),
    st.just("# wsgilint: ignore[WSG003] r"), st.just("Include /missing"))
ini_line = st.one_of(st.just("for = %(items)"), st.just("env = A=%(_)"), st.just("endfor ="),
                     st.just("a = %(a)%(a)"), st.builds(lambda i: f"http-socket = 127.0.0.1:{8000 + i}", st.integers(0, 50)))
nginx_line = st.one_of(st.builds(lambda i: f"include l{i}.conf;", st.integers(0, 3)),
                       st.just("server { listen 80; location ~ (a+)+$ { proxy_pass http://127.0.0.1:1; } }"))


@st.composite
def trees(draw):
    files = {"etc/apache2/apache2.conf": "ServerName x\n" + "\n".join(draw(st.lists(apache_line, max_size=12)))}
    for i in range(4):
        files[f"etc/apache2/l{i}.conf"] = "\n".join(draw(st.lists(apache_line, max_size=6)))
        files[f"etc/nginx/l{i}.conf"] = "\n".join(draw(st.lists(nginx_line, max_size=4)))
    files["etc/apache2/d/a.conf"] = "Timeout 30\n"
    files["etc/nginx/nginx.conf"] = "events {}\nhttp {\n" + "\n".join(draw(st.lists(nginx_line, max_size=6))) + "\n}\n"
    files["etc/uwsgi/apps-enabled/a.ini"] = ("[uwsgi]\nmodule = x:app\na = xx\nitems = " + " ".join(["i"] * 200)
                                             + "\n" + "\n".join(draw(st.lists(ini_line, max_size=20))) + "\n")
    files[".wsgilint.toml"] = '[per-file-ignores]\n"' + draw(st.sampled_from(["*e*e*e*e*Z", "**/*.conf", "a?b"])) \
        + '" = ["WSG0"]\n'
    links = draw(st.booleans())
    return files, links


def _limits():
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_S, CPU_S))
    resource.setrlimit(resource.RLIMIT_AS, (MEM, MEM))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 15)
@given(trees())
def test_generated_trees_end_within_budget(tmp_path_factory, tree):
    files, links = tree
    root = tmp_path_factory.mktemp("tree")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    if links:
        (root / "etc/apache2/d/self").symlink_to("..")
        (root / "etc/apache2/d/up").symlink_to("../d")
    proc = subprocess.run([sys.executable, "-m", "wsgilint", "check", "--root", ".", "-f", "json", "--fail-on", "never"],
                          cwd=root, capture_output=True, text=True, preexec_fn=_limits, timeout=CPU_S * 3)
    assert proc.returncode in (0, 1), proc.stderr[-500:]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert '"WSG002"' not in proc.stdout
