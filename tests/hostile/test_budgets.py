"""One budget per check (wsgilint.limits.Budget), bounded regexes, linear paths.

Each budgeted construct is measured at 1x/2x/4x/8x by counting work (directives created,
files loaded, expanded characters) in-process; a construct whose work grows super-linearly
fails the ratio test. Hitting a budget is one WSG010 per kind. No absolute times.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from wsgilint import pipeline, saferegex
from wsgilint.config import _glob_regex, glob_match
from wsgilint.limits import Limits, budget_of
from wsgilint.pipeline import CheckOptions


def _check(root: Path, paths=(), **limits):
    opts = CheckOptions(paths=list(paths), root=str(root), detect_versions=False, limits=Limits(**limits))
    captured = {}
    orig = pipeline.FileSystem

    class _FS(orig):  # keep the check's FileSystem to read its budget afterwards
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            captured["fs"] = self

    pipeline.FileSystem = _FS
    try:
        res = pipeline.run(opts)
    finally:
        pipeline.FileSystem = orig
    return res, budget_of(captured["fs"])


def _wsg010(res) -> list:
    return [f for f in res.findings if f.rule.id == "WSG010"]


def _linear(work: list[int], slack: float = 1.5) -> None:
    """work[i] at size 2^i: each doubling may at most double the work (times slack)."""
    for a, b in zip(work, work[1:]):
        assert b <= 2 * slack * max(a, 1), f"work grew super-linearly: {work}"


def _apache_diamond(tmp: Path, depth: int, leaf: int) -> Path:
    a = tmp / "etc/apache2"
    a.mkdir(parents=True)
    (a / "apache2.conf").write_text("ServerName x\nInclude l0.conf\n")
    for i in range(depth):
        (a / f"l{i}.conf").write_text(f"Include l{i + 1}.conf\nInclude l{i + 1}.conf\n")
    (a / f"l{depth}.conf").write_text("Timeout 30\n" * leaf)
    return tmp


def test_apache_include_diamond_stops_at_the_directive_budget(tmp_path):
    res, b = _check(_apache_diamond(tmp_path, 16, 100), max_directives=20_000)
    assert b.used["max_directives"] > 20_000 and len(_wsg010(res)) == 1
    assert "max-directives" in _wsg010(res)[0].message
    # what was read before the budget ran out is still checked
    assert any(p.endswith("apache2.conf") for p, _ in res.files)


@pytest.mark.parametrize("depth", [6])
def test_include_diamond_work_is_bounded_by_the_budget_not_the_depth(tmp_path, depth):
    work = []
    for d in (depth, depth + 2, depth + 4, depth + 6):  # 4x the loads per step without a budget
        res, b = _check(_apache_diamond(tmp_path / str(d), d, 10), max_directives=3000)
        work.append(b.used["max_directives"])
    # the budget, plus the refused attempts (one per level above the file that crossed it)
    assert max(work) <= 3000 + 100, work
    assert work[-1] - work[1] < 100, work  # flat past the budget, though the loads grow 4x per step


def test_nginx_include_diamond_counts_every_include(tmp_path):
    n = tmp_path / "etc/nginx"
    n.mkdir(parents=True)
    (n / "nginx.conf").write_text("events {}\nhttp {\ninclude l0.conf;\n}\n")
    for i in range(20):
        (n / f"l{i}.conf").write_text(f"include l{i + 1}.conf;\ninclude l{i + 1}.conf;\n")
    (n / "l20.conf").write_text("server { listen 80; }\n")
    res, b = _check(tmp_path, max_files=500)
    assert len(_wsg010(res)) == 1 and "max-files" in _wsg010(res)[0].message


def test_directory_symlink_dag_enters_each_directory_once(tmp_path):
    def make(levels: int) -> Path:
        t = tmp_path / f"dag{levels}"
        a = t / "etc/apache2"
        for k in range(levels):
            (a / f"dag/d{k}").mkdir(parents=True)
        (a / "apache2.conf").write_text("ServerName x\nInclude dag/d0/\n")
        for k in range(levels - 1):
            for name in "ab":
                (a / f"dag/d{k}/{name}").symlink_to(f"../d{k + 1}")
        (a / f"dag/d{levels - 1}/x.conf").write_text("Timeout 30\n")
        return t

    work = []
    for levels in (3, 6, 12, 24):  # 2^24 paths without the visited set
        res, b = _check(make(levels))
        work.append(b.used["max_dirs"])
        assert not _wsg010(res)
    _linear(work)


def test_directory_budget_is_one_finding(tmp_path):
    a = tmp_path / "etc/apache2"
    for k in range(30):
        (a / f"d/s{k}").mkdir(parents=True)
    (a / "apache2.conf").write_text("ServerName x\nInclude d/\nIncludeOptional d/\n")
    res, b = _check(tmp_path, max_dirs=10)
    assert len(_wsg010(res)) == 1 and "max-dirs" in _wsg010(res)[0].message


def test_expansion_is_one_budget_per_check(tmp_path):
    def make(n: int) -> Path:
        t = tmp_path / f"e{n}"
        (t / "etc/apache2").mkdir(parents=True)
        (t / "etc/apache2/apache2.conf").write_text("ServerName x\nDefine A " + "x" * 1000 + "\n"
                                                    + "ServerAlias ${A}\n" * n)
        return t

    work = []
    for n in (50, 100, 200, 400):
        res, b = _check(make(n), max_expanded_bytes=120_000)
        work.append(b.used["max_expanded_bytes"])
    _linear(work)
    assert len(_wsg010(res)) == 1 and "max-expanded-bytes" in _wsg010(res)[0].message
    res, _ = _check(tmp_path / "e100")  # the same tree within the default budget
    assert not _wsg010(res)


def test_envvars_chain_spends_the_expansion_budget(tmp_path):
    a = tmp_path / "etc/apache2"
    a.mkdir(parents=True)
    (a / "apache2.conf").write_text("ServerName x\n")
    (a / "envvars").write_text("".join(f'export A{i}="$A{i - 1}"\'xxxxxxxxxx\'\n' for i in range(2000)))
    res, b = _check(tmp_path, max_expanded_bytes=100_000)
    assert b.used["max_expanded_bytes"] <= 100_000 + 64 * 1024
    assert len(_wsg010(res)) == 1


def test_uwsgi_for_blocks_share_one_budget(tmp_path):
    def make(blocks: int) -> Path:
        t = tmp_path / f"u{blocks}"
        t.mkdir()
        items = " ".join("x" for _ in range(1000))
        lines = ["[uwsgi]", "module = a:app", f"items = {items}"]
        lines += ["for = %(items)", "env = A=%(_)", "endfor ="] * blocks
        (t / "a.ini").write_text("\n".join(lines) + "\n")
        return t

    work = []
    for blocks in (1, 2, 4, 8):
        res, b = _check(make(blocks), paths=["/a.ini"], max_directives=5000)
        work.append(b.used.get("max_directives", 0))
    _linear(work)
    assert work[-1] <= 5000
    assert len(_wsg010(res)) == 1 and "max-directives" in _wsg010(res)[0].message


def test_max_files_stops_reading_and_is_reported_once(tmp_path):
    a = tmp_path / "etc/apache2/sites-available"
    u = tmp_path / "etc/uwsgi/apps-enabled"
    a.mkdir(parents=True)
    u.mkdir(parents=True)
    (tmp_path / "etc/apache2/apache2.conf").write_text("ServerName x\n")
    for i in range(40):
        (a / f"s{i}.conf").write_text(f"ServerName s{i}\n")
        (u / f"u{i}.ini").write_text("[uwsgi]\nmodule = x:app\n")
    res, b = _check(tmp_path, max_files=5)
    assert len(res.files) <= 5
    assert len(_wsg010(res)) == 1


def test_suppressions_are_indexed(tmp_path):
    def make(n: int) -> Path:
        t = tmp_path / f"s{n}"
        (t / "etc/apache2").mkdir(parents=True)
        (t / "etc/apache2/apache2.conf").write_text("ServerName x\n" + "# wsgilint: ignore[WSG003] r\n"
                                                    "Include /missing\n" * n)
        return t

    times = []
    for n in (500, 1000, 2000, 4000):
        t0 = time.perf_counter()
        res, _ = _check(make(n))
        times.append(time.perf_counter() - t0)
        assert not [f for f in res.findings if f.rule.id in ("WSG003", "WSG009")]
    # generous: a quadratic pairing is 4x per doubling; linear is ~2x (noise allowed)
    assert times[-1] <= 12 * times[0] + 0.5, times


def test_wsg405_message_is_capped(tmp_path):
    (tmp_path / "etc/apache2").mkdir(parents=True)
    (tmp_path / "etc/uwsgi/apps-enabled").mkdir(parents=True)
    mods = "LoadModule proxy_module x\nLoadModule proxy_http_module x\n"
    (tmp_path / "etc/apache2/apache2.conf").write_text(
        "ServerName x\n" + mods + "<VirtualHost *:80>\n"
        + "".join(f"ProxyPass /p{i} http://127.0.0.1:{20000 + i}/ retry=0\n" for i in range(50)) + "</VirtualHost>\n")
    (tmp_path / "etc/uwsgi/apps-enabled/a.ini").write_text(
        "[uwsgi]\nmodule = x:app\n" + "".join(f"http-socket = 10.0.0.1:{30000 + i}\n" for i in range(50)))
    res, _ = _check(tmp_path)
    msgs = [f.message for f in res.findings if f.rule.id == "WSG405"]
    assert msgs and all("and 45 more" in m and m.count("10.0.0.1:") == 5 for m in msgs)


# -- bounded regexes -------------------------------------------------------------------

@pytest.mark.parametrize("pattern", ["^/(a+)+$", "(a|a)*", "(a*)*b", "(x+x+)+y", "(" * 300 + ")" * 300,
                                     ".*" * 80 + "X"])
def test_catastrophic_patterns_are_refused(pattern):
    matched, refused = saferegex.search(pattern, "a" * 40, Limits().max_regex_work)
    assert refused and not matched


@pytest.mark.parametrize("pattern,subject,expected", [
    ("^2\\.4", "2.4.65", True), ("^/(api|v2)/.*$", "/api/x", True), ("^/static/.*\\.(css|js)$", "/static/a.js", True),
    ("(?i)^/(?:admin|login)(/.*)?$", "/ADMIN/x", True), ("^/x$", "/y", False), ("\\.php$", "/a.php", True),
])
def test_ordinary_patterns_match_as_re_does(pattern, subject, expected):
    assert saferegex.search(pattern, subject, Limits().max_regex_work) == (expected, False)


def test_regex_work_estimate_grows_polynomially_with_the_quantifiers():
    costs = [saferegex.cost(".*" * k + "X", 6) for k in (1, 2, 4, 16)]
    assert costs == sorted(costs) and costs[-1] > Limits().max_regex_work > costs[0]


def test_ifversion_redos_is_one_wsg010(tmp_path):
    (tmp_path / "etc/apache2").mkdir(parents=True)
    pat = ".*" * 80 + "X"
    (tmp_path / "etc/apache2/apache2.conf").write_text(
        f"ServerName x\n<IfVersion ~ {pat}>\nServerName y\n</IfVersion>\n<IfVersion ~ {pat}>\n</IfVersion>\n")
    res, _ = _check(tmp_path)
    assert len(_wsg010(res)) == 1 and "max-regex-work" in _wsg010(res)[0].message


def test_glob_matcher_agrees_with_the_regex_translation():
    import random

    rnd = random.Random(7)
    for _ in range(5000):
        p = "".join(rnd.choice("ab/*?.") for _ in range(rnd.randint(0, 8)))
        s = "".join(rnd.choice("ab/.") for _ in range(rnd.randint(0, 9)))
        p = p.removeprefix("./")
        ref = bool(_glob_regex(p).match(s)) or ("/" not in p and bool(_glob_regex(p).match(s.rsplit("/", 1)[-1])))
        assert glob_match(p, s) == ref, (p, s)


def test_glob_matcher_is_linear():
    t0 = time.perf_counter()
    assert not glob_match("*e" * 12 + "*Z", "e" * 200)
    assert time.perf_counter() - t0 < 5  # the backtracking regex needs hours here


def test_sniff_regexes_are_linear_on_blank_lines():
    from wsgilint import discover

    def steps(n: int) -> float:
        data = b"\n" * n
        t0 = time.perf_counter()
        for _ in range(5):
            assert discover._UWSGI_SECTION.search(data) is None
            assert discover._NGINX_HINT.search(data) is None
        return time.perf_counter() - t0

    small, big = steps(16384), steps(131072)
    assert big <= 8 * 4 * small + 0.05, (small, big)  # quadratic would be 64x
    assert discover._UWSGI_SECTION.search(b"\n\n  [uwsgi]\n")
    assert discover._NGINX_HINT.search(b"\n\nserver\n\n{\n")


def _calls(fn) -> int:
    """Python and C function calls made by ``fn()``: deterministic work, not time."""
    import sys

    n = 0

    def prof(frame, event, arg):
        nonlocal n
        if event in ("call", "c_call"):
            n += 1

    sys.setprofile(prof)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n


def test_location_scopes_are_linear(tmp_path):
    """One VirtualHost with n <Location /lI> and n ProxyPass /lI: each route looked at every Location
    (../shared/hostile/superlinear-location-scopes, ~n^2 calls); the index finds its own."""
    from wsgilint.fsroot import FileSystem
    from wsgilint.model.build import build_apache
    from wsgilint.resolve import apache as apache_resolve

    work = []
    for k in range(4):
        n = 100 * 2 ** k
        d = tmp_path / str(n)
        d.mkdir()
        (d / "apache2.conf").write_text(
            "ServerName x\nLoadModule proxy_module x\n<VirtualHost *:80>\n"
            + "".join(f"<Location /l{i}>\nRequire all granted\n</Location>\n" for i in range(n))
            + "<LocationMatch ^/l1>\nRequire all granted\n</LocationMatch>\n"
            + "".join(f"ProxyPass /l{i} http://127.0.0.1:8080/ retry=0\n" for i in range(n)) + "</VirtualHost>\n")
        cfg = apache_resolve.resolve(FileSystem(None), str(d / "apache2.conf"), defines={}, complete=True)
        server = None

        def build():
            nonlocal server
            server = build_apache(cfg)

        work.append(_calls(build))
        assert len(server.routes) == n
        r = server.routes[1]  # /l1: its own Location and the LocationMatch, not /l10.. (a prefix, not a parent)
        assert [s.args[0] for s in r.scopes if s.key.startswith("<location")] == ["/l1", "^/l1"]
    _linear(work)


def test_symlink_chain_is_resolved_once_per_check(tmp_path, monkeypatch):
    """A chain of 39 links padded with `d/..` met by every entry of conf.d re-walked the whole chain
    per entry (../shared/hostile/superlinear-symlink-chain); each link is resolved once per check,
    the kernel's 40-link limit still holds, and what is read is the chain's end."""
    import os

    from wsgilint.fsroot import FileSystem, ReadError

    def tree(root: Path, pad: int, entries: int) -> Path:
        a = root / "etc/apache2"
        (a / "conf.d").mkdir(parents=True)
        (a / "h/d").mkdir(parents=True)
        (a / "h/real.conf").write_text("Timeout 30\n")
        p = "d/.." + "/d/.." * pad
        for k in range(1, 39):
            os.symlink(f"{p}/l{k + 1}", a / f"h/l{k}")
        os.symlink(f"{p}/real.conf", a / "h/l39")
        for i in range(entries):
            os.symlink("../h/l1", a / f"conf.d/f{i}.conf")
        return root

    stats = 0
    real_stat = os.stat

    def counting(*a, **k):
        nonlocal stats
        stats += 1
        return real_stat(*a, **k)

    monkeypatch.setattr(os, "stat", counting)
    work = []
    for k in range(4):
        root = tree(tmp_path / str(k), 5 * 2 ** k, 5 * 2 ** k)  # input grows 2x per step
        fs = FileSystem(str(root))
        stats = 0
        for i in range(5 * 2 ** k):
            assert fs.read_text(f"/etc/apache2/conf.d/f{i}.conf")[0] == "Timeout 30\n"
        work.append(stats)
        fs.close()
    _linear(work)
    # 41 links: refused, also when the first 39 were resolved (and cached) before
    a = tmp_path / "0/etc/apache2"
    os.symlink("conf.d/f0.conf", a / "x1")
    os.symlink("x1", a / "x2")
    fs = FileSystem(str(tmp_path / "0"))
    assert fs.read_text("/etc/apache2/conf.d/f0.conf")[0] == "Timeout 30\n"  # f0 + l1..l39: 40 links, fine
    with open(a / "conf.d/f0.conf") as f:  # the kernel agrees
        assert f.read() == "Timeout 30\n"
    for name in ("x1", "x2"):  # 41, 42 links: the kernel says ELOOP, and so does wsgilint, cache or not
        with pytest.raises(OSError) as kernel:
            open(a / name).close()
        assert kernel.value.errno == 40  # ELOOP
        with pytest.raises(ReadError, match="too many levels of symbolic links"):
            fs.read_text(f"/etc/apache2/{name}")
