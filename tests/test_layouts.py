"""Distribution layouts and discovery: Debian (envvars, sites-enabled), Red Hat (conf.d), standard places."""

from __future__ import annotations

from conftest import FIXTURES
from lintrun import check

REDHAT = FIXTURES / "deployments" / "redhat"
EXAMPLE = FIXTURES / "example"


def test_redhat_layout_follows_serverroot_and_ifmodule():
    result = check([], root=REDHAT, cwd=REDHAT)
    files = [p for p, _ in result.files]
    assert files[:5] == [
        "etc/httpd/conf/httpd.conf",
        "etc/httpd/conf.modules.d/00-base.conf",
        "etc/httpd/conf.modules.d/00-mpm.conf",
        "etc/httpd/conf.modules.d/00-proxy.conf",
        "etc/httpd/conf.d/glance-api.conf",
    ]
    routes = result.model.routes
    # <IfModule mod_proxy_uwsgi.c> is true (loaded in conf.modules.d), its negation false.
    assert [(r.kind, r.directive.span.line) for r in routes] == [("proxy_uwsgi", 3)]
    assert routes[0].backend is not None and routes[0].service == "glance"
    got = {(f.rule.id, f.path, f.line) for f in result.findings}
    assert ("WSG401", "etc/httpd/conf.d/glance-api.conf", 3) in got


def test_no_path_reads_the_standard_places_under_root():
    result = check([], root=EXAMPLE, cwd=EXAMPLE)
    kinds = dict(result.files)
    assert kinds["etc/apache2/apache2.conf"] == "apache"
    assert kinds["etc/glance/glance-api-uwsgi.ini"] == "uwsgi"
    assert kinds["etc/heat/heat-api-uwsgi.ini"] == "uwsgi"
    assert kinds["etc/apache2/sites-available/swift-proxy.conf"] == "apache-inactive"
    # Debian envvars are Defines: no undefined ${APACHE_LOG_DIR} warnings.
    assert not [f for f in result.findings if f.rule.id == "WSG007"]


def test_inactive_site_content_is_not_reported_as_live():
    result = check([], root=EXAMPLE, cwd=EXAMPLE)
    swift = [f for f in result.findings if "swift-proxy.conf" in f.path]
    # The swift site lacks WSGIChunkedRequest On, but it is not enabled: only WSG204 speaks of it.
    assert [f.rule.id for f in swift] == ["WSG204"]


def test_single_fragment_does_not_invent_module_state():
    site = EXAMPLE / "etc/apache2/sites-available/cinder-api.conf"
    result = check([site], cwd=EXAMPLE)
    assert not [f for f in result.findings if f.rule.id == "WSG203"]
