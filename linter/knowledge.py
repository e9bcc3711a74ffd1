"""What wsgilint knows about services and servers, as data (rules read it, never restate it).

Every number here has its source next to it; rules cite these names in their messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceProfile:
    """How one WSGI service behaves behind a front end."""

    name: str
    # Takes large request bodies, sent chunked by its usual clients (glanceclient
    # uploads images chunked; swift object PUTs may be chunked).
    upload: bool = False
    # Reads chunked request bodies itself when run under uWSGI (glance/common/wsgi.py
    # uses uwsgi.chunked_read()), so a still-chunked body reaching uWSGI is fine.
    reads_chunked_itself: bool = False
    # Carries very large headers (PKI/Fernet tokens, SAML/OIDC claims).
    large_headers: bool = False
    url_paths: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()
    # Script names shipped by the service (console scripts / .wsgi files).
    scripts: tuple[str, ...] = ()


SERVICES: dict[str, ServiceProfile] = {p.name: p for p in (
    ServiceProfile("glance", upload=True, reads_chunked_itself=True, url_paths=("/image",), ports=(9292, 60999),
                   scripts=("glance-wsgi-api",)),
    ServiceProfile("swift", upload=True, url_paths=("/object-store",), ports=(8080,),
                   scripts=("proxy-server.wsgi", "proxy-server")),
    ServiceProfile("keystone", large_headers=True, url_paths=("/identity", "/identity_admin"), ports=(5000, 35357),
                   scripts=("keystone-wsgi-public", "keystone-wsgi-admin")),
    ServiceProfile("cinder", url_paths=("/volume",), ports=(8776,), scripts=("cinder-wsgi",)),
    ServiceProfile("nova", url_paths=("/compute",), ports=(8774, 8775),
                   scripts=("nova-api-wsgi", "nova-metadata-wsgi")),
    ServiceProfile("placement", url_paths=("/placement",), ports=(8778,), scripts=("placement-api",)),
    ServiceProfile("heat", url_paths=("/heat-api", "/heat-api-cfn", "/orchestration"), ports=(8004, 8000),
                   scripts=("heat-wsgi-api", "heat-wsgi-api-cfn")),
    ServiceProfile("neutron", url_paths=("/networking",), ports=(9696,), scripts=("neutron-api",)),
    ServiceProfile("barbican", url_paths=("/key-manager",), ports=(9311,), scripts=("barbican-wsgi-api",)),
    ServiceProfile("manila", url_paths=("/share",), ports=(8786,), scripts=("manila-wsgi",)),
    ServiceProfile("octavia", url_paths=("/load-balancer",), ports=(9876,), scripts=("octavia-wsgi",)),
    ServiceProfile("designate", url_paths=("/dns",), ports=(9001,), scripts=("designate-api-wsgi",)),
    ServiceProfile("ironic", url_paths=("/baremetal",), ports=(6385,), scripts=("ironic-api-wsgi",)),
    ServiceProfile("aodh", url_paths=("/alarming",), ports=(8042,)),
    ServiceProfile("gnocchi", url_paths=("/metric",), ports=(8041,)),
    ServiceProfile("cyborg", url_paths=("/accelerator",), ports=(6666,)),
    ServiceProfile("masakari", url_paths=("/instance-ha",), ports=(15868,)),
)}

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def service_from_name(text: str) -> str | None:
    """The service named by a module, script path or file name (first known word wins)."""
    for tok in _TOKEN.findall(text):
        low = tok.lower()
        if low in SERVICES:
            return low
    return None


def service_from_url_path(path: str) -> str | None:
    for prof in SERVICES.values():
        for p in prof.url_paths:
            if path.rstrip("/") == p:
                return prof.name
    return None


def service_from_port(port: int | None) -> str | None:
    if port is None:
        return None
    for prof in SERVICES.values():
        if port in prof.ports:
            return prof.name
    return None


# -- server defaults (what applies when a directive or option is absent) ------------
@dataclass(frozen=True)
class Default:
    value: int
    source: str


UWSGI_DEFAULTS = {
    # core/init.c (uWSGI 2.0): uwsgi.buffer_size = 4096
    "buffer-size": Default(4096, "uWSGI core/init.c: buffer_size = 4096"),
    # core/init.c: uwsgi.socket_timeout = 4 (also the chunked read timeout, Chunked.rst)
    "socket-timeout": Default(4, "uWSGI core/init.c: socket_timeout = 4"),
    # core/init.c: chunked_input_limit = 1 MiB
    "chunked-input-limit": Default(1024 * 1024, "uWSGI core/init.c: chunked_input_limit = 1 MiB"),
    # plugins/http/http.c: http-timeout default 60 s
    "http-timeout": Default(60, "uWSGI plugins/http/http.c: http-timeout = 60"),
}

APACHE_DEFAULTS = {
    "timeout": Default(60, "httpd core.xml: Timeout 60"),
    # since httpd 2.4.54: 1 GiB (was 0 = unlimited)
    "limitrequestbody": Default(1073741824, "httpd core.xml: LimitRequestBody 1073741824 (2.4.54+)"),
    "proxy-retry": Default(60, "httpd mod_proxy.xml: retry=60"),
}

MOD_WSGI_DEFAULTS = {
    "processes": Default(1, "mod_wsgi WSGIDaemonProcess: processes=1"),
    "threads": Default(15, "mod_wsgi WSGIDaemonProcess: threads=15"),
}

# mod_proxy_uwsgi's default port when a uwsgi:// URL names none (UWSGI_DEFAULT_PORT).
UWSGI_PROXY_DEFAULT_PORT = 3031


@dataclass(frozen=True)
class Thresholds:
    """Limits below which a timeout breaks long uploads or slow requests (seconds)."""

    # A 5 GiB image at 10 MB/s takes ~520 s: harakiri below this kills uploads.
    upload_harakiri: int = 600
    # glance's own sample sets 10; devstack and kolla 30. uWSGI's default 4 is the
    # chunked-read timeout too (Chunked.rst), so slow clients fail below this.
    upload_socket_timeout: int = 10
    # Apache's default Timeout/ProxyTimeout is 60; going below it cuts long responses
    # (glance image create, keystone with slow LDAP).
    response_timeout: int = 60


THRESHOLDS = Thresholds()


# -- versions --------------------------------------------------------------------------
DEFAULT_HTTPD_VERSION = "2.4.65"  # Debian 13 (trixie), current stable
DEFAULT_UWSGI_VERSION = "2.0.28"  # Debian 13 (trixie)
DEFAULT_OPENSTACK_RELEASE = "2026.2"

# Release -> index, to turn one known (release, version) pair per service into others.
RELEASES = ("queens", "rocky", "stein", "train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed",
            "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2", "2026.1", "2026.2")
RELEASE_NAMES = {"antelope": "2023.1", "bobcat": "2023.2", "caracal": "2024.1", "dalmatian": "2024.2",
                 "epoxy": "2025.1", "flamingo": "2025.2", "gazpacho": "2026.1"}


def normalize_release(text: str) -> str:
    """Accept a release number (2025.1) or name (epoxy, queens); raise ValueError otherwise."""
    low = text.strip().lower()
    low = RELEASE_NAMES.get(low, low)
    if low not in RELEASES:
        raise ValueError(f"unknown OpenStack release {text!r} (known: {', '.join(RELEASES)})")
    return low
# Major version of each service in 2025.1 (Epoxy), from the projects' tags.
_EPOXY_MAJOR = {"glance": 30, "nova": 31, "keystone": 27, "neutron": 26, "cinder": 26, "heat": 24,
                "placement": 13}
# Glance runs tasks/interoperable import under uWSGI since 21.0.0 (Wallaby docs; queens-uwsgi-issues).
GLANCE_TASKS_UNDER_UWSGI_SINCE = 21


def service_major(service: str, release: str) -> int | None:
    """The service's major version in an OpenStack release (None when unknown)."""
    try:
        release = normalize_release(release)
    except ValueError:
        return None
    if service not in _EPOXY_MAJOR:
        return None
    return _EPOXY_MAJOR[service] + RELEASES.index(release) - RELEASES.index("2025.1")


def parse_version(text: str) -> tuple[int, ...]:
    parts = []
    for p in text.split("."):
        m = re.match(r"\d+", p)
        if not m:
            break
        parts.append(int(m.group(0)))
    if not parts:
        raise ValueError(f"not a version: {text!r}")
    return tuple(parts)


@dataclass(frozen=True)
class Targets:
    """The versions a check assumes (from --httpd-version etc.)."""

    httpd: str = DEFAULT_HTTPD_VERSION
    uwsgi: str = DEFAULT_UWSGI_VERSION
    openstack: str = DEFAULT_OPENSTACK_RELEASE
    extra: dict = field(default_factory=dict)
