"""How a chunked body can arrive at a route (wsgilint.rules._chain.arrivals), which WSG401 and WSG201 judge.

The real-server behaviour (nginx's default proxy_pass sends Content-Length to Apache; a streaming one
passes the chunks, and Apache answers 411) is measured in tests/test_proof_chain.py; this file checks
the walk over the front-end graph: fronts of fronts, the first hop that decides, loops, and its size.
"""
from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

from conftest import FIXTURES
from lintrun import check

from wsgilint.model.types import Hop
from wsgilint.rules._chain import arrivals

RULES = FIXTURES / "rules"
APACHE = ('Listen 127.0.0.1:8292\n<VirtualHost *:8292>\n'
          '    ProxyPass "/image" "unix:/run/uwsgi/glance-api.sock|uwsgi://glance-api/" retry=0\n</VirtualHost>\n')
INI = "[uwsgi]\nsocket = /run/uwsgi/glance-api.sock\nmodule = glance.wsgi.api:application\nprocesses = 4\n"
STREAM = "        proxy_request_buffering off;\n        proxy_http_version 1.1;\n"


def _nginx(listen: str, target_port: int, location: str = "") -> str:
    return (f"server {{\n    listen {listen};\n    client_max_body_size 0;\n    location /image {{\n{location}"
            f"        proxy_pass http://127.0.0.1:{target_port};\n    }}\n}}\n")


def _apache_arrival(tmp_path: Path, files: dict, nginx=None):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    result = check([tmp_path], cwd=tmp_path, select=["WSG401"], nginx=nginx)
    (route,) = [r for r in result.model.routes if r.kind == "proxy_uwsgi"]
    return arrivals(result.model)[id(route)], result


def test_fixture_behind_buffering_nginx_is_dechunked():
    case = RULES / "proxy-uwsgi-chunked-upload" / "good_behind_nginx"
    result = check([case], cwd=case.parent, select=["WSG401"])
    (route,) = [r for r in result.model.routes if r.kind == "proxy_uwsgi"]
    a = arrivals(result.model)[id(route)]
    assert (a.verdict, a.direct, a.streamed) == ("dechunked", False, False)
    assert a.dechunker.route.frontend == "nginx" and result.findings == []


def test_fronts_of_fronts_the_first_dechunking_hop_decides(tmp_path):
    # client -> nginx A (streams) -> nginx B on loopback (buffers) -> Apache on loopback
    files = {"apache/glance.conf": APACHE, "uwsgi/glance.ini": INI,
             "nginx/a.conf": _nginx("9292", 9393, STREAM), "nginx/b.conf": _nginx("127.0.0.1:9393", 8292)}
    a, result = _apache_arrival(tmp_path / "1", files)
    assert a.verdict == "dechunked" and result.findings == []
    # client -> nginx A (buffers) -> nginx B (streams) -> Apache: still Content-Length from A on
    files.update({"nginx/a.conf": _nginx("9292", 9393), "nginx/b.conf": _nginx("127.0.0.1:9393", 8292, STREAM)})
    a, result = _apache_arrival(tmp_path / "2", files)
    assert a.verdict == "dechunked" and result.findings == []
    # both stream: the error, and the hop next to Apache is named
    files["nginx/a.conf"] = _nginx("9292", 9393, STREAM)
    a, result = _apache_arrival(tmp_path / "3", files)
    assert a.verdict == "streamed" and not a.direct and a.streamed_by.route.path == "/image"
    assert [f.severity.label for f in result.findings] == ["error"]


def test_a_public_inner_front_is_a_way_in_of_its_own(tmp_path):
    # nginx B (streams) listens on every interface: clients reach it past the buffering nginx A
    files = {"apache/glance.conf": APACHE, "uwsgi/glance.ini": INI,
             "nginx/a.conf": _nginx("9292", 9393), "nginx/b.conf": _nginx("9393", 8292, STREAM)}
    a, result = _apache_arrival(tmp_path, files)
    assert a.verdict == "streamed" and a.dechunker is not None
    assert [f.severity.label for f in result.findings] == ["error"]


def test_unknown_nginx_version_is_a_warning_naming_it(tmp_path):
    files = {"apache/glance.conf": APACHE, "uwsgi/glance.ini": INI,
             "nginx/a.conf": _nginx("9292", 8292, "        proxy_request_buffering off;\n")}
    a, result = _apache_arrival(tmp_path / "unknown", files)
    assert a.verdict == "undecided" and a.undecided.chunked == "depends"
    (f,) = result.findings
    assert f.severity.label == "warning" and "1.29.7" in f.message and "nginx version unknown" in f.message
    a, result = _apache_arrival(tmp_path / "old", files, nginx="1.28.0")
    assert a.verdict == "dechunked" and result.findings == []
    a, result = _apache_arrival(tmp_path / "new", files, nginx="1.30.0")
    assert a.verdict == "streamed" and [f.severity.label for f in result.findings] == ["error"]


def test_a_loop_of_front_ends_ends(tmp_path):
    # Apache /loop (no front end in the check: a way in) -> nginx (buffers) -> Apache /image: Content-Length
    apache = APACHE.replace("</VirtualHost>", '    ProxyPass "/loop" "http://127.0.0.1:9393/image"\n</VirtualHost>')
    files = {"apache/glance.conf": apache, "uwsgi/glance.ini": INI, "nginx/a.conf": _nginx("127.0.0.1:9393", 8292)}
    a, result = _apache_arrival(tmp_path / "1", files)
    assert a.verdict == "dechunked" and result.findings == []
    # /image/loop is itself behind nginx: nginx -> Apache -> nginx, all on loopback, and no client reaches any
    files["apache/glance.conf"] = apache.replace('"/loop"', '"/image/loop"')
    a, result = _apache_arrival(tmp_path / "2", files)
    # no way in from clients at all: a proxy outside the check is assumed, and the error kept
    assert (a.verdict, a.streamed, a.dechunker) == ("streamed", False, None)
    assert [f.severity.label for f in result.findings] == ["error"]


def _fake(routes_by_layer, chunked: str):
    """Layers of routes, each route fronted by every route of the layer before: 2**layers ways in."""
    all_routes, previous = [], []
    for layer in range(routes_by_layer[0]):
        current = []
        for _ in range(routes_by_layer[1]):
            r = SimpleNamespace(front=tuple(previous), entry=not previous, hop=None)
            r.hop = Hop(r, chunked, False)
            current.append(r)
        all_routes += current
        previous = current
    last = previous[0]
    last.front = last.front + (last,)  # and a loop onto itself
    return SimpleNamespace(routes=all_routes), last


def test_linear_in_links_not_in_paths():
    model, last = _fake((40, 3), "rechunked")  # 3**39 paths: enumerating them would never end
    start = time.monotonic()
    a = arrivals(model)[id(last)]
    assert time.monotonic() - start < 2.0
    assert a.verdict == "streamed" and not a.direct
    model, last = _fake((40, 3), "content-length")
    assert arrivals(model)[id(last)].verdict == "dechunked"
