"""Real-server proof for WSG212 (proxy-retry-default): when does httpd answer 503 after uWSGI is back?

For each route kind (mod_proxy_http to a uWSGI http-socket, mod_proxy_uwsgi over TCP, and over a
unix socket) one Apache serves nine routes, each to its own backend address of one uWSGI:

  group   configuration                                           measured on 2.4.71 (uWSGI 2.0.21)
  plain   ProxyPass /plain T                                      200 at once, no AH00959
  plainr  ProxyPass /plainr T retry=4                             200 at once, no AH00959
  bal     <Proxy balancer://bal> BalancerMember T                 200 at once (forced recovery), AH00959
  balr    the same, BalancerMember T retry=4                      200 at once, AH00959
  off     balancer, ProxySet forcerecovery=Off, no retry=         503 (AH01170), still after 4 s: 60 s
  offr    balancer, forcerecovery=Off, retry=4                    503, then 200 once 4 s have passed
  off0    balancer, forcerecovery=Off, retry=0 (the rule's fix)   200 at once
  stat    ProxyPass /stat T status=-I                             503 (AH00940), still after 4 s: 60 s
  statr   ProxyPass /statr T status=-I retry=4                    503, then 200 once 4 s have passed

Steps: with uWSGI down, one request per route (503 each: the failed connect); then uWSGI starts,
and as soon as it listens every route gets a request; the retry=4 routes are polled until they
answer 200. WSG212 is linted on the very same site text: it fires exactly on `off` and `stat`, the
routes without retry= that stay at 503 once uWSGI is back, and on nothing else.

Why (apache/httpd@d9f456d5ba8d:modules/proxy/proxy_util.c, first in 2.4.21): every worker outside
a balancer gets PROXY_WORKER_IGNORE_ERRORS, which ap_proxy_connect_backend respects (no AH00959)
and ap_proxy_retry_worker honours (retry at once); `status=-I` clears it again. A balancer whose
members are all in error forces their recovery unless forcerecovery=Off
(apache/httpd@fc05096631e4:modules/proxy/mod_proxy_balancer.c, 2.4.2).

Missing binaries: loud skip, or failure with WSGILINT_REQUIRE_ORACLES=1 (tests/oracle.py).
Bounded: SIGALRM per test on top of the harness's own timeouts.
"""
from __future__ import annotations

import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import stack  # noqa: E402
from lintrun import check  # noqa: E402
from proofkit import need_apache, need_uwsgi, time_limit  # noqa: E402

RETRY = 4  # seconds: the short window of the *r groups
TEST_BUDGET = 40  # seconds per test, servers included
CLIENT_TIMEOUT = 10.0
KINDS = ("http", "uwsgi", "unix")
GROUPS = ("plain", "plainr", "bal", "balr", "off", "offr", "off0", "stat", "statr")
AT_ONCE = {"plain", "plainr", "bal", "balr", "off0"}  # 200 on the first request after uWSGI is back
WINDOW = {"offr", "statr"}  # 503, then 200 once RETRY seconds have passed
STUCK = {"off", "stat"}  # 503 for the default retry (60 s): longer than this test waits
DISABLED = {"bal", "balr", "off", "offr", "off0", "stat", "statr"}  # AH00959 logged for these
FIRES = {"off", "stat"}  # what WSG212 must report


@pytest.fixture(autouse=True)
def _time_bound():
    with time_limit(TEST_BUDGET):
        yield


def _backends(kind: str, tmp_path) -> dict[str, tuple[str, str, str]]:
    """group -> (ProxyPass target, uWSGI socket line, worker id as AH00959 prints it)."""
    out = {}
    for g in GROUPS:
        if kind == "unix":
            sock = str(tmp_path / f"{g}.sock")
            out[g] = (f"unix:{sock}|uwsgi://{g}/", f"socket = {sock}", f"{g}:0")
        else:
            port = oracle.free_port()
            scheme, key = ("http", "http-socket") if kind == "http" else ("uwsgi", "socket")
            out[g] = (f"{scheme}://127.0.0.1:{port}/", f"{key} = 127.0.0.1:{port}", f"127.0.0.1:{port}")
    return out


def _site(backends) -> str:
    t = {g: backends[g][0] for g in GROUPS}
    return f"""\
ProxyPass /plain/ {t['plain']}
ProxyPass /plainr/ {t['plainr']} retry={RETRY}
<Proxy balancer://bal>
    BalancerMember {t['bal']}
</Proxy>
ProxyPass /bal/ balancer://bal/
<Proxy balancer://balr>
    BalancerMember {t['balr']} retry={RETRY}
</Proxy>
ProxyPass /balr/ balancer://balr/
<Proxy balancer://off>
    BalancerMember {t['off']}
    ProxySet forcerecovery=Off
</Proxy>
ProxyPass /off/ balancer://off/
<Proxy balancer://offr>
    BalancerMember {t['offr']} retry={RETRY}
    ProxySet forcerecovery=Off
</Proxy>
ProxyPass /offr/ balancer://offr/
<Proxy balancer://off0>
    BalancerMember {t['off0']} retry=0
    ProxySet forcerecovery=Off
</Proxy>
ProxyPass /off0/ balancer://off0/
ProxyPass /stat/ {t['stat']} status=-I
ProxyPass /statr/ {t['statr']} status=-I retry={RETRY}
"""


