"""Identity from evidence only (issue 15 items 1, 2, 6).

A Django app on port 8080 (the port swift uses) was taken for swift, which switched on the
upload rules: false errors. A port names no service now; an app that is not OpenStack gets
glance's protection only when the user's configuration describes it
([tool.wsgilint.apps.NAME]), and every finding says what its identity rests on.
"""

from __future__ import annotations

import json

import pytest
from test_cli import run

from wsgilint import config

# Rules that judge what an app does (uploads, long requests, large headers).
UPLOAD_RULES = {"WSG101", "WSG102", "WSG103", "WSG110", "WSG121", "WSG201", "WSG205", "WSG211", "WSG301",
                "WSG302", "WSG303", "WSG401", "WSG404"}

DJANGO_INI = """[uwsgi]
plugins = python3
http-socket = 127.0.0.1:8080
module = mysite.wsgi:application
master = true
harakiri = 30
socket-timeout = 4
"""
APACHE_SITE = """<VirtualHost *:80>
    ServerName shop.example.com
    Timeout 30
    ProxyPass / http://127.0.0.1:8080/ retry=0
</VirtualHost>
"""
NGINX_SITE = """server {
    listen 8080;
    location / {
        proxy_pass http://127.0.0.1:8080;
    }
}
"""


def _tree(tmp_path, apps: str = ""):
    """A project holding a rendered tree (Apache site, nginx site, the Django app's uWSGI ini)."""
    root = tmp_path / "rendered"
    for rel, text in {"etc/apache2/sites-enabled/shop.conf": APACHE_SITE,
                      "etc/nginx/conf.d/shop.conf": NGINX_SITE,
                      "etc/uwsgi/apps-enabled/shop.ini": DJANGO_INI}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (tmp_path / ".wsgilint.toml").write_text('[tool.wsgilint]\nhttpd-version = "2.4.62"\n' + apps)
    return root


