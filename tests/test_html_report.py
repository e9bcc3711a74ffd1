"""`check --format html`: one file, opened in a real headless Chromium (Debian package chromium).

What Chromium shows: the page's script ran (under the report's own Content-Security-Policy, so a
hash mismatch or a blocked script would show), no console message at all, no network request
from the page (Chromium's own net log, page requests told apart by their file:// isolation key;
every host name resolves to nothing), and a screenshot whose pixels hold the map (the front-end
boxes' fill and the error edges' colour). A hostile tree (fixtures/map/hostile) proves that
config text stays text: its payloads would set data-pwned or the title if they ran.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import PROJECT
from oracle import find_binary, missing
from test_cli import run

from wsgilint.report import html as html_report

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
          "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-breakpad",
          "--disable-features=Translate,OptimizationHints,MediaRouter,SpellCheck",
          "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", "--window-size=1400,1000"]


def _report(tmp_path: Path, root: str, name: str = "report.html") -> Path:
    out = tmp_path / name
    proc = run("check", "--root", root, "--format", "html", "--output", str(out), "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    return out


def _chromium(tmp_path: Path, page: Path, *mode: str) -> tuple[str, str, list[str]]:
    """(stdout, log, URLs the page requested) of one headless run."""
    exe = find_binary("chromium") or find_binary("chromium-browser")
    if exe is None:
        missing("Chromium (Debian package chromium)", "the HTML report opened in a real browser")
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    netlog = tmp_path / f"{profile.name}.netlog.json"
    proc = subprocess.run([exe, *_FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}", *mode,
                           page.as_uri()], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr, _page_requests(netlog)


def _page_requests(netlog: Path) -> list[str]:
    """URLs of requests made from a file:// page (Chromium's own update/time checks are not)."""
    doc = json.loads(netlog.read_text())
    start = doc["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    out = []
    for ev in doc["events"]:
        p = ev.get("params") or {}
        if ev["type"] == start and str(p.get("network_isolation_key", "")).startswith("file://"):
            out.append(p.get("url", ""))
    return out


def _console(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line]


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif ctype == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
        prev = line
    return w, h, rows


def _count(rows: list[bytes], rgb: tuple[int, int, int], tol: int = 12) -> int:
    n = 0
    for row in rows:
        for x in range(0, len(row), 3):
            if abs(row[x] - rgb[0]) <= tol and abs(row[x + 1] - rgb[1]) <= tol and abs(row[x + 2] - rgb[2]) <= tol:
                n += 1
    return n


def test_example_in_chromium(tmp_path):
    page = _report(tmp_path, "fixtures/example")
    dom, log, requests = _chromium(tmp_path, page, "--dump-dom")
    assert _console(log) == []  # no error, no CSP violation, nothing logged
    assert requests == []
    assert 'data-ready="1"' in dom  # the script ran under the page's CSP
    assert dom.count('class="box ') == 16
    assert '<span id="shown">13</span>' in dom  # every finding shown once by file
    _, log, requests = _chromium(tmp_path, page, f"--screenshot={tmp_path / 'shot.png'}")
    assert _console(log) == [] and requests == []
    w, h, rows = _png_pixels(tmp_path / "shot.png")
    assert (w, h) == (1400, 1000)
    top = rows[: h // 2]  # the map is at the top of the page
    assert _count(top, (0xEE, 0xF4, 0xFF), tol=2) > 4 * 150 * 30  # four front-end boxes' fill
    assert _count(top, (0xCC, 0x00, 0x00), tol=40) > 100  # the two error edges


def test_hostile_config_stays_text(tmp_path):
    page = _report(tmp_path, "fixtures/map/hostile")
    text = page.read_text()
    # Static: exactly our two script elements, no <img>, nothing from the configs as a tag.
    tags: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)
            for k, _ in attrs:
                assert not k.startswith("on"), (tag, k)

    P().feed(text)
    assert tags.count("script") == 2 and "img" not in tags
    data = re.search(r'<script type="application/json" id="wsgilint-data">(.*?)</script>', text, re.S).group(1)
    assert "<" not in data and ">" not in data
    assert "</script><script>document.body.setAttribute('data-pwned','1')</script>" in json.loads(data)["nodes"]["rt1"]["label"]
    dom, log, requests = _chromium(tmp_path, page, "--dump-dom")
    assert "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]
    assert "<title>wsgilint report</title>" in dom
    assert 'data-ready="1"' in dom
    assert _console(log) == [] and requests == []


def test_no_network_even_if_markup_got_in(tmp_path):
    """The CSP is a second wall: a page with the report's head and an <img> to a host loads nothing."""
    page = _report(tmp_path, "fixtures/example")
    text = page.read_text().replace("<h2>Map</h2>", '<h2>Map</h2><img src="http://wsgilint.invalid/x.png">', 1)
    bad = tmp_path / "bad.html"
    bad.write_text(text)
    _, log, requests = _chromium(tmp_path, bad, "--dump-dom")
    assert requests == []
    assert any("Content Security Policy" in line for line in _console(log))  # refused, and said so


def test_large_tree_collapses_per_service(tmp_path):
    """More than MAX_BOXES boxes in a column: one box per service, with the count."""
    from types import SimpleNamespace

    from wsgilint import graph as graph_mod

    g = graph_mod.Graph()
    for i in range(3 * html_report.MAX_BOXES):
        svc = ("glance", "keystone", None)[i % 3]
        fe = g.add("frontend", f"Apache <VirtualHost *:{9000 + i}>", service=svc)
        rt = g.add("route", "/ proxy_uwsgi", service=svc)
        g.link(fe, rt)
    svg = html_report.svg(g)
    assert svg.count('class="box ') == 6  # 3 services x 2 columns
    assert "40 \u00d7 glance" in svg and "40 \u00d7 (service unknown)" in svg
    boxes, links, *_ = html_report.layout(g)
    assert sorted(c for _, _, c, _ in links) == [40, 40, 40]
    buf = __import__("io").StringIO()
    html_report.render(SimpleNamespace(findings=[], files=[], model=None), buf)
    assert buf.getvalue().startswith("<!DOCTYPE html>")


def test_deterministic(tmp_path):
    a = _report(tmp_path, "fixtures/deployments/nginx-debian-good", "a.html").read_bytes()
    b = _report(tmp_path, "fixtures/deployments/nginx-debian-good", "b.html").read_bytes()
    assert a == b
