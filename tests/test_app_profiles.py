"""The user's app profiles ([tool.wsgilint.apps.NAME]) are the thresholds of the body-limit,
timeout and header-buffer rules.

`max-body` replaces the built-in 1 GiB of WSG301 (nginx client_max_body_size, default 1m) and
WSG211 (Apache LimitRequestBody, default 1 GiB since 2.4.54) and is what WSG125 compares uWSGI's
limit-post with; `long-requests` replaces the built-in timeouts of WSG103 (harakiri), WSG303
(nginx read timeouts), WSG205 (Apache Timeout/ProxyTimeout/timeout=) and WSG112 (the router's
http-timeout); `large-headers` switches on WSG304 and WSG216. Real config files in a tmp tree,
through the CLI (JSON) and through the library (config.load + pipeline.run).
"""

from __future__ import annotations

import json

import pytest
from test_cli import run

from wsgilint import config, pipeline
from wsgilint.targets import Targets

INI = """[uwsgi]
plugins = python3
socket = /run/uwsgi/shop.sock
chmod-socket = 666
http = 127.0.0.1:8081
module = shop.wsgi:application
master = true
processes = 4
harakiri = 300
http-timeout = 300
limit-post = 1073741824
"""
NGINX = """server {
    listen 80;
    location / {
        include uwsgi_params;
        client_max_body_size 2g;
        uwsgi_read_timeout 300s;
        uwsgi_pass unix:/run/uwsgi/shop.sock;
    }
}
"""
APACHE = """<VirtualHost *:8080>
    Timeout 300
    LimitRequestBody 2147483647
    ProxyPass / unix:/run/uwsgi/shop.sock|uwsgi://shop/
</VirtualHost>
"""
FILES = {"etc/uwsgi/apps-enabled/shop.ini": INI, "etc/nginx/conf.d/shop.conf": NGINX,
         "etc/apache2/sites-enabled/shop.conf": APACHE}
SOURCE = "[tool.wsgilint.apps.shop] in .wsgilint.toml"


def _tree(tmp_path, app: str, httpd: str | None = "2.4.62", **replace: tuple[str, str]) -> list[str]:
    """rendered/... holding FILES (``replace``: file key -> (old, new)), and a .wsgilint.toml whose
    [tool.wsgilint.apps.shop] holds ``app`` (its keys other than match). Returns the paths to check."""
    (tmp_path / ".git").mkdir(exist_ok=True)  # the repository's root: no config above it applies
    paths = []
    for rel, text in FILES.items():
        for old, new in [v for k, v in replace.items() if k in rel]:
            assert old in text, (rel, old)
            text = text.replace(old, new)
        p = tmp_path / "rendered" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(f"rendered/{rel}")
    head = f'[tool.wsgilint]\nhttpd-version = "{httpd}"\n' if httpd else "[tool.wsgilint]\n"
    (tmp_path / ".wsgilint.toml").write_text(
        head + '[tool.wsgilint.apps.shop]\nmatch = ["shop.wsgi:application"]\n' + app)
    return paths