def _findings(tmp_path, *paths: str) -> list[dict]:
    args = [f"rendered/{p}" for p in paths] or ["--root", "rendered"]
    proc = run("check", *args, "-f", "json", "--fail-on", "never", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["findings"]


PATHS = ("etc/apache2/sites-enabled/shop.conf", "etc/nginx/conf.d/shop.conf", "etc/uwsgi/apps-enabled/shop.ini")


def test_django_on_8080_is_not_swift(tmp_path):
    _tree(tmp_path)
    found = _findings(tmp_path, *PATHS)
    assert not [f for f in found if f["service"] is not None], found
    assert not [f for f in found if f["rule"] in UPLOAD_RULES], found
    assert not any("swift" in f["message"] for f in found)


APPS = """[tool.wsgilint.apps.shop]
match = ["mysite.wsgi:application"]
uploads = true
max-body = "10G"
long-requests = 900
"""


def test_the_same_app_described_by_the_user_gets_glances_protection(tmp_path):
    _tree(tmp_path, APPS)
    found = _findings(tmp_path, *PATHS)
    by_rule = {f["rule"]: f for f in found}
    # uWSGI: harakiri 30 kills uploads, socket-timeout 4 bounds chunked reads, one worker one thread;
    # Apache: Timeout 30 cuts long uploads, chunked bodies through mod_proxy_http; nginx: 1m body limit.
    assert {"WSG103", "WSG102", "WSG121", "WSG205", "WSG301"} <= set(by_rule), sorted(by_rule)
    assert by_rule["WSG103"]["service"] == by_rule["WSG102"]["service"] == "shop"
    for rule in ("WSG121", "WSG301"):
        f = by_rule[rule]
        assert f["service"] == "shop"
        assert "[tool.wsgilint.apps.shop] in .wsgilint.toml" in f["message"], f["message"]
    # The nginx route is linked to the app through its socket: identity from the backend, not the port.
    assert "matches mysite.wsgi:application" in by_rule["WSG301"]["message"]
    assert by_rule["WSG301"]["severity"] == "error"


def test_match_by_url_path_and_script(tmp_path):
    apps = '[tool.wsgilint.apps.shop]\nmatch = ["/upload*"]\nuploads = true\n'
    root = _tree(tmp_path, apps)
    (root / "etc/nginx/conf.d/shop.conf").write_text(NGINX_SITE.replace("location /", "location /uploads"))
    found = _findings(tmp_path, "etc/nginx/conf.d/shop.conf")
    assert [(f["rule"], f["service"]) for f in found if f["rule"] == "WSG301"] == [("WSG301", "shop")]
    assert "which matches URL path /uploads" in found[0]["message"] or any(
        "which matches URL path /uploads" in f["message"] for f in found)


GLANCE_INI = "[uwsgi]\nsocket = /run/uwsgi/glance-api.socket\nmodule = glance.wsgi.api:application\nprocesses = 4\n"
GLANCE_SITE = "<VirtualHost *:9292>\n    ProxyPass / unix:/run/uwsgi/glance-api.socket|uwsgi://glance-api/\n</VirtualHost>\n"


def test_glance_by_module_keeps_its_errors(tmp_path):
    root = tmp_path / "rendered"
    (root / "etc/apache2/sites-enabled").mkdir(parents=True)
    (root / "etc/glance").mkdir(parents=True)
    (root / "etc/apache2/sites-enabled/api.conf").write_text(GLANCE_SITE)
    (root / "etc/glance/glance-api-uwsgi.ini").write_text(GLANCE_INI)
    found = _findings(tmp_path, "etc/apache2/sites-enabled/api.conf", "etc/glance/glance-api-uwsgi.ini")
    wsg401 = [f for f in found if f["rule"] == "WSG401"]
    assert len(wsg401) == 1 and wsg401[0]["severity"] == "error"
    assert "known from module = glance.wsgi.api:application" in wsg401[0]["message"]


def test_url_path_alone_is_a_warning_that_says_so(tmp_path):
    root = tmp_path / "rendered"
    (root / "etc/apache2/sites-enabled").mkdir(parents=True)
    (root / "etc/apache2/sites-enabled/api.conf").write_text(
        "<VirtualHost *:80>\n    ProxyPass /image unix:/run/uwsgi/x.socket|uwsgi://x/\n</VirtualHost>\n")
    found = _findings(tmp_path, "etc/apache2/sites-enabled/api.conf")
    wsg401 = [f for f in found if f["rule"] == "WSG401"]
    assert len(wsg401) == 1 and wsg401[0]["severity"] == "warning", wsg401
    assert "known from URL path /image" in wsg401[0]["message"]
    assert "only the URL path /image says this is glance" in wsg401[0]["message"]
    assert not [f for f in found if f["severity"] == "error" and f["service"]], found


@pytest.mark.parametrize("body,needle", [
    ('[tool.wsgilint.apps.shop]\nmatch = ["a:b"]\nuplods = true\n', "'uplods' in [tool.wsgilint.apps.shop]"),
    ('[tool.wsgilint.apps.shop]\nmatch = ["a:b"]\nuploads = "yes"\n', "'tool.wsgilint.apps.shop.uploads' must be"),
    ('[tool.wsgilint.apps.shop]\nmatch = ["a:b"]\nmax-body = "10 gigs"\n', "'tool.wsgilint.apps.shop.max-body'"),
    ('[tool.wsgilint.apps.shop]\nmatch = ["a:b"]\nlong-requests = -1\n', "'tool.wsgilint.apps.shop.long-requests'"),
    ('[tool.wsgilint.apps.shop]\nuploads = true\n', "[tool.wsgilint.apps.shop] needs 'match'"),
    ('[tool.wsgilint.apps.shop]\nmatch = "a:b"\n', "'tool.wsgilint.apps.shop.match' must be"),
    ('[tool.wsgilint]\napps = 3\n', "'apps' must be a table"),
    ('[apps.shop]\nmatch = ["a:b"]\nbogus = 1\n', "'bogus' in [apps.shop]"),
])
def test_bad_app_config_is_exit_2_naming_the_key(tmp_path, body, needle):
    _tree(tmp_path)
    (tmp_path / ".wsgilint.toml").write_text(body)
    proc = run("check", "--root", "rendered", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    err = proc.stderr.strip()
    assert err.startswith("wsgilint: error:") and ".wsgilint.toml" in err and needle in err, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_sizes():
    assert config.parse_size("10G") == 10 * 1024 ** 3
    assert config.parse_size("512m") == 512 * 1024 ** 2
    assert config.parse_size("1048576") == 1048576
    assert config.parse_size("10 gigs") is None and config.parse_size("-1") is None
