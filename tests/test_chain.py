"""The chain in front of a backend (wsgilint.model.chain): hops, their facts, linking, and unix:/// spellings.

The behaviours asserted here are measured on the real servers in tests/test_proof_chain.py (nginx) and
tests/test_proof_catalog_uwsgi.py (Apache re-chunking); this file checks the model says them.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from lintrun import check

from wsgilint import knowledge
from wsgilint.model.build import parse_proxy_target
from wsgilint.model.types import parse_uwsgi_address

RULES = FIXTURES / "rules"
GLANCE_INI = "[uwsgi]\nhttp-socket = {bind}\nmodule = glance.wsgi.api:application\nprocesses = 4\n"


def _tree(tmp_path: Path, files: dict) -> Path:
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def _nginx(location: str, target: str = "http://192.0.2.10:60999", server: str = "") -> str:
    return (f"server {{\n    listen 9292;\n    client_max_body_size 0;\n{server}    location / {{\n{location}"
            f"        proxy_pass {target};\n    }}\n}}\n")


def _hop(tmp_path, location: str, nginx=None):
    tree = _tree(tmp_path, {"glance.conf": _nginx(location), "glance-uwsgi.ini": GLANCE_INI.format(bind="192.0.2.10:60999")})
    result = check([tree], cwd=tree, nginx=nginx, select=["WSG110"])
    (route,) = result.model.routes
    return route.hop, result


def test_default_proxy_pass_buffers_and_sends_content_length(tmp_path):
    hop, result = _hop(tmp_path, "")
    assert (hop.chunked, hop.buffers, hop.body_limit, hop.read_timeout) == ("content-length", True, None, 60.0)
    assert hop.dechunks
    assert "buffers the body and sends Content-Length" in hop.describe()
    assert hop.describe().startswith("nginx proxy_pass at glance.conf:5")
    assert result.findings == []


def test_unbuffered_http11_proxy_pass_rechunks_from_its_body_buffer(tmp_path):
    hop, _ = _hop(tmp_path, "        proxy_request_buffering off;\n        proxy_http_version 1.1;\n")
    assert (hop.chunked, hop.buffers, hop.chunk_max) == ("rechunked", False, knowledge.NGINX_CLIENT_BODY_BUFFER_SIZE)


@pytest.mark.parametrize("nginx,expected", [(None, "depends"), ("1.22.1", "content-length"), ("1.30.0", "rechunked")])
def test_unbuffered_proxy_pass_without_http_version_depends_on_the_nginx_version(tmp_path, nginx, expected):
    hop, result = _hop(tmp_path, "        proxy_request_buffering off;\n", nginx=nginx)
    assert hop.chunked == expected
    if expected == "depends":
        assert "1.29.7" in hop.condition
        # no chunk-limit error on an unknown version: the default buffer is under the limit anyway
        assert result.findings == []


def test_unknown_version_with_a_big_buffer_is_a_warning_naming_the_condition(tmp_path):
    conf = _nginx("        proxy_request_buffering off;\n", server="    client_body_buffer_size 4m;\n")
    tree = _tree(tmp_path, {"glance.conf": conf, "glance-uwsgi.ini": GLANCE_INI.format(bind="192.0.2.10:60999")})
    found = check([tree], cwd=tree, select=["WSG110"]).findings
    assert [(f.rule.id, f.severity.label) for f in found] == [("WSG110", "warning")]
    assert "1.29.7" in found[0].message and "4194304" in found[0].message
    found = check([tree], cwd=tree, select=["WSG110"], nginx="1.30.0").findings
    assert [(f.rule.id, f.severity.label) for f in found] == [("WSG110", "error")]
    assert "nginx proxy_pass at glance.conf:" in found[0].message
    assert check([tree], cwd=tree, select=["WSG110"], nginx="1.22.1").findings == []


def test_uwsgi_pass_always_sends_content_length(tmp_path):
    conf = ("server {\n    listen 9292;\n    location / {\n        uwsgi_request_buffering off;\n"
            "        uwsgi_pass 127.0.0.1:60999;\n    }\n}\n")
    ini = "[uwsgi]\nsocket = 127.0.0.1:60999\nmodule = glance.wsgi.api:application\n"
    tree = _tree(tmp_path, {"glance.conf": conf, "glance-uwsgi.ini": ini})
    result = check([tree], cwd=tree, select=["WSG102"])
    (route,) = result.model.routes
    assert route.hop.chunked == "content-length"
    assert result.findings == []  # no socket-timeout, but the body arrives whole


def test_public_bind_behind_nginx_is_still_judged_as_a_warning(tmp_path):
    tree = _tree(tmp_path, {"glance.conf": _nginx("", target="http://127.0.0.1:60999"),
                            "glance-uwsgi.ini": GLANCE_INI.format(bind="0.0.0.0:60999")})
    result = check([tree], cwd=tree, select=["WSG110", "WSG102"])
    (bind,) = result.model.uwsgi[0].binds
    assert result.model.exposure(bind) == "public"
    got = [(f.rule.id, f.severity.label) for f in result.findings]
    assert ("WSG110", "warning") in got and ("WSG102", "warning") in got
    wsg110 = next(f for f in result.findings if f.rule.id == "WSG110")
    assert "connect to it directly rather than through nginx proxy_pass at glance.conf:" in wsg110.message


def test_apache_hops(tmp_path):
    conf = ("<Location /a>\n    SetEnv proxy-sendcl 1\n</Location>\nProxyPass /a http://127.0.0.1:8081\n"
            "ProxyPass /b http://127.0.0.1:8081\nProxyPass /c unix:/run/x.sock|uwsgi://x/\n")
    tree = _tree(tmp_path, {"site.conf": conf})
    hops = {r.path: r.hop for r in check([tree / "site.conf"], cwd=tree).model.routes}
    assert hops["/a"].chunked == "content-length" and hops["/a"].buffers
    assert hops["/b"].chunked == "rechunked" and hops["/b"].chunk_max == knowledge.APACHE_PROXY_CHUNK_SIZE
    assert hops["/c"].chunked == "refused"


def test_nginx_in_front_of_a_loopback_apache_is_the_only_way_in():
    case = RULES / "proxy-http-chunked-body" / "good_nginx_in_front"
    result = check([case], cwd=case.parent)
    routes = {r.frontend: r for r in result.model.routes}
    apache, nginx = routes["apache"], routes["nginx"]
    assert apache.front == (nginx,) and apache.entry is False
    assert nginx.hop.onward == "apache"
    (chain,) = apache.chains()
    assert [h.route for h in chain.hops] == [nginx, apache]
    assert chain.dechunker() is nginx.hop
    assert chain.describe() == ("client -> nginx proxy_pass at swift.conf:6 -> Apache ProxyPass at "
                                "swift-proxy.conf:4")
    assert not [f for f in result.findings if f.rule.id in ("WSG404", "WSG405")]


def test_a_public_apache_behind_nginx_is_also_reached_directly(tmp_path):
    case = RULES / "proxy-http-chunked-body" / "good_nginx_in_front"
    files = {str(p.relative_to(case)): p.read_text() for p in case.rglob("*") if p.is_file()}
    files["apache/swift-proxy.conf"] = files["apache/swift-proxy.conf"].replace("127.0.0.1:8090", "*:8090") \
        .replace("Listen *:8090", "Listen 8090")
    tree = _tree(tmp_path, files)
    result = check([tree], cwd=tree, select=["WSG404"])
    apache = next(r for r in result.model.routes if r.frontend == "apache")
    assert apache.entry is True and len(apache.chains()) == 2
    assert [f.rule.id for f in result.findings] == ["WSG404"]


@pytest.mark.parametrize("spelling", ["unix:///run/uwsgi/a.sock", "unix:/run/uwsgi/a.sock", "unix:/var/run//uwsgi/a.sock"])
def test_unix_socket_spellings_are_one_socket(spelling):
    bind = parse_uwsgi_address("/run/uwsgi/a.sock")
    _, apache_addr, _ = parse_proxy_target(spelling + "|uwsgi://x/")
    assert apache_addr.path == "/run/uwsgi/a.sock" and apache_addr.reaches(bind)


def test_nginx_unix_triple_slash_links_to_the_socket():
    case = RULES / "proxy-target-unserved" / "good_unix_triple_slash"
    result = check([case], cwd=case.parent, select=["WSG405"])
    assert {r.frontend: str(r.address) for r in result.model.routes} == {
        "apache": "unix:/run/uwsgi/heat-api.sock", "nginx": "unix:/run/uwsgi/heat-api.sock"}
    assert all(r.backend is not None for r in result.model.routes)
    assert result.findings == []