def _cli(tmp_path, paths, select: str) -> dict[str, list[dict]]:
    proc = run("check", *paths, "--select", select, "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, list[dict]] = {}
    for f in json.loads(proc.stdout)["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


def _lib(tmp_path, paths, select: str) -> dict[str, list]:
    from wsgilint import engine, registry

    cfg = config.load(str(tmp_path / ".wsgilint.toml"), cwd=str(tmp_path))
    opts = pipeline.CheckOptions(paths=[str(tmp_path / p) for p in paths], apps=cfg.apps,
                                 targets=Targets.given(httpd=cfg.httpd_version),
                                 engine=engine.EngineOptions(selected=registry.select(select.split(","))))
    out: dict[str, list] = {}
    for f in pipeline.run(opts).findings:
        out.setdefault(f.rule.id, []).append(f)
    return out


BODY = "WSG301,WSG211,WSG125"
TIME = "WSG103,WSG303,WSG205,WSG112"


# ---- max-body --------------------------------------------------------------------------------

def test_max_body_above_every_limit_is_reported_with_where_it_was_set(tmp_path):
    paths = _tree(tmp_path, 'max-body = "5G"\n')
    found = _cli(tmp_path, paths, BODY)
    assert sorted(found) == ["WSG125", "WSG211", "WSG301"], found
    for rule, path, line, limit in (("WSG301", "nginx/conf.d/shop.conf", 5, "client_max_body_size 2g"),
                                    ("WSG211", "apache2/sites-enabled/shop.conf", 3, "LimitRequestBody 2147483647"),
                                    ("WSG125", "uwsgi/apps-enabled/shop.ini", 11, "limit-post 1073741824")):
        [f] = found[rule]
        assert (f["path"], f["line"]) == (f"rendered/etc/{path}", line), f
        assert f["severity"] == "error" and f["service"] == "shop", f
        assert limit in f["message"] and f"max-body 5G ({SOURCE})" in f["message"], f["message"]
    lib = _lib(tmp_path, paths, BODY)
    shown = str(tmp_path) + "/"  # the library names files as given (absolute here), the CLI relative to cwd
    assert {k: [(f.line, f.message.replace(shown, "")) for f in v] for k, v in lib.items()} == {
        k: [(f["line"], f["message"]) for f in v] for k, v in found.items()}


def test_max_body_within_every_limit_is_quiet(tmp_path):
    # 1G: nginx's 2g, Apache's 2147483647 and uWSGI's 1073741824 all take it; the app takes uploads.
    paths = _tree(tmp_path, 'max-body = "1G"\nuploads = true\n')
    assert _cli(tmp_path, paths, BODY) == {}
    assert _lib(tmp_path, paths, BODY) == {}


def test_max_body_replaces_the_built_in_threshold_both_ways(tmp_path):
    small = {"nginx": ("client_max_body_size 2g", "client_max_body_size 512m"),
             "apache2": ("LimitRequestBody 2147483647", "LimitRequestBody 536870912")}
    # uploads without max-body: 512m / 512 MiB are below the built-in 1 GiB
    paths = _tree(tmp_path, "uploads = true\n", **small)
    assert sorted(_cli(tmp_path, paths, BODY)) == ["WSG211", "WSG301"]
    # the user says 100M is the largest body: the same limits are enough
    paths = _tree(tmp_path, 'max-body = "100M"\n', **small)
    assert _cli(tmp_path, paths, BODY) == {}
    # 2g is over the built-in 1 GiB (quiet for uploads), under the declared 3G (reported)
    paths = _tree(tmp_path, "uploads = true\n")
    assert "WSG301" not in _cli(tmp_path, paths, BODY)
    paths = _tree(tmp_path, 'max-body = "3G"\n')
    assert [f["line"] for f in _cli(tmp_path, paths, BODY)["WSG301"]] == [5]


@pytest.mark.parametrize("max_body,reported", [("512K", False), ("1M", False), ("2M", True)])
def test_nginx_default_1m_against_max_body(tmp_path, max_body, reported):
    paths = _tree(tmp_path, f'max-body = "{max_body}"\n', nginx=("        client_max_body_size 2g;\n", ""))
    found = _cli(tmp_path, paths, "WSG301")
    if not reported:
        assert found == {}, found
        return
    [f] = found["WSG301"]
    assert f["line"] == 6 and f["severity"] == "error", f  # the uwsgi_pass line
    assert "nginx's default 1m" in f["message"] and f"max-body 2M ({SOURCE})" in f["message"], f["message"]


@pytest.mark.parametrize("httpd,max_body,severity", [
    ("2.4.62", "5G", "error"),     # the 1 GiB default (2.4.54+) is below 5G
    ("2.4.62", "1G", None),        # ... and takes 1G
    ("2.4.52", "5G", None),        # before 2.4.54 the default is 0, unlimited
    (None, "5G", "warning"),       # version unknown: the message names the condition
])
def test_apache_default_limit_against_max_body(tmp_path, httpd, max_body, severity):
    paths = _tree(tmp_path, f'max-body = "{max_body}"\n', httpd=httpd,
                  apache2=("    LimitRequestBody 2147483647\n", ""))
    found = _cli(tmp_path, paths, "WSG211")
    if severity is None:
        assert found == {}, found
        return
    [f] = found["WSG211"]
    assert f["severity"] == severity and f"max-body {max_body} ({SOURCE})" in f["message"], f
    assert "2.4.54" in f["message"], f["message"]


def test_limit_post_zero_is_no_limit(tmp_path):
    paths = _tree(tmp_path, 'max-body = "5G"\n', uwsgi=("limit-post = 1073741824", "limit-post = 0"))
    assert "WSG125" not in _cli(tmp_path, paths, BODY)


# ---- long-requests ---------------------------------------------------------------------------

def test_long_requests_above_every_timeout_is_reported(tmp_path):
    # long-requests alone (no uploads): before, none of these rules looked at this app
    paths = _tree(tmp_path, "long-requests = 600\n")
    found = _cli(tmp_path, paths, TIME)
    assert sorted(found) == ["WSG103", "WSG112", "WSG205", "WSG303"], found
    for rule, line, what in (("WSG103", 9, "harakiri 300s"), ("WSG112", 10, "http-timeout 300"),
                             ("WSG205", 2, "Timeout 300s"), ("WSG303", 6, "uwsgi_read_timeout 300s")):
        [f] = found[rule]
        assert f["line"] == line and f["severity"] == "warning" and f["service"] == "shop", f
        assert what in f["message"] and f"long-requests = 600 ({SOURCE})" in f["message"], f["message"]
    assert sorted(_lib(tmp_path, paths, TIME)) == sorted(found)


def test_long_requests_within_every_timeout_is_quiet_even_for_uploads(tmp_path):
    # uploads alone: harakiri 300 is under the built-in 600 s (WSG103)
    paths = _tree(tmp_path, "uploads = true\n")
    assert sorted(_cli(tmp_path, paths, TIME)) == ["WSG103"]
    # the user says no request takes over 300 s: every timeout of 300 is enough
    paths = _tree(tmp_path, "uploads = true\nlong-requests = 300\n")
    assert _cli(tmp_path, paths, TIME) == {}
    assert _lib(tmp_path, paths, TIME) == {}


def test_long_requests_judges_defaults(tmp_path):
    # no uwsgi_read_timeout (nginx's 60s) and no http-timeout (uWSGI's 60) under long-requests = 120
    paths = _tree(tmp_path, "long-requests = 120\n", nginx=("        uwsgi_read_timeout 300s;\n", ""),
                  uwsgi=("http-timeout = 300\n", ""))
    found = _cli(tmp_path, paths, TIME)
    assert sorted(found) == ["WSG112", "WSG303"], found
    assert "nginx's default 60s" in found["WSG303"][0]["message"]
    assert "http-timeout 60s (the default)" in found["WSG112"][0]["message"]
    assert found["WSG112"][0]["severity"] == "warning"
    # and under long-requests = 60 the defaults are enough
    paths = _tree(tmp_path, "long-requests = 60\n", nginx=("        uwsgi_read_timeout 300s;\n", ""),
                  uwsgi=("http-timeout = 300\n", ""))
    assert _cli(tmp_path, paths, TIME) == {}


# ---- large-headers ---------------------------------------------------------------------------

HEADERS = "WSG107,WSG216,WSG304"


@pytest.mark.parametrize("large", [True, False])
def test_large_headers_switches_the_header_buffer_rules(tmp_path, large):
    # buffer-size 65535 in uWSGI, Apache's LimitRequestFieldSize default 8190 (WSG216),
    # nginx's large_client_header_buffers default 4 8k (WSG304)
    paths = _tree(tmp_path, f"large-headers = {str(large).lower()}\n",
                  uwsgi=("master = true\n", "master = true\nbuffer-size = 65535\n"))
    found = _cli(tmp_path, paths, HEADERS)
    if large:
        assert sorted(found) == ["WSG216", "WSG304"], found
        assert found["WSG216"][0]["path"] == "rendered/etc/apache2/sites-enabled/shop.conf"
        assert "large_client_header_buffers" in found["WSG304"][0]["message"]
    else:
        assert found == {}, found
    assert sorted(_lib(tmp_path, paths, HEADERS)) == sorted(found)


@pytest.mark.parametrize("large", [True, False])
def test_uwsgi_buffer_size_rule_does_not_read_large_headers(tmp_path, large):
    # WSG107 judges every app with a loader (uWSGI's 4096 default drops large headers whatever the
    # app): large-headers neither switches it on nor off.
    paths = _tree(tmp_path, f"large-headers = {str(large).lower()}\n")
    assert [f["line"] for f in _cli(tmp_path, paths, HEADERS).get("WSG107", [])] == [6]


# ---- the real server: uWSGI's limit-post (WSG125's proof) ------------------------------------

@pytest.fixture(params=("debian", "pip"))
def uwsgi_bin(request):
    import oracle

    return oracle.uwsgi_binary(request.param, "limit-post proof")


def test_limit_post_drops_larger_bodies(tmp_path, uwsgi_bin):
    import oracle
    import stack

    ini = ("[uwsgi]\n%s\nhttp-socket = 127.0.0.1:@@UPORT@@\nwsgi-file = @@APP_PY@@\nmaster = true\n"
           "processes = 1\nlimit-post = %%d\n" % uwsgi_bin.ini_plugins())
    with stack.uwsgi(tmp_path, ini % 1000, {"UPORT": oracle.free_port()}, name="small", binary=uwsgi_bin) as u:
        small = stack.post_sized(u.url + "/", 500)
        large = stack.post_sized(u.url + "/", 2000)
        log = u.log_text()
    assert small.status == 200 and small.json["bytes"] == 500, small
    assert large.status is None, large  # no response at all: the connection is closed
    assert "Invalid (too big) CONTENT_LENGTH" in log, stack.tail(log)
    with stack.uwsgi(tmp_path, ini % 4096, {"UPORT": oracle.free_port()}, name="fixed", binary=uwsgi_bin) as u:
        fixed = stack.post_sized(u.url + "/", 2000)
    assert fixed.status == 200 and fixed.json["bytes"] == 2000, fixed