def _ini(backends) -> str:
    sockets = "\n".join(backends[g][1] for g in GROUPS)
    return f"[uwsgi]\nplugins = python3\n{sockets}\nwsgi-file = @@APP_PY@@\nmaster = true\nprocesses = 1\n"


def _line_of(text: str, needle: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


@pytest.mark.parametrize("kind", KINDS)
def test_wsg212_lint_verdict_matches_the_measured_503_window(kind, tmp_path):
    backends = _backends(kind, tmp_path)
    site = _site(backends)

    # The rule, on the same text: only the routes that stay at 503 without retry=.
    conf = tmp_path / "site-lint.conf"
    conf.write_text(site)
    want = sorted(_line_of(site, backends[g][0]) for g in FIRES)
    for httpd in (None, "2.4.71"):
        result = check([conf], cwd=tmp_path, select=["WSG212"], httpd=httpd)
        assert sorted(f.line for f in result.findings) == want, (httpd, [f.message for f in result.findings])
    # Before 2.4.21 no worker was exempt: then the plain routes without retry= are reported too.
    result = check([conf], cwd=tmp_path, select=["WSG212"], httpd="2.4.20")
    assert sorted(f.line for f in result.findings) == sorted(
        want + [_line_of(site, backends["plain"][0])]), [f.message for f in result.findings]

    need_apache("WSG212 proof")
    need_uwsgi("WSG212 proof")
    mods = ["proxy", "proxy_http", "proxy_uwsgi", "proxy_balancer", "slotmem_shm", "lbmethod_byrequests"]
    with stack.apache(tmp_path, site, modules=mods) as web:
        # uWSGI down: every route fails its connect once.
        for g in GROUPS:
            if g in WINDOW:
                continue
            r = stack.get(web.url_for(f"/{g}/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 503, (g, r, web.logs_report())
        failed_after = time.monotonic()  # error_time of the WINDOW routes is no earlier than this
        for g in sorted(WINDOW):
            r = stack.get(web.url_for(f"/{g}/"), timeout=CLIENT_TIMEOUT)
            assert r.status == 503, (g, r, web.logs_report())
        failed_before = time.monotonic()

        with stack.uwsgi(tmp_path, _ini(backends), name="uwsgi-retry") as uw:
            first = {g: stack.get(web.url_for(f"/{g}/"), timeout=CLIENT_TIMEOUT).status for g in GROUPS}
            if time.monotonic() >= failed_after + RETRY:
                pytest.fail(f"uWSGI took over {RETRY} s to come up: the retry={RETRY} window was over "
                            f"before it could be observed\n{uw.logs_report()}")
            assert first == {g: 200 if g in AT_ONCE else 503 for g in GROUPS}, (first, web.logs_report())

            # The retry=4 routes come back once their window is over; 60 s ones do not.
            deadline = failed_before + RETRY + 6
            pending = set(WINDOW)
            while pending and time.monotonic() < deadline:
                time.sleep(0.25)
                pending = {g for g in pending
                           if stack.get(web.url_for(f"/{g}/"), timeout=CLIENT_TIMEOUT).status != 200}
            assert not pending, (pending, web.logs_report())
            for g in sorted(STUCK):
                r = stack.get(web.url_for(f"/{g}/"), timeout=CLIENT_TIMEOUT)
                assert r.status == 503, (g, r, web.logs_report())
            for g in sorted(AT_ONCE):
                r = stack.get(web.url_for(f"/{g}/"), timeout=CLIENT_TIMEOUT)
                assert r.status == 200 and r.json["ini"], (g, r)
        log = web.error_log_text()

    disabled = dict(re.findall(r"AH00959: ap_proxy_connect_backend disabling worker for \(([^)]*)\) for (\d+)s", log))
    want_disabled = {backends[g][2]: str(RETRY if g.endswith("r") else 0 if g == "off0" else 60)
                     for g in sorted(DISABLED)}
    assert disabled == want_disabled, log
    assert "AH00940" in log and "disabled connection for (%s)" % backends["stat"][2] in log, log
    assert "AH01170: balancer://off: All workers are in error state" in log, log
    assert "AH01170: balancer://bal:" not in log, log
