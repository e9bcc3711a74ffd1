"""What wsgilint knows about services and servers, as data (rules read it, never restate it).

Every number here has its source next to it; rules cite these names in their messages.
"""

from __future__ import annotations

import functools
import re
from wsgilint.numbers import parse_int
from wsgilint.record import FrozenRecord, set_field


def version_text(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


# The URL paths devstack serves each API under (its lib/<service> files write the Apache config).
DEVSTACK_PATHS = "openstack/devstack@493835a61a:lib/apache (and lib/<service>: the URL path of each API)"


class ServiceProfile(FrozenRecord):
    """How one WSGI service behaves behind a front end."""

    name: str
    # Takes large request bodies, sent chunked by its usual clients (glanceclient
    # uploads images chunked; swift object PUTs may be chunked).
    upload: bool
    # Reads chunked request bodies itself when run under uWSGI (glance/common/wsgi.py
    # uses uwsgi.chunked_read()), so a still-chunked body reaching uWSGI is fine.
    reads_chunked_itself: bool
    # Carries very large headers (PKI/Fernet tokens, SAML/OIDC claims).
    large_headers: bool
    # devstack's URL paths: weak evidence (see wsgilint.model.build: no error rests on it alone).
    url_paths: tuple[str, ...]
    # Script names shipped by the service (console scripts / .wsgi files).
    scripts: tuple[str, ...]
    # Where the behaviour flags come from (upload, reads_chunked_itself, large_headers); for an
    # app of the user's configuration, its table (`[tool.wsgilint.apps.NAME] in .wsgilint.toml`).
    source: str
    # The largest request body it must take (bytes), None when not known: the user's `max-body`.
    max_body: int | None
    # The longest request it serves (seconds), None when not known: the user's `long-requests`.
    long_requests: int | None
    # An app of the user's configuration: the patterns (fnmatch) that identify it (a uWSGI
    # module/wsgi-file/mount value, a WSGIScriptAlias target, or a URL path starting with /).
    match: tuple[str, ...]

    def __init__(self, name, upload=False, reads_chunked_itself=False, large_headers=False, url_paths=(),
                 scripts=(), source=DEVSTACK_PATHS, max_body=None, long_requests=None, match=()) -> None:
        set_field(self, 'name', name)
        set_field(self, 'upload', upload)
        set_field(self, 'reads_chunked_itself', reads_chunked_itself)
        set_field(self, 'large_headers', large_headers)
        set_field(self, 'url_paths', url_paths)
        set_field(self, 'scripts', scripts)
        set_field(self, 'source', source)
        set_field(self, 'max_body', max_body)
        set_field(self, 'long_requests', long_requests)
        set_field(self, 'match', match)


SERVICES: dict[str, ServiceProfile] = {p.name: p for p in (
    ServiceProfile("glance", upload=True, reads_chunked_itself=True, url_paths=("/image",),
                   scripts=("glance-wsgi-api",),
                   source="openstack/glance@c76abb08e2:glance/common/wsgi.py (uwsgi.chunked_read() for chunked "
                          "image uploads)"),
    ServiceProfile("swift", upload=True, url_paths=("/object-store",),
                   scripts=("proxy-server.wsgi", "proxy-server"),
                   source="https://docs.openstack.org/swift/latest/apache_deployment_guide.html (object PUTs, "
                          "max_file_size 5 GiB)"),
    ServiceProfile("keystone", large_headers=True, url_paths=("/identity", "/identity_admin"),
                   scripts=("keystone-wsgi-public", "keystone-wsgi-admin"),
                   source="openstack/keystone@30ef2ffa65:httpd/keystone-uwsgi-public.ini (buffer-size 65535 for "
                          "large tokens and federation headers)"),
    ServiceProfile("cinder", url_paths=("/volume",), scripts=("cinder-wsgi",)),
    ServiceProfile("nova", url_paths=("/compute",),
                   scripts=("nova-api-wsgi", "nova-metadata-wsgi")),
    ServiceProfile("placement", url_paths=("/placement",), scripts=("placement-api",)),
    ServiceProfile("heat", url_paths=("/heat-api", "/heat-api-cfn", "/orchestration"),
                   scripts=("heat-wsgi-api", "heat-wsgi-api-cfn")),
    ServiceProfile("neutron", url_paths=("/networking",), scripts=("neutron-api",)),
    ServiceProfile("barbican", url_paths=("/key-manager",), scripts=("barbican-wsgi-api",)),
    ServiceProfile("manila", url_paths=("/share",), scripts=("manila-wsgi",)),
    ServiceProfile("octavia", url_paths=("/load-balancer",), scripts=("octavia-wsgi",)),
    ServiceProfile("designate", url_paths=("/dns",), scripts=("designate-api-wsgi",)),
    ServiceProfile("ironic", url_paths=("/baremetal",), scripts=("ironic-api-wsgi",)),
    ServiceProfile("aodh", url_paths=("/alarming",)),
    ServiceProfile("gnocchi", url_paths=("/metric",)),
    ServiceProfile("cyborg", url_paths=("/accelerator",)),
    ServiceProfile("masakari", url_paths=("/instance-ha",)),
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


# No service_from_port: a port names no service (issue 15: a Django app on 8080 was taken for
# swift). Identity comes from evidence; the ladder is in wsgilint.model.build's docstring.


# -- server defaults (what applies when a directive or option is absent) ------------
class Default(FrozenRecord):
    value: int
    source: str

    def __init__(self, value, source) -> None:
        set_field(self, 'value', value)
        set_field(self, 'source', source)


UWSGI_DEFAULTS = {
    # core/init.c (uWSGI 2.0): uwsgi.buffer_size = 4096
    "buffer-size": Default(4096, "unbit/uwsgi@0d1c793465:core/init.c#L112 (uwsgi.buffer_size = 4096; same in 2.0.30)"),
    # core/init.c: uwsgi.socket_timeout = 4 (also the chunked read timeout, Chunked.rst)
    "socket-timeout": Default(4, "unbit/uwsgi@0d1c793465:core/init.c#L131 (uwsgi.socket_timeout = 4)"),
    # core/init.c: chunked_input_limit = 1 MiB
    "chunked-input-limit": Default(1024 * 1024, "unbit/uwsgi@0d1c793465:core/init.c#L191 (chunked_input_limit = 1024*1024)"),
    # the router's socket_timeout, set in corerouter.c (the http plugin's option writes it)
    "http-timeout": Default(60, "unbit/uwsgi@0d1c793465:plugins/corerouter/corerouter.c#L681 (ucr->socket_timeout = 60)"),
}

APACHE_DEFAULTS = {
    "timeout": Default(60, "apache/httpd@f45abec1bd:docs/manual/mod/core.xml (Timeout: default 60)"),
    # since httpd 2.4.54: 1 GiB (was 0 = unlimited)
    "limitrequestbody": Default(1073741824, "apache/httpd@f45abec1bd:docs/manual/mod/core.xml#L2853 (LimitRequestBody 1073741824, "
                                            "2.4.54+)"),
    "proxy-retry": Default(60, "apache/httpd@f45abec1bd:docs/manual/mod/mod_proxy.xml#L1195 (retry: 60)"),
}

MOD_WSGI_DEFAULTS = {
    "processes": Default(1, "GrahamDumpleton/mod_wsgi@dbaca2e363:docs/configuration-directives/WSGIDaemonProcess.rst (processes: 1)"),
    "threads": Default(15, "GrahamDumpleton/mod_wsgi@dbaca2e363:docs/configuration-directives/WSGIDaemonProcess.rst (threads: 15)"),
}

# mod_proxy_uwsgi's default port when a uwsgi:// URL names none (UWSGI_DEFAULT_PORT).
UWSGI_PROXY_DEFAULT_PORT = 3031


class Thresholds(FrozenRecord):
    """Limits below which a timeout breaks long uploads or slow requests (seconds)."""

    # A 5 GiB image at 10 MB/s takes ~520 s: harakiri below this kills uploads.
    upload_harakiri: int
    # glance's own sample sets 10; devstack and kolla 30. uWSGI's default 4 is the
    # chunked-read timeout too (Chunked.rst), so slow clients fail below this.
    upload_socket_timeout: int
    # Apache's default Timeout/ProxyTimeout is 60; going below it cuts long responses
    # (glance image create, keystone with slow LDAP).
    response_timeout: int

    def __init__(self, upload_harakiri=600, upload_socket_timeout=10, response_timeout=60) -> None:
        set_field(self, 'upload_harakiri', upload_harakiri)
        set_field(self, 'upload_socket_timeout', upload_socket_timeout)
        set_field(self, 'response_timeout', response_timeout)


THRESHOLDS = Thresholds()


# -- versions --------------------------------------------------------------------------
# No version is assumed: wsgilint.targets holds what the user gave or the tree shows.
# Only `<IfVersion>` needs *some* value to pick a branch: with the version unknown, httpd is
# taken as the newest 2.4 (every `>= 2.4.x` holds); no rule reads this value.
HTTPD_UNKNOWN_VERSION = (2, 4, 10**6)

# Release -> index, to turn one known (release, version) pair per service into others.
RELEASES = ("queens", "rocky", "stein", "train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed",
            "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2", "2026.1", "2026.2", "2027.1")
# openstack/releases@02df7c9a3c:data/series_status.yaml (2027.1 indri is in development).
RELEASE_NAMES = {"antelope": "2023.1", "bobcat": "2023.2", "caracal": "2024.1", "dalmatian": "2024.2",
                 "epoxy": "2025.1", "flamingo": "2025.2", "gazpacho": "2026.1", "hibiscus": "2026.2",
                 "indri": "2027.1"}


def normalize_release(text: str) -> str:
    """Accept a release number (2025.1) or name (epoxy, queens); raise ValueError otherwise."""
    low = text.strip().lower()
    low = RELEASE_NAMES.get(low, low)
    if low not in RELEASES:
        raise ValueError(f"unknown OpenStack release {text!r} (known: {', '.join(RELEASES)})")
    return low
# Major version of each service in 2025.1 (Epoxy), from the projects' tags.
# openstack/releases@02df7c9a3c:deliverables/epoxy/<service>.yaml; the offset rule holds for these from
# 2023.1 to 2026.1 (checked per series in deliverables/<series>/), placement from train (stein is its 1.0.0).
# ironic is left out: it has several majors per series.
_EPOXY_MAJOR = {"glance": 30, "nova": 31, "keystone": 27, "neutron": 26, "cinder": 26, "heat": 24,
                "placement": 13, "octavia": 16, "designate": 20, "manila": 20, "barbican": 20, "masakari": 19,
                "cyborg": 14, "magnum": 20}
SERVICE_MAJOR_SOURCE = "openstack/releases@02df7c9a3c:deliverables/<series>/<service>.yaml"

# Glance runs tasks/interoperable import under uWSGI since 21.0.0 (Victoria): openstack/glance@16a5431c66
# "Make glance-api able to do async tasks in WSGI mode" (bug 1888713); broken before
# (glance releasenotes/notes/queens-uwsgi-issues-4cee9e4fdf62c646.yaml).
GLANCE_TASKS_UNDER_UWSGI_SINCE = 21


def service_major(service: str, release: str) -> int | None:
    """The service's major version in an OpenStack release (None when unknown)."""
    try:
        release = normalize_release(release)
    except ValueError:
        return None
    if service not in _EPOXY_MAJOR:
        return None
    major = _EPOXY_MAJOR[service] + RELEASES.index(release) - RELEASES.index("2025.1")
    return major if major >= 1 else None  # placement did not exist before stein


def parse_version(text: str) -> tuple[int, ...]:
    parts = []
    for p in text.split("."):
        m = re.match(r"[0-9]+", p)
        if not m:
            break
        parts.append(parse_int(m.group(0)))  # wsgilint.numbers: saturates, never raises
    if not parts:
        raise ValueError(f"not a version: {text!r}")
    return tuple(parts)


# -- Apache / mod_wsgi / service facts for the caveat catalog (sections A, B, E) ---------
# LimitRequestBody's default became 1 GiB in httpd 2.4.54 (CHANGES; 0 = unlimited before).
# Measured on 2.4.71 (oracle-results.md addendum and tests/test_proof_catalog_apache.py):
# it bites mod_wsgi and mod_proxy_uwsgi; mod_proxy_http forwards the body whatever the limit.
LIMIT_REQUEST_BODY_DEFAULT_SINCE = (2, 4, 54)
LIMIT_REQUEST_BODY_KINDS = ("mod_wsgi", "proxy_uwsgi")

# Directories Debian's /etc/apache2/apache2.conf grants (`Require all granted`) while `<Directory />`
# denies everything; RHEL's httpd.conf grants /var/www. Used only for fragments (no root config read).
DISTRO_GRANTED_DIRS = ("/var/www", "/usr/share")

# mod_wsgi WSGIProcessGroup/WSGIApplicationGroup values that are expansions, not names.
MOD_WSGI_GROUP_EXPANSIONS = ("%{GLOBAL}", "%{RESOURCE}", "%{SERVER}", "%{GROUP}", "%{ENV:")

# Services whose API needs the Authorization header (mod_wsgi strips it unless WSGIPassAuthorization On):
# keystone OAuth1/OAuth2 and application credentials by header (keystone doc/source/admin/oauth1.rst).
NEEDS_AUTHORIZATION_HEADER = ("keystone",)

# Services that run eventlet under WSGI until a major version: threads>1 breaks them
# (nova releasenotes stein bugs 1825584/1829062; native threads are the default from nova 33.0.0).
EVENTLET_UNTIL = {"nova": 33}
EVENTLET_UNTIL_RELEASE = {"nova": "2026.1"}

# neutron >= 26.0.0 (2025.1) needs `start-time = %t` in its uWSGI ini (ML2/OVN hash ring;
# neutron releasenotes wsgi_start-time-101ce9c9a36b8a4f, doc/source/admin/config-wsgi.rst).
START_TIME_REQUIRED_SINCE = {"neutron": 26}
START_TIME_REQUIRED_RELEASE = {"neutron": "2025.1"}


class RemovedScript(FrozenRecord):
    """A WSGI script a service no longer ships (its pbr wsgi_scripts entry point was removed)."""

    script: str
    service: str
    release: str  # first OpenStack release without it
    version: str  # the service version that removed it ("" when untagged / not a versioned project)
    module: str  # what uWSGI should load instead
    source: str

    def __init__(self, script, service, release, version, module, source) -> None:
        set_field(self, 'script', script)
        set_field(self, 'service', service)
        set_field(self, 'release', release)
        set_field(self, 'version', version)
        set_field(self, 'module', module)
        set_field(self, 'source', source)


REMOVED_SCRIPTS: dict[str, RemovedScript] = {s.script: s for s in (
    RemovedScript("keystone-wsgi-public", "keystone", "2025.2", "28.0.0", "keystone.wsgi.api:application",
                  "openstack/keystone@0d2cc1a3af:releasenotes/notes/remove-wsgi-scripts-615b97ee4d6e0de2.yaml"),
    RemovedScript("keystone-wsgi-admin", "keystone", "2025.2", "28.0.0", "keystone.wsgi.api:application",
                  "openstack/keystone@0d2cc1a3af:releasenotes/notes/remove-wsgi-scripts-615b97ee4d6e0de2.yaml"),
    RemovedScript("nova-api-wsgi", "nova", "2026.1", "33.0.0", "nova.wsgi.osapi_compute:application",
                  "openstack/nova@5da2dc2060:releasenotes/notes/remove-wsgi-scripts-577090db75ecbade.yaml"),
    RemovedScript("nova-metadata-wsgi", "nova", "2026.1", "33.0.0", "nova.wsgi.metadata:application",
                  "openstack/nova@5da2dc2060:releasenotes/notes/remove-wsgi-scripts-577090db75ecbade.yaml"),
    RemovedScript("placement-api", "placement", "2026.1", "15.0.0", "placement.wsgi.api:application",
                  "openstack/placement@39f4895d9c:releasenotes/notes/remove-wsgi-scripts-3823627039fa98bc.yaml"),
    RemovedScript("cinder-wsgi", "cinder", "2026.1", "28.0.0", "cinder.wsgi.api:application",
                  "openstack/cinder@115f4a2e35:releasenotes/notes/remove-wsgi-script-84828533aed5b798.yaml"),
    RemovedScript("glance-wsgi-api", "glance", "2026.1", "32.0.0", "glance.wsgi.api:application",
                  "openstack/glance@c1827a3f33:releasenotes/notes/remove-wsgi-script-1b6bcc68eba5ef0a.yaml"),
    RemovedScript("neutron-api", "neutron", "2026.1", "28.0.0", "neutron.wsgi.api:application",
                  "openstack/neutron@75e5c059f3:releasenotes/notes/remove-wsgi-script-dfebb60c4a16ef74.yaml"),
    RemovedScript("octavia-wsgi", "octavia", "2025.2", "17.0.0", "octavia.wsgi.api:application",
                  "openstack/octavia@8ebf8d27c4:releasenotes/notes/remove-wsgi-scripts-a66048263bd550c6.yaml"),
    # Authored 2023-12-06, merged 2025-04-29: first in designate 21.0.0 (git tag --contains).
    RemovedScript("designate-api-wsgi", "designate", "2025.2", "21.0.0", "designate.wsgi.api:application",
                  "openstack/designate@e6d83dfcf7:releasenotes/notes/remove-wsgi-scripts-d848069ac50cf062.yaml"),
    RemovedScript("manila-wsgi", "manila", "2025.2", "21.0.0", "manila.wsgi.api:application",
                  "openstack/manila@02bfe5b41e:releasenotes/notes/remove-manila-wsgi-script-07f9a4d00a165f4c.yaml"),
    RemovedScript("ironic-api-wsgi", "ironic", "2025.2", "32.0.0", "ironic.wsgi:application",
                  "openstack/ironic@4349e4156e:releasenotes/notes/migrate-wsgi-script-to-module-4113e87f202eecab.yaml"),
    # Merged 2026-05-05, in no tag of the 2026-05-16 snapshot: barbican 22.0.0 (2026.1) still ships it.
    RemovedScript("barbican-wsgi-api", "barbican", "2026.2", "23.0.0", "barbican.wsgi.api:application",
                  "openstack/barbican@160f0dd26e:releasenotes/notes/remove-wsgi-scripts-62f9a5ce235b8ab7.yaml"),
    RemovedScript("masakari-wsgi", "masakari", "2025.2", "20.0.0", "masakari.wsgi.api:application",
                  "openstack/masakari@ccaecd325f:releasenotes/notes/remove-masakari-wsgi-script-bb737746a17111ab.yaml"),
    RemovedScript("cyborg-wsgi-api", "cyborg", "2026.1", "16.0.0", "cyborg.wsgi.api:application",
                  "openstack/cyborg@ee5cdf9c82:releasenotes/notes/remove-wsgi-scripts-entry-point-4e4eeec78e174a07.yaml"),
    RemovedScript("magnum-api-wsgi", "magnum", "2026.1", "22.0.0", "magnum.wsgi.api:application",
                  "openstack/magnum@6221cd3188:setup.cfg (first tag 22.0.0)"),
)}
# heat-wsgi-api and heat-wsgi-api-cfn are NOT removed: still wsgi_scripts in heat 25.0.0 and 26.0.0
# (openstack/heat@526defd06e:setup.cfg); the note drop-heat-wsgi-scripts-using-eventlet-fb27d7912ffbd0a4
# removed the eventlet console scripts heat-api, heat-api-cfn and heat-all. Still shipped at HEAD (2026-08):
# aodh-api, watcher-api-wsgi, trove-wsgi, blazar-api-wsgi. mistral-wsgi-api was removed by
# openstack/mistral@aa04c8c375 (2026-06, untagged; replacement mistral.wsgi:application): added once tagged.


def release_at_least(release: str, since: str) -> bool:
    """Is OpenStack ``release`` the same as or newer than ``since``? (unknown -> False)"""
    try:
        return RELEASES.index(normalize_release(release)) >= RELEASES.index(normalize_release(since))
    except ValueError:
        return False


# -- uWSGI options (caveat catalog section C) -------------------------------------------
# Option names uWSGI 2.0.x accepts as ini keys, per release and plugin: linter/data/uwsgi_options.txt,
# generated by scripts/gen_uwsgi_options.py from the option tables (core/uwsgi.c, plugins/*/*.c) of
# every unbit/uwsgi tag 2.0 ... 2.0.30 (the file's header lists each tag's commit); read lazily by
# wsgilint.uwsgi_options. tests/test_uwsgi_options.py checks it against the sources and, for
# 2.0.21, against Debian's `uwsgi --help`.
UWSGI_OPTIONS_FILE = "data/uwsgi_options.txt"


def uwsgi_known_options(version: tuple[int, ...] | None = None) -> dict[str, str]:
    """uWSGI option name -> the plugin that adds it ("core", or the plugin's source directory:
    "http", "python") in uWSGI `version` (e.g. (2, 0, 21)); None: in any 2.0.x release."""
    from wsgilint import uwsgi_options

    return uwsgi_options.options_for(version)


def uwsgi_option_since(name: str, after: tuple[int, ...] | None = None) -> tuple[int, ...] | None:
    """The first 2.0.x release whose option tables have `name` (with `after`: the first one newer
    than that version's release); None when there is none."""
    from wsgilint import uwsgi_options

    return uwsgi_options.first_version(name) if after is None else uwsgi_options.first_version_after(name, after)


# With the uWSGI version unknown, an option added in a later 2.0.x is reported (info) only when newer
# than 2.0.18 (tag date 2019-02-09, unbit/uwsgi@d1338dfefe): older additions (hook-master-start, 2.0.1,
# 2014) are in every uWSGI still run, and an info on them would flag most configs.
UWSGI_OPTION_INFO_AFTER = (2, 0, 18)


def _uwsgi_options() -> tuple[tuple[str, str], ...]:
    """(name, plugin) of every option of any 2.0.x release (kept for older callers)."""
    return tuple(uwsgi_known_options().items())


# Options that exist only in uWSGI master (the unreleased 2.1), not in any 2.0.x release.
UWSGI_MASTER_ONLY_OPTIONS = {
    # unbit/uwsgi@6cbb2177ae (master, 2025-09-21):plugins/python/python_plugin.c; in no 2.0.x tag
    # (linter/data/uwsgi_options.txt); 2.0.21 strict mode: "unknown config directive: wsgi-manage-chunked-input"
    "wsgi-manage-chunked-input": "uWSGI master (2.1)",
}
# Keys that are no uWSGI option but that apps read from uwsgi.opt (so they are not typos).
UWSGI_APP_KEYS = {
    # neutron >= 26.0.0 reads uwsgi.opt['start-time'] (neutron doc admin/config-wsgi.rst); devstack sets it
    # for every service.
    "start-time": "neutron",
}
# Keys of the HTTP router itself; every other option of the `http` plugin configures that router.
UWSGI_ROUTER_KEYS = frozenset({"http", "https", "https2", "httprouter"})
# uWSGI 2.0 clamps buffer-size to 16 bits (core/uwsgi.c uwsgi_opt_set_16bit): measured on 2.0.21,
# 65536 and 114688 both behave as 65535 ("invalid HTTP request size (max 65535)").
UWSGI_MAX_BUFFER_SIZE = 65535
# Below this a single maximal Apache header (LimitRequestFieldSize 8190) plus the usual
# variables no longer fits; devstack, kolla and keystone's sample use 65535.
UWSGI_MIN_BUFFER_SIZE = 16384
UWSGI_RECOMMENDED_BUFFER_SIZE = 65535
# Numeric options read with strtoul/atoi (core/uwsgi.c uwsgi_opt_set_int/_64bit/_16bit): a suffix
# is ignored, so `chunked-input-limit = 64M` is 64 bytes (measured on 2.0.21).
UWSGI_BYTE_OPTIONS = frozenset({
    "buffer-size", "chunked-input-limit", "post-buffering", "post-buffering-bufsize", "limit-post",
    "body-read-warning", "http-buffer-size", "socket-send-buffer", "socket-write-buffer",
})
# uwsgi_opt_set_megabytes: the number is already in MiB, so only an M/MB suffix is harmless.
UWSGI_MEGABYTE_OPTIONS = frozenset({
    "limit-as", "reload-on-as", "reload-on-rss", "evil-reload-on-as", "evil-reload-on-rss",
    "cheaper-rss-limit-soft", "cheaper-rss-limit-hard",
})
UWSGI_SECOND_OPTIONS = frozenset({
    "harakiri", "socket-timeout", "http-timeout", "chunked-input-timeout", "worker-reload-mercy",
    "reload-mercy", "mule-reload-mercy", "http-connect-timeout", "http-headers-timeout", "http-harakiri",
    "max-worker-lifetime", "idle",
})
# uWSGI 2.0.27 turned Python threads on by default ("core/uwsgi: set enable threads by default":
# sanitize_args sets uwsgi.has_threads = 1; unbit/uwsgi@1caea16df8, tag 2.0.27, core/init.c), and
# `enable-threads` became a stub. Measured in tests/test_proof_uwsgi_versions.py: without enable-threads a
# background thread stalls between requests on 2.0.21 and keeps running on the pip-built 2.0.x.
UWSGI_THREADS_DEFAULT_SINCE = (2, 0, 27)
# uWSGI 2.1 (master) makes SIGTERM stop the instance; 2.0.x reloads on it (ThingsToKnow.rst).
UWSGI_DIE_ON_TERM_DEFAULT_SINCE = (2, 1)
# nginx 1.29.7 (2026-03-24) made HTTP/1.1 and keepalive to upstreams the default of proxy_http_version
# (nginx CHANGES 1.29.7; 1.30.0 stable, 2026-04-14: "proxy_http_version now defaults to 1.1").
NGINX_PROXY_HTTP11_DEFAULT_SINCE = (1, 29, 7)
# Apache directives that mean identity federation (claims passed to the app as variables).
APACHE_FEDERATION_PREFIXES = ("oidc", "mellon", "shib", "authopenidc")
APACHE_FEDERATION_AUTHTYPES = frozenset({"openid-connect", "auth-openidc", "mellon", "shibboleth", "shib"})

# httpd core.xml: LimitRequestFieldSize 8190 (one request header line); server/vhost context only.
# Measured on 2.4.71 (oracle-results.md stack 6): a 9000-byte X-Auth-Token gets 400 (AH00561) even
# when uWSGI's buffer-size behind mod_proxy_uwsgi is 65535.
APACHE_LIMIT_REQUEST_FIELD_SIZE = Default(8190, "apache/httpd@f45abec1bd:docs/manual/mod/core.xml#L2946 (LimitRequestFieldSize 8190)")


# -- service config files (oslo.config) for the cross-file rules (issue 4: P8, X3, X4, X8) -----
# The file each service's WSGI application reads under /etc/<service>/ (default: <service>.conf).
# glance's WSGI app reads glance-api.conf (glance/common/wsgi_app.py CONFIG_FILES); nova's reads
# nova.conf (nova/api/openstack/wsgi_app.py CONFIG_FILES).
SERVICE_CONFIG_FILES: dict[str, tuple[str, ...]] = {"glance": ("glance-api.conf",)}


def service_config_names(service: str) -> tuple[str, ...]:
    """File names of ``service``'s own config under /etc/<service>/."""
    return SERVICE_CONFIG_FILES.get(service, (f"{service}.conf",))


def service_of_config(path: str) -> str | None:
    """The service whose config ``path`` is: /etc/<service>/<name> with a known name, else None."""
    parts = path.rstrip("/").split("/")
    if len(parts) < 2:
        return None
    directory, base = parts[-2], parts[-1]
    if directory in SERVICES and base in service_config_names(directory):
        return directory
    return None


# oslo.config's Boolean type (oslo_config/types.py): case-insensitive.
OSLO_TRUE = frozenset({"true", "1", "on", "yes"})
OSLO_FALSE = frozenset({"false", "0", "off", "no"})

# P8: oslo.middleware's HTTPProxyToWSGI honours X-Forwarded-Proto / Forwarded only when
# [oslo_middleware] enable_proxy_headers_parsing = true (default False, oslo_middleware/http_proxy_to_wsgi.py;
# ironic doc/source/install/include/configure-ironic-api-wsgi.inc "Important Considerations").
PROXY_HEADERS_OPTION = ("oslo_middleware", "enable_proxy_headers_parsing")
FORWARDED_PROTO_HEADER = "x-forwarded-proto"

# X4: oslo.messaging's [oslo_messaging_rabbit] heartbeat_in_pthread (release notes
# run-heartbeat-in-pthread-by-default (first shipped in 12.6.0, Wallaby; default True), do-not-run-heartbeat-in-pthread-by-default
# (14.0.0, default False again, "for wsgi applications it is recommended to set this value to True",
# bug 1934937), deprecate-the-option-heartbeat_in_pthread (14.9.0), remove-heartbeat-in-pthread-option (18.0.0)).
HEARTBEAT_OPTION = ("oslo_messaging_rabbit", "heartbeat_in_pthread")
HEARTBEAT_RECOMMENDED_FROM = (14, 0, 0)
HEARTBEAT_DEPRECATED_IN = (14, 9, 0)
HEARTBEAT_REMOVED_IN = (18, 0, 0)
# oslo.messaging series per OpenStack release: the upper-constraints.txt of each stable branch of
# openstack/requirements (stable/2026.1: openstack/requirements@0190a07f0a:upper-constraints.txt pins
# oslo.messaging===17.3.0); 2026.2 (hibiscus) ships the 18 series, the one that removed heartbeat_in_pthread
# (openstack/releases@02df7c9a3c:deliverables/hibiscus/oslo.messaging.yaml: 18.0.0, 18.1.0, 18.2.0).
OSLO_MESSAGING_BY_RELEASE = {
    "wallaby": "12.7", "xena": "12.9", "yoga": "12.13", "zed": "14.0", "2023.1": "14.2", "2023.2": "14.4",
    "2024.1": "14.7", "2024.2": "14.9", "2025.1": "16.1", "2025.2": "17.1", "2026.1": "17.3", "2026.2": "18.0",
}
OSLO_MESSAGING_SOURCES = {
    "wallaby": "openstack/requirements@c5159ee9d4:upper-constraints.txt (wallaby-eom: 12.7.3)",
    "xena": "openstack/requirements@b44de01962:upper-constraints.txt (xena-eom: 12.9.4)",
    "yoga": "openstack/requirements@293555f381:upper-constraints.txt (yoga-eom: 12.13.3)",
    "zed": "openstack/requirements@39b99397ca:upper-constraints.txt (zed-eom: 14.0.3)",
    "2023.1": "openstack/requirements@65a429abab:upper-constraints.txt (2023.1-eom: 14.2.5)",
    "2023.2": "openstack/requirements@ee69687c12:upper-constraints.txt (2023.2-eol: 14.4.2)",
    "2024.1": "openstack/requirements@d98f6cb23f:upper-constraints.txt (2024.1-eom: 14.7.2)",
    "2024.2": "openstack/requirements@164c719330:upper-constraints.txt (2024.2-eol: 14.9.3)",
    "2025.1": "openstack/requirements@19088b84dc:upper-constraints.txt (stable/2025.1: 16.1.2)",
    "2025.2": "openstack/requirements@0e88245f54:upper-constraints.txt (stable/2025.2: 17.1.0)",
    "2026.1": "openstack/requirements@0190a07f0a:upper-constraints.txt (stable/2026.1: 17.3.0)",
    "2026.2": "openstack/releases@02df7c9a3c:deliverables/hibiscus/oslo.messaging.yaml (18.0.0, 18.1.0, 18.2.0)",
}


def oslo_messaging_version(release: str) -> str | None:
    """The oslo.messaging series assumed for an OpenStack release (None when unknown)."""
    try:
        return OSLO_MESSAGING_BY_RELEASE.get(normalize_release(release))
    except ValueError:
        return None


# X8: nova's Guru Meditation Report listens for SIGUSR2, which uWSGI takes for itself; under uWSGI
# nova needs a file trigger (nova releasenotes uwsgi-gmr-c00631db79836340; oslo.reports
# [oslo_reports] file_event_handler).
GMR_FILE_OPTION = ("oslo_reports", "file_event_handler")
GMR_SERVICES = ("nova",)

# X3: what a service needs besides its WSGI API (neutron doc/source/admin/config-wsgi.rst).
WSGI_SIDE_PROCESSES = {
    "neutron": ("neutron-rpc-server", "neutron-periodic-workers", "neutron-ovn-maintenance-worker"),
}
# X3: nova's compute and metadata APIs cannot share one WSGI process (nova doc/source/user/wsgi.rst:
# "sharing the compute and metadata service in the same process is not supported"; 33.0.0 versionchanged).
# Names that identify each application in a script path or module.
NOVA_COMPUTE_APP = ("nova-api-wsgi", "nova.wsgi.osapi_compute", "nova-api.wsgi", "osapi_compute")
NOVA_METADATA_APP = ("nova-metadata-wsgi", "nova.wsgi.metadata", "nova-metadata.wsgi", "nova-api-metadata")


# -- the chain: what each front end does to a chunked request body (issue 15 item 3) --------------------
# How a chunked request body leaves each kind of hop, with request buffering as configured. nginx
# proxy_pass: buffered whole and sent with Content-Length unless `proxy_request_buffering off` AND HTTP/1.1
# to the upstream; then streamed, re-chunked from its client_body_buffer_size buffer. nginx uwsgi_pass:
# always buffered (the uwsgi protocol has no chunked framing). mod_proxy_http: streamed chunked
# (re-chunked from HUGE_STRING_LEN reads) unless `proxy-sendcl` (or force-proxy-request-1.0): then
# spooled and sent with Content-Length. mod_proxy_uwsgi and mod_wsgi (WSGIChunkedRequest Off): 411.
# Measured in tests/test_proof_chain.py (nginx 1.22.1 + uWSGI 2.0.21).
CHUNKED_BY_HOP_KINDS = {
    "nginx_uwsgi": "content-length",
    "nginx_proxy": "content-length",  # with proxy_request_buffering on (the default), or HTTP/1.0
    "nginx_proxy_unbuffered": "rechunked",  # proxy_request_buffering off + proxy_http_version 1.1
    "proxy_http": "rechunked",
    "proxy_http_sendcl": "content-length",
    "proxy_uwsgi": "refused",
    "mod_wsgi": "refused",  # WSGIChunkedRequest Off (its default)
    "mod_wsgi_chunked": "rechunked",  # WSGIChunkedRequest On: the app reads wsgi.input to its end
}
# nginx's client_body_buffer_size default: two memory pages (8k on x86-64, 16k on other 64-bit
# platforms); the larger is taken as the most a re-chunking nginx passes on in one chunk.
NGINX_CLIENT_BODY_BUFFER_SIZE = 16384
# mod_proxy_http streams a chunked body in reads of HUGE_STRING_LEN (8192) bytes.
APACHE_PROXY_CHUNK_SIZE = 8192
# httpd takes "unix:///path" as "unix:/path" since 2.4.50 (CHANGES: "mod_proxy: Handle UDS URIs with empty
# hostname ("unix:///...") as if they had no hostname"); nginx opens the path as written ("///path" is
# "/path" to the kernel). wsgilint compares unix socket paths with repeated slashes collapsed.
UDS_EMPTY_HOST_SINCE = (2, 4, 50)

# -- where each version and behaviour fact above comes from ------------------------------------
# tests/test_facts.py requires a source for every version threshold and behaviour table here (the
# tables' rows carry their own: Default.source, RemovedScript.source, ServiceProfile.source,
# OSLO_MESSAGING_SOURCES): repo@commit:path, an upstream URL, or the test that measures the server.
SOURCES = {
    "CHUNKED_BY_HOP_KINDS": "nginx/nginx@3f6f7824d4:src/http/modules/ngx_http_proxy_module.c#L962 (no buffering only "
                            "with request_buffering off and, for chunked bodies, HTTP/1.1); "
                            "nginx/nginx@3f6f7824d4:src/http/modules/ngx_http_uwsgi_module.c#L755 (chunked always "
                            "buffered); apache/httpd@0cb680442e:modules/proxy/mod_proxy_http.c#L674 (proxy-sendcl: "
                            "RB_SPOOL_CL, else RB_STREAM_CHUNKED); apache/httpd@0cb680442e:modules/proxy/"
                            "mod_proxy_uwsgi.c#L575 (REQUEST_CHUNKED_ERROR: 411); tests/test_proof_chain.py measures "
                            "the nginx hops",
    "NGINX_CLIENT_BODY_BUFFER_SIZE": "nginx/nginx@3f6f7824d4:src/http/ngx_http_core_module.c#L3890 (2 * ngx_pagesize); "
                                     "https://nginx.org/en/docs/http/ngx_http_core_module.html#client_body_buffer_size",
    "APACHE_PROXY_CHUNK_SIZE": "apache/httpd@0cb680442e:modules/proxy/mod_proxy_http.c#L441 (ap_proxy_read_input "
                               "HUGE_STRING_LEN); tests/test_proof_catalog_uwsgi.py (2 MiB chunks pass through)",
    "UDS_EMPTY_HOST_SINCE": "apache/httpd@f45abec1bd:CHANGES#L1209 (Changes with Apache 2.4.50); "
                            "tests/test_proof_chain.py (nginx 1.22.1 serves unix:/// the same)",
    "UWSGI_PROXY_DEFAULT_PORT": "apache/httpd@f45abec1bd:modules/proxy/mod_proxy_uwsgi.c#L55 (UWSGI_DEFAULT_PORT 3031)",
    "LIMIT_REQUEST_BODY_DEFAULT_SINCE": "apache/httpd@f45abec1bd:CHANGES#L929 (Changes with Apache 2.4.54: "
                                        "LimitRequestBody 0 -> 1GB; commit apache/httpd@ce259c4061)",
    "LIMIT_REQUEST_BODY_KINDS": "tests/test_proof_catalog_apache.py (413 from mod_wsgi and mod_proxy_uwsgi; "
                                "mod_proxy_http streams the body)",
    "DISTRO_GRANTED_DIRS": "https://salsa.debian.org/apache-team/apache2/-/blob/master/debian/config-dir/apache2.conf "
                           "(<Directory /usr/share>, <Directory /var/www>: Require all granted)",
    "GLANCE_TASKS_UNDER_UWSGI_SINCE": "openstack/glance@16a5431c66:glance/common/wsgi.py (first tag 21.0.0)",
    "_EPOXY_MAJOR": SERVICE_MAJOR_SOURCE,
    "EVENTLET_UNTIL": "openstack/nova@35207ee8b5:releasenotes/notes/threading-by-default-sch-api-meta-"
                      "d2534ce9c7b69d8a.yaml (first tag 33.0.0)",
    "START_TIME_REQUIRED_SINCE": "openstack/neutron@2131d26f73:releasenotes/notes/wsgi_start-time-101ce9c9a36b8a4f.yaml "
                                 "(first tag 26.0.0)",
    "NEEDS_AUTHORIZATION_HEADER": "openstack/keystone@30ef2ffa65:doc/source/admin/oauth1.rst (WSGIPassAuthorization On)",
    "UWSGI_THREADS_DEFAULT_SINCE": "unbit/uwsgi@1caea16df8:core/init.c (core/uwsgi: set enable threads by default; "
                                   "first tag 2.0.27); tests/test_proof_uwsgi_versions.py measures it",
    "UWSGI_DIE_ON_TERM_DEFAULT_SINCE": "unbit/uwsgi@c5646c0ef9:core/master.c (2.0.30: SIGTERM is a brutal reload "
                                       "without die-on-term); tests/test_proof_uwsgi.py measures it",
    "UWSGI_MAX_BUFFER_SIZE": "unbit/uwsgi@0d1c793465:core/uwsgi.c (uwsgi_opt_set_16bit); "
                             "tests/test_proof_catalog_uwsgi.py measures it",
    "UWSGI_BYTE_OPTIONS": "unbit/uwsgi@0d1c793465:core/uwsgi.c (uwsgi_opt_set_64bit/_int/_16bit: strtoul/atoi); "
                          "tests/test_proof_uwsgi.py measures 64M as 64 bytes",
    "UWSGI_MEGABYTE_OPTIONS": "unbit/uwsgi@0d1c793465:core/uwsgi.c (uwsgi_opt_set_megabytes)",
    "UWSGI_MASTER_ONLY_OPTIONS": "unbit/uwsgi@6cbb2177ae:plugins/python/python_plugin.c (master only; absent from "
                                 "every 2.0.x tag: linter/data/uwsgi_options.txt)",
    "UWSGI_OPTIONS_FILE": "scripts/gen_uwsgi_options.py over unbit/uwsgi tags 2.0 .. 2.0.30 (commits in the file)",
    "NGINX_PROXY_HTTP11_DEFAULT_SINCE": "nginx/nginx@6bb27a6312:src/http/modules/ngx_http_proxy_module.c (first tag "
                                        "release-1.29.7); nginx/nginx@5ac6f49371:docs/xml/nginx/changes.xml",
    "HEARTBEAT_RECOMMENDED_FROM": "openstack/oslo.messaging@e44f286e:releasenotes/notes/do-not-run-heartbeat-in-pthread-"
                                  "by-default-42e1299f59b841f8.yaml (first tag 14.0.0)",
    "HEARTBEAT_DEPRECATED_IN": "openstack/oslo.messaging@133ca65f:releasenotes/notes/deprecate-the-option-heartbeat_"
                               "in_pthread-from-rabbit-driver-5757adb83701caa5.yaml (first tag 14.9.0)",
    "HEARTBEAT_REMOVED_IN": "openstack/oslo.messaging@624f8572:releasenotes/notes/remove-heartbeat-in-pthread-option-"
                            "0ffa11bfc07c58e2.yaml (first tag 18.0.0)",
    "OSLO_MESSAGING_BY_RELEASE": "OSLO_MESSAGING_SOURCES (one per row)",
    "RELEASE_NAMES": "openstack/releases@02df7c9a3c:data/series_status.yaml",
    "GMR_SERVICES": "openstack/nova@00a030403f:releasenotes/notes/uwsgi-gmr-c00631db79836340.yaml (first tag 27.0.0)",
    "WSGI_SIDE_PROCESSES": "openstack/neutron@2131d26f73:doc/source/admin/config-wsgi.rst",
    "NOVA_COMPUTE_APP": "openstack/nova@00a030403f:doc/source/admin/wsgi.rst (compute and metadata cannot share "
                        "a process)",
    "PROXY_HEADERS_OPTION": "openstack/ironic@7bc6aba7dd:doc/source/install/include/configure-ironic-api-wsgi.inc; "
                            "oslo.middleware http_proxy_to_wsgi.py (enable_proxy_headers_parsing default False)",
}
