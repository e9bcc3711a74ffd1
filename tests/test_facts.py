"""Every version or behaviour fact wsgilint acts on carries its source, and the tables agree with each other.

A source is ``owner/repo@<commit>:path`` (a release note, a source file at a tag), an upstream URL, or
the test in this repository that measures the server (tests/....py). A fact without one fails here.
"""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT

from wsgilint import knowledge as k

SOURCE = re.compile(r"([\w.-]+/[\w.-]+@[0-9a-f]{7,40}:\S+|https?://\S+|tests/[\w/]+\.py|scripts/[\w/]+\.py"
                    r"|OSLO_MESSAGING_SOURCES)")
# Names of version thresholds and behaviour tables: each needs an entry in knowledge.SOURCES.
FACT_NAME = re.compile(r"_(SINCE|UNTIL|IN|FROM|PORT|KINDS|BY_RELEASE|OPTIONS|FILE|DIRS|SIZE|SERVICES|APP|"
                       r"PROCESSES|HEADER|NAMES|MAJOR)$")
NOT_FACTS = {
    # Spellings and wsgilint's own choices, not claims about a server or a service:
    "UWSGI_SECOND_OPTIONS",  # which options take seconds (a unit for messages)
    "UWSGI_MIN_BUFFER_SIZE", "UWSGI_RECOMMENDED_BUFFER_SIZE",  # wsgilint's advice (rule pages say why)
    "NOVA_METADATA_APP",  # the same source as NOVA_COMPUTE_APP
    "HTTPD_UNKNOWN_VERSION",  # how <IfVersion> is read when the version is unknown (no rule reads it)
    "UWSGI_OPTION_INFO_AFTER",  # wsgilint's cut-off for an info finding
    "EVENTLET_UNTIL_RELEASE", "START_TIME_REQUIRED_RELEASE",  # the releases of the versions above
    "APACHE_FEDERATION_PREFIXES", "GMR_FILE_OPTION", "HEARTBEAT_OPTION",  # names of directives/options
    "SERVICE_CONFIG_FILES", "FORWARDED_PROTO_HEADER",
    "APACHE_LIMIT_REQUEST_FIELD_SIZE",  # a Default: its source is checked with the defaults below
}


def _sourced(text: str) -> bool:
    return bool(text) and SOURCE.search(text) is not None


def test_every_fact_constant_has_a_source():
    missing = []
    for name, value in vars(k).items():
        if not name.lstrip("_").isupper() or name in NOT_FACTS or name == "SOURCES":
            continue
        is_version = isinstance(value, tuple) and len(value) >= 2 and all(isinstance(p, int) for p in value)
        if (FACT_NAME.search(name) or is_version) and not _sourced(k.SOURCES.get(name, "")):
            missing.append(name)
    assert missing == [], f"facts without a source in knowledge.SOURCES: {missing}"


@pytest.mark.parametrize("name", sorted(k.SOURCES))
def test_sources_are_citations(name):
    text = k.SOURCES[name]
    assert _sourced(text), f"{name}: {text!r} names no repo@commit:path, URL or measuring test"
    assert hasattr(k, name), f"SOURCES names {name}, which knowledge does not define"
    for local in re.findall(r"(?:tests|scripts)/[\w/]+\.py", text):
        assert (PROJECT / local).is_file(), f"{name} cites {local}, which does not exist"


def _defaults():
    for table in ("UWSGI_DEFAULTS", "APACHE_DEFAULTS", "MOD_WSGI_DEFAULTS"):
        for key, d in getattr(k, table).items():
            yield f"{table}[{key}]", d
    yield "APACHE_LIMIT_REQUEST_FIELD_SIZE", k.APACHE_LIMIT_REQUEST_FIELD_SIZE


@pytest.mark.parametrize("name,default", list(_defaults()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_default_has_a_source(name, default):
    assert _sourced(default.source), f"{name}: {default.source!r}"


@pytest.mark.parametrize("script", sorted(k.REMOVED_SCRIPTS))
def test_every_removal_has_a_source_and_agrees_with_the_release_table(script):
    row = k.REMOVED_SCRIPTS[script]
    assert _sourced(row.source), row
    version = k.parse_version(row.version)
    assert k.normalize_release(row.release) == row.release
    major = k.service_major(row.service, row.release)
    if major is not None:  # a service whose majors per release are known: the two tables agree
        assert major == version[0], f"{script}: {row.service} {row.version} is not the major of {row.release}"


def test_heat_scripts_are_not_removed():
    """heat 25 and 26 still ship heat-wsgi-api(-cfn) (openstack/heat@526defd06e:setup.cfg)."""
    assert "heat-wsgi-api" not in k.REMOVED_SCRIPTS and "heat-wsgi-api-cfn" not in k.REMOVED_SCRIPTS


def test_every_oslo_messaging_row_has_a_source():
    assert set(k.OSLO_MESSAGING_BY_RELEASE) == set(k.OSLO_MESSAGING_SOURCES)
    for release, text in k.OSLO_MESSAGING_SOURCES.items():
        assert _sourced(text), release
        assert k.OSLO_MESSAGING_BY_RELEASE[release] in text or release == "2026.2", (release, text)
    # 2026.1 pins 17.3.0, which still has heartbeat_in_pthread; 18.0.0 (which removed it) is 2026.2.
    assert k.oslo_messaging_version("2026.1") == "17.3"
    assert k.oslo_messaging_version("hibiscus") == "18.0"


@pytest.mark.parametrize("service", sorted(k.SERVICES))
def test_every_service_profile_has_a_source(service):
    assert _sourced(k.SERVICES[service].source)


def test_release_names_cover_the_current_release():
    assert k.normalize_release("hibiscus") == "2026.2"
    assert k.normalize_release("indri") == "2027.1"
    assert k.service_major("placement", "rocky") is None  # placement began in stein (1.0.0)
    assert k.service_major("placement", "stein") == 1
