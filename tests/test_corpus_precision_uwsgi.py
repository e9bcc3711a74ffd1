"""Precision of the uWSGI caveat rules (WSG107-WSG120) on the real corpus (../shared/corpus).

Every parseable uWSGI file (not marked TEMPLATE in SOURCES.md) is linted alone
and the set of section-C rule ids it gets is compared with EXPECTED, written
from SOURCES.md's notes for that file. Where a rule fires on something
SOURCES.md does not mention, the reason (the server's behaviour) is written
next to it; `# extra:` marks those. The devstack inis (derived/devstack) must
stay free of warnings and errors from these rules.
"""
from __future__ import annotations

import pytest
from conftest import CORPUS
from lintrun import check

from wsgilint.findings import Severity

MINE = {f"WSG{n}" for n in range(107, 130)}

# WSG119's all-interfaces part fires only when a front end in the check proxies to the bind (there is a
# proxy to bypass): the barbican, deb-keystone, sapcc and aodh inis are checked alone, so their
# "all interfaces" notes in SOURCES.md are no longer reported (a pod's or the init script's own
# listener is the endpoint itself; the field test judged such findings false).
EXPECTED = {
    # SOURCES: all interfaces; deprecated `lazy`; no buffer-size (4096); plugins=python.
    "barbican/etc/barbican/vassals/barbican-api.ini": {"WSG113", "WSG107", "WSG116"},
    # SOURCES: :5000 all interfaces; no buffer-size; plugin=python.
    # extra: WSG113 (master + no lazy-apps), WSG120 (processes without thunder-lock),
    # WSG117 (`name` is refused by 2.0.21 strict mode: "unknown config directive: name").
    "debian/deb-keystone/debian/keystone-public.ini": {"WSG107", "WSG116", "WSG113", "WSG117", "WSG120"},
    # devstack: router-only options on http-socket (info; measured no effect); chmod-socket 666 (info).
    "derived/devstack/glance-api-uwsgi.ini": {"WSG111"},
    "derived/devstack/keystone-api-uwsgi.ini": {"WSG119"},
    # SOURCES: router-only options (no effect); plugins=python; chunked-input-limit default 1MB.
    # WSG110 is not expected: the bind is 127.0.0.1 (a local proxy; Apache re-chunks, measured).
    "glance/httpd/glance-api-uwsgi.ini": {"WSG111", "WSG116"},
    # SOURCES: http router (Pike). extra: WSG112 info (router, no http-timeout); plugins=python.
    "glance/httpd@15.0.2-pike/glance-api-uwsgi.ini": {"WSG112", "WSG116"},
    "glance/httpd@623492cc2/glance-api-uwsgi.ini": {"WSG112", "WSG116"},
    # SOURCES: port 80998/80999 > 65535; plugins=python; router options; no http-timeout.
    "heat/etc/heat/uwsgi/heat-api-cfn-uwsgi.ini": {"WSG112", "WSG116", "WSG118"},
    "heat/etc/heat/uwsgi/heat-api-uwsgi.ini": {"WSG112", "WSG116", "WSG118"},
    "heat/heat/httpd/files/heat-api-uwsgi.ini": {"WSG112", "WSG116", "WSG118"},
    # SOURCES: plugins=python; good buffer-size, lazy-apps.
    # extra: WSG115 (master without die-on-term: SIGTERM reloads, measured on 2.0.21).
    "keystone/httpd/keystone-uwsgi-admin.ini": {"WSG115", "WSG116"},
    "keystone/httpd/keystone-uwsgi-public.ini": {"WSG115", "WSG116"},
    # SOURCES: router-only options on http-socket (implied by "doc claims"); plugins (python).
    "manila/httpd/manila-uwsgi.ini": {"WSG111", "WSG116"},
    # SOURCES: buffer-size 114688 clamped. extra: :5000 all interfaces (info);
    # backlog-status is refused by 2.0.21 strict mode (not a 2.0 option).
    "sapcc-helm-charts/openstack/keystone/templates/etc/_uwsgi_keystone.conf.tpl": {"WSG108", "WSG117"},
    # SOURCES: plugins=python; http=0.0.0.0. extra: router without http-timeout (info), no lazy-apps.
    "snippets/aodh/aodh-uwsgi.ini": {"WSG112", "WSG113", "WSG116"},
    # SOURCES: typo enabled-threads; plugins=python. extra: router without http-timeout (info).
    "snippets/gnocchi/uwsgi.ini": {"WSG112", "WSG116", "WSG117"},
    # SOURCES: no buffer-size (4096).
    "snippets/ironic/ironic-uwsgi.ini": {"WSG107"},
    # SOURCES: GOOD baseline. extra: chmod-socket 666 (info only).
    "snippets/neutron/neutron-api-uwsgi.ini": {"WSG119"},
    # SOURCES: wsgi-manage-chunked-input (master only); router-only options on a (init-script) http-socket.
    # extra: `name` (unknown to 2.0.21).
    "wikimedia-operations-puppet/modules/openstack/templates/flamingo/glance/glance-api-uwsgi.ini.erb":
        {"WSG111", "WSG117"},
    # SOURCES: threads=1 OK. extra: `name` (unknown to 2.0.21).
    "wikimedia-operations-puppet/modules/openstack/templates/flamingo/nova/api/nova-api-uwsgi.ini.erb": {"WSG117"},
}
# Parser-stress files from uWSGI's own tree: SOURCES.md predicts nothing about caveats; only no crash.
NEUTRAL = {"uwsgi/examples/logic.ini", "uwsgi/examples/multi.ini",
           "uwsgi/t/python/manage_script_name/manage_script_name_test.ini", "uwsgi/t/routing/limiter.ini"}


def _templates() -> set[str]:
    out = set()
    for line in (CORPUS / "SOURCES.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and "TEMPLATE" in cells[3]:
            out.add(cells[1])
    return out


def _uwsgi_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    tmpl = _templates()
    return [str(p.relative_to(CORPUS)) for p in sorted(CORPUS.rglob("*"))
            if p.is_file() and str(p.relative_to(CORPUS)) not in tmpl
            and "[uwsgi]" in p.read_text(errors="replace")]


def test_every_uwsgi_corpus_file_is_accounted_for(corpus):
    files = set(_uwsgi_files())
    assert files, "no uWSGI file in the corpus"
    assert files == set(EXPECTED) | NEUTRAL


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_findings_match_sources(rel, corpus):
    result = check([corpus / rel], cwd=corpus)
    got = {f.rule.id for f in result.findings if f.rule.id in MINE}
    assert got == EXPECTED[rel], [f"{f.line}: {f.rule.id} {f.message}" for f in result.findings if f.rule.id in MINE]


@pytest.mark.parametrize("rel", sorted(NEUTRAL))
def test_neutral_files_do_not_crash(rel, corpus):
    result = check([corpus / rel], cwd=corpus)
    assert not [f for f in result.findings if f.rule.id == "WSG002"]


def test_devstack_has_no_uwsgi_caveat_warnings(corpus):
    result = check([corpus / "derived/devstack"], cwd=corpus)
    bad = [f"{f.path}:{f.line}: {f.rule.id} {f.message}" for f in result.findings
           if f.rule.id in MINE and f.severity >= Severity.WARNING]
    assert bad == []


def test_glance_sample_linked_to_apache_needs_no_chunked_input_limit(corpus):
    """The same glance ini alone and with its Apache mod_proxy_http vhost: WSG110 never fires (loopback)."""
    result = check([corpus / "glance/httpd"], cwd=corpus)
    assert not [f for f in result.findings if f.rule.id == "WSG110"]
