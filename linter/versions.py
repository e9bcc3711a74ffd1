"""The versions a deployment holds, read from its own package records, read-only, inside the root.

``detect(fs)`` returns ``{component: Detected}`` for what it finds of httpd, mod_wsgi,
uwsgi, uwsgi-python (the python plugin), nginx, the OpenStack services (keystone, glance,
nova, ...) and oslo.messaging. ``detect_all(fs)`` returns the same plus a list of notes:
one line each for input that was skipped (unreadable, malformed, not a regular file,
over a limit) and for sources that disagree. Neither ever raises on what the tree holds.

Sources, in this order (each later one overrides an earlier one for the same component):

1. dpkg: ``/var/lib/dpkg/status``, paragraphs whose Status is ``install ok installed``
   (or ``hold ok installed``: held, still installed). The version is the upstream part
   (epoch, Debian revision and a ``+dfsg``/``+ds``/``+repack`` suffix dropped); ``source``
   keeps the raw one.
2. RPM: ``/var/lib/rpm/rpmdb.sqlite`` or ``/usr/lib/sysimage/rpm/rpmdb.sqlite`` (rpm >= 4.16),
   opened read-only with the standard library's sqlite3 (``mode=ro&immutable=1``: no
   journal, no lock, no WAL or shm file is created) through a descriptor opened inside the
   root (``/proc/self/fd/N``), header blobs parsed here (NAME, VERSION, RELEASE, EPOCH).
   The older BerkeleyDB ``Packages`` file is not parsed: only a note says it is there.
3. Python package metadata (``*.dist-info/METADATA``, ``*.egg-info/PKG-INFO``, else the
   version in the directory name), from a fixed list of directories, each listed once
   (no recursive walk), at most ``METADATA_HEAD`` bytes read per file, in this order:
   the distro's ``/usr/lib{,64}/python3*/{site,dist}-packages``; pip's
   ``/usr/local/lib{,64}/python3*/{site,dist}-packages``; the virtualenvs of kolla
   (``/var/lib/kolla/venv``), openstack-helm/loci (``/var/lib/openstack``) and devstack
   (``/opt/stack/data/venv``); devstack's source checkouts
   (``/opt/stack/<service>/<service>.egg-info``).

Why "later wins": when two sources disagree, keep the one that runs. A package database
records what the distro installed; Python metadata records what Python imports, and pip
installs shadow the distro's (Debian's ``/usr/local/lib/python3.X/dist-packages`` comes
before ``/usr/lib/python3/dist-packages`` on ``sys.path``), while kolla, loci and devstack
images run their services (and a pip-built uWSGI) from the virtualenv or the checkout. A
tree with both a dpkg and an rpm database is unusual; the RPM one is taken as the more
specific (it only holds what someone installed with rpm on purpose). Within one source the
package that holds the code wins over its companions (apache2-bin over apache2,
python3-keystone over keystone-common). Every disagreement is listed in the notes.

Nothing here writes, executes or fetches; every path is a config path resolved by
``fs`` (wsgilint.fsroot.FileSystem) inside its root, and the two reads that cannot go through
``fs.read_bytes`` (a file's first KB, an SQLite database) open the host path that ``fs.resolve``
confined, with fsroot's flags (O_NOFOLLOW, O_NONBLOCK) and a regular-file check on the
descriptor. Cost: linear in the size of the dpkg status file (measured in
tests/test_versions.py::test_speed_on_this_machines_status) plus a few directory listings.
"""

from __future__ import annotations

import os
import re
import stat
import struct

from wsgilint.fsroot import _OPEN_FLAGS, ReadError
from wsgilint.numbers import is_digits, parse_int
from wsgilint.record import FrozenRecord, set_field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from wsgilint.fsroot import FileSystem

OPENSTACK_SERVICES = (
    "keystone", "glance", "nova", "placement", "cinder", "heat", "neutron", "barbican", "manila",
    "octavia", "designate", "ironic", "swift", "aodh", "gnocchi", "cyborg", "masakari",
)
COMPONENTS = ("httpd", "mod_wsgi", "uwsgi", "uwsgi-python", "nginx") + OPENSTACK_SERVICES + ("oslo.messaging",)

DPKG_STATUS = "/var/lib/dpkg/status"
RPMDB_PATHS = ("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite")
RPMDB_BDB = "/var/lib/rpm/Packages"  # rpm < 4.16 (RHEL 8, CentOS 7): noted, not parsed
METADATA_HEAD = 8192  # bytes read of a METADATA / PKG-INFO: the headers come first
RPM_MAX_HEADER = 64 << 20  # rpm's own limit on a header's data (headerImport: 256 MiB); ours is lower
RPM_MAX_ROWS = 200_000  # headers parsed when the Name index is missing
SQLITE_STEP_BUDGET = 50_000  # progress-handler calls (x1000 VM steps) before a query is cut off


class Detected(FrozenRecord):
    """One component's version as the tree records it."""

    __slots__ = ("component", "version", "source")

    component: str  # one of COMPONENTS
    version: str  # upstream version: "2.0.21", "25.0.0"
    source: str  # config path + the package as recorded: "/var/lib/dpkg/status: uwsgi-core 2.0.21-5.1"

    def __init__(self, component: str, version: str, source: str) -> None:
        set_field(self, "component", component)
        set_field(self, "version", version)
        set_field(self, "source", source)


def detect(fs: "FileSystem") -> dict[str, Detected]:
    """{component: Detected} for what the tree under ``fs``'s root records (see the module doc)."""
    return detect_all(fs)[0]


def detect_all(fs: "FileSystem") -> tuple[dict[str, Detected], list[str]]:
    """``detect`` plus notes: skipped inputs and disagreements between sources, one line each."""
    notes: list[str] = []
    found: dict[str, Detected] = {}
    for layer in (_from_dpkg(fs, notes), _from_rpm(fs, notes), *_from_python(fs, notes)):
        for comp, det in layer.items():
            old = found.get(comp)
            if old is not None and old.version != det.version:
                notes.append(f"{comp}: {det.version} ({det.source}) overrides {old.version} ({old.source})")
            found[comp] = det
    return {c: found[c] for c in COMPONENTS if c in found}, notes


# -- package names -> components ---------------------------------------------------------
# Lower rank wins within one source: the package holding the binary or the code first.
def _service_names(prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for svc in OPENSTACK_SERVICES:
        rank = 10
        for p in prefixes:
            out[p + svc] = (svc, rank)
            rank += 1
        for s in suffixes:
            out[svc + s] = (svc, rank)
            rank += 1
    return out


DPKG_PACKAGES: dict[str, tuple[str, int]] = {
    "apache2-bin": ("httpd", 0), "apache2": ("httpd", 1),
    "libapache2-mod-wsgi-py3": ("mod_wsgi", 0),
    "uwsgi-core": ("uwsgi", 0),
    "uwsgi-plugin-python3": ("uwsgi-python", 0),
    "nginx-core": ("nginx", 0), "nginx-light": ("nginx", 0), "nginx-full": ("nginx", 0),
    "nginx-extras": ("nginx", 0), "nginx": ("nginx", 1), "nginx-common": ("nginx", 2),
    "python3-oslo.messaging": ("oslo.messaging", 0),
    **_service_names(("python3-",), ("-common", "-api")),
}
RPM_PACKAGES: dict[str, tuple[str, int]] = {
    "httpd-core": ("httpd", 0), "httpd": ("httpd", 1),
    "python3-mod_wsgi": ("mod_wsgi", 0),
    "uwsgi": ("uwsgi", 0),
    "uwsgi-plugin-python3": ("uwsgi-python", 0),
    "nginx-core": ("nginx", 0), "nginx": ("nginx", 1),
    "python3-oslo-messaging": ("oslo.messaging", 0),
    **{f"python3-{s}": (s, 10) for s in OPENSTACK_SERVICES},
    **{f"openstack-{s}-common": (s, 11) for s in OPENSTACK_SERVICES},
    **{f"openstack-{s}-api": (s, 12) for s in OPENSTACK_SERVICES},
}
# Python distribution names (normalized as PEP 503: lower case, runs of -_. as "-").
PY_DISTS: dict[str, str] = {
    **{s: s for s in OPENSTACK_SERVICES},
    "uwsgi": "uwsgi", "mod-wsgi": "mod_wsgi", "oslo-messaging": "oslo.messaging",
}

_VERSION_OK = re.compile(r"[0-9][0-9A-Za-z.+!~_-]{0,63}\Z")
_DEB_REPACK = re.compile(r"[+~](?:dfsg|ds|repack)[0-9.]*\Z")


def _pick(out: dict[str, tuple[int, Detected]], comp: str, rank: int, det: Detected) -> None:
    old = out.get(comp)
    if old is None or rank < old[0]:
        out[comp] = (rank, det)


# -- 1. dpkg -------------------------------------------------------------------------------
def debian_upstream(version: str) -> str:
    """The upstream part of a Debian version: '2:25.0.0-0ubuntu1' -> '25.0.0', '1.2+dfsg-3' -> '1.2'."""
    v = version.partition(":")[2] if ":" in version else version
    if "-" in v:
        v = v.rpartition("-")[0]
    return _DEB_REPACK.sub("", v)


def _from_dpkg(fs: "FileSystem", notes: list[str]) -> dict[str, Detected]:
    data = _read_whole(fs, DPKG_STATUS, notes)
    if data is None:
        return {}
    text = data.decode("utf-8", "replace")
    wanted = DPKG_PACKAGES
    out: dict[str, tuple[int, Detected]] = {}
    # A paragraph per package; only the wanted ones are parsed past their Package line.
    for para in text.split("\n\n"):
        head = para.lstrip("\n")
        if head.startswith("Package:"):
            name = head[8:head.find("\n") if "\n" in head else len(head)].strip()
        else:
            m = re.search(r"^Package:[ \t]*(\S+)", para, re.M)
            if m is None:
                continue
            name = m.group(1)
        hit = wanted.get(name)
        if hit is None:
            continue
        fields = _rfc822_fields(para, ("Status", "Version"))
        status = fields.get("Status", "").split()
        if len(status) != 3 or status[0] not in ("install", "hold") or status[1:] != ["ok", "installed"]:
            continue
        raw = fields.get("Version", "")
        version = debian_upstream(raw)
        if not _VERSION_OK.match(version):
            notes.append(f"{DPKG_STATUS}: {name}: version {raw[:80]!r} not understood; ignored")
            continue
        comp, rank = hit
        _pick(out, comp, rank, Detected(comp, version, f"{DPKG_STATUS}: {name} {raw}"))
    return {c: d for c, (_, d) in out.items()}


def _rfc822_fields(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """The first value of each named ``Field: value`` line (continuation lines ignored)."""
    out: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            break  # end of the header block (METADATA: the description follows)
        name, colon, value = line.partition(":")
        if colon and name in names and name not in out:
            out[name] = value.strip()
    return out


# -- 2. RPM --------------------------------------------------------------------------------
_TAG_NAME, _TAG_VERSION, _TAG_RELEASE, _TAG_EPOCH = 1000, 1001, 1002, 1003
_TYPE_INT32, _TYPE_STRING, _TYPE_I18N = 4, 6, 9
_ENTRY = struct.Struct(">iIiI")  # tag, type, offset, count (rpm's entryInfo, big-endian)


def rpm_header_nevr(blob: bytes) -> tuple[str, str, str, int | None] | None:
    """(name, version, release, epoch) of an RPM header blob as rpmdb stores it, or None.

    Layout (rpm lib/header.c, headerImport of a blob without the 8-byte magic): index
    count and data length (big-endian int32), that many 16-byte entries, then the data.
    """
    if not isinstance(blob, (bytes, bytearray, memoryview)) or len(blob) < 8:
        return None
    blob = bytes(blob)
    il, dl = struct.unpack_from(">II", blob, 0)
    start = 8 + 16 * il
    if il < 1 or il > 0xFFFF or dl > RPM_MAX_HEADER or start + dl > len(blob):
        return None
    end = start + dl
    strings: dict[int, str] = {}
    epoch = None
    for tag, typ, off, count in _ENTRY.iter_unpack(blob[8:start]):
        if tag in (_TAG_NAME, _TAG_VERSION, _TAG_RELEASE) and typ in (_TYPE_STRING, _TYPE_I18N):
            if off < 0 or start + off >= end:
                return None
            nul = blob.find(b"\0", start + off, end)
            if nul < 0:
                return None
            strings[tag] = blob[start + off:nul].decode("utf-8", "replace")
        elif tag == _TAG_EPOCH and typ == _TYPE_INT32 and count >= 1:
            if off < 0 or off % 4 or start + off + 4 > end:
                return None
            epoch = struct.unpack_from(">i", blob, start + off)[0]
    if len(strings) != 3:
        return None
    return strings[_TAG_NAME], strings[_TAG_VERSION], strings[_TAG_RELEASE], epoch


def _from_rpm(fs: "FileSystem", notes: list[str]) -> dict[str, Detected]:
    for path in RPMDB_PATHS:
        if fs.exists(path):
            return _read_rpmdb(fs, path, notes)
    if fs.exists(RPMDB_BDB):
        notes.append(f"{RPMDB_BDB}: a BerkeleyDB RPM database (rpm < 4.16); not read")
    return {}


def _read_rpmdb(fs: "FileSystem", path: str, notes: list[str]) -> dict[str, Detected]:
    try:
        fd = _open_regular(fs, path)
    except _Skip as exc:
        notes.append(f"{path}: {exc}; not read")
        return {}
    import sqlite3  # lazy: ~5 ms, and only trees with an rpmdb need it

    conn = None
    try:
        proc = f"/proc/self/fd/{fd}"
        if not os.path.exists(proc):  # no /proc: sqlite cannot open the descriptor
            notes.append(f"{path}: /proc is not mounted, cannot open the database read-only; not read")
            return {}
        # mode=ro: never written; immutable=1: no lock, no journal, no -wal/-shm file.
        conn = sqlite3.connect(f"file:{proc}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        steps = [0]

        def budget() -> int:  # a hostile or huge database cannot keep us busy for long
            steps[0] += 1
            return 1 if steps[0] > SQLITE_STEP_BUDGET else 0

        conn.set_progress_handler(budget, 1000)
        names = sorted(RPM_PACKAGES)
        try:
            marks = ",".join("?" * len(names))
            rows = conn.execute(
                f"SELECT blob FROM Packages WHERE hnum IN (SELECT hnum FROM Name WHERE key IN ({marks}))",
                names).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table: Name" not in str(exc):
                raise
            rows = conn.execute("SELECT blob FROM Packages LIMIT ?", (RPM_MAX_ROWS,)).fetchall()
        out: dict[str, tuple[int, Detected]] = {}
        bad = 0
        for (blob,) in rows:
            nevr = rpm_header_nevr(blob)
            if nevr is None:
                bad += 1
                continue
            name, version, release, epoch = nevr
            hit = RPM_PACKAGES.get(name)
            if hit is None:
                continue
            if not _VERSION_OK.match(version):
                notes.append(f"{path}: {name}: version {version[:80]!r} not understood; ignored")
                continue
            raw = f"{epoch}:{version}-{release}" if epoch else f"{version}-{release}"
            comp, rank = hit
            _pick(out, comp, rank, Detected(comp, version, f"{path}: {name} {raw}"))
        if bad:
            notes.append(f"{path}: {bad} malformed package header(s) skipped")
        return {c: d for c, (_, d) in out.items()}
    except sqlite3.Error as exc:
        notes.append(f"{path}: not a readable RPM database ({str(exc)[:120]}); not read")
        return {}
    finally:
        if conn is not None:
            conn.close()
        os.close(fd)


# -- 3. Python package metadata ------------------------------------------------------------
PY_PLACES: tuple[tuple[str, ...], ...] = (
    ("/usr/lib/python3*/site-packages", "/usr/lib/python3*/dist-packages",
     "/usr/lib64/python3*/site-packages", "/usr/lib64/python3*/dist-packages"),
    ("/usr/local/lib/python3*/site-packages", "/usr/local/lib/python3*/dist-packages",
     "/usr/local/lib64/python3*/site-packages", "/usr/local/lib64/python3*/dist-packages"),
    ("/var/lib/kolla/venv/lib/python3*/site-packages", "/var/lib/kolla/venv/lib64/python3*/site-packages",
     "/var/lib/openstack/lib/python3*/site-packages", "/var/lib/openstack/lib64/python3*/site-packages",
     "/opt/stack/data/venv/lib/python3*/site-packages"),
)
DEVSTACK = "/opt/stack"


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _py_key(path: str) -> tuple:
    """Sort python3.9 before python3.11 (byte order would not)."""
    return tuple(parse_int(n) if is_digits(n) else n for n in re.split(r"([0-9]+)", path))


def _from_python(fs: "FileSystem", notes: list[str]) -> list[dict[str, Detected]]:
    layers = []
    for patterns in PY_PLACES:
        dirs: list[str] = []
        for pattern in patterns:
            try:
                dirs.extend(fs.glob(pattern))
            except ReadError as exc:
                notes.append(f"{pattern}: {str(exc)[:160]}")
        layer: dict[str, Detected] = {}
        for d in sorted(set(dirs), key=_py_key):
            if fs.is_dir(d):
                layer.update(_scan_site(fs, d, notes))
        layers.append(layer)
    layers.append(_scan_devstack(fs, notes))
    return layers


def _scan_site(fs: "FileSystem", site: str, notes: list[str]) -> dict[str, Detected]:
    out: dict[str, Detected] = {}
    for entry, kind in fs.scan(site):
        if entry.endswith(".dist-info"):
            meta = "METADATA"
        elif entry.endswith(".egg-info"):
            meta = "PKG-INFO"
        else:
            continue
        stem = entry.rpartition(".")[0]
        name, _, rest = stem.partition("-")
        comp = PY_DISTS.get(_normalize(name))
        if comp is None:
            continue
        det = _read_dist(fs, f"{site}/{entry}", meta if kind in ("dir", "link-dir") else None,
                         comp, name, rest.partition("-")[0], notes)
        if det is None:
            continue
        old = out.get(comp)
        if old is not None and old.version != det.version:
            notes.append(f"{comp}: two versions in {site} ({old.version}, {det.version}); "
                         f"kept {det.version}, the later by name")
        out[comp] = det
    return out


def _scan_devstack(fs: "FileSystem", notes: list[str]) -> dict[str, Detected]:
    """devstack's checkouts: /opt/stack/<name>/<name>.egg-info (``pip install -e``)."""
    out: dict[str, Detected] = {}
    if not fs.is_dir(DEVSTACK):
        return out
    for entry, kind in fs.scan(DEVSTACK):
        comp = PY_DISTS.get(_normalize(entry))
        if comp is None or kind not in ("dir", "link-dir"):
            continue
        egg = f"{DEVSTACK}/{entry}/{entry.replace('-', '_')}.egg-info"
        if fs.is_dir(egg):
            det = _read_dist(fs, egg, "PKG-INFO", comp, entry, "", notes)
            if det is not None:
                out[comp] = det
    return out


def _read_dist(fs: "FileSystem", path: str, meta: str | None, comp: str, dist: str, name_version: str,
               notes: list[str]) -> Detected | None:
    """A Detected from a dist-info/egg-info (a directory with ``meta``, or an egg-info file)."""
    file = f"{path}/{meta}" if meta else path
    version = ""
    shown = file
    try:
        head = _read_head(fs, file, METADATA_HEAD)
    except _Skip as exc:
        if fs.exists(file):
            notes.append(f"{file}: {exc}; version taken from the directory name")
    else:
        if len(head) == METADATA_HEAD:  # cut: drop the partial last line (a "Version: 25.0" of "25.0.1")
            head = head[:head.rfind(b"\n") + 1]
        fields = _rfc822_fields(head.decode("utf-8", "replace").replace("\r\n", "\n"), ("Name", "Version"))
        version = fields.get("Version", "")
        if version and not _VERSION_OK.match(version):
            notes.append(f"{file}: Version {version[:80]!r} not understood")
            version = ""
        if fields.get("Name") and PY_DISTS.get(_normalize(fields["Name"])) != comp:
            notes.append(f"{file}: Name {fields['Name'][:80]!r} does not match the directory; ignored")
            return None
        dist = fields.get("Name") or dist
    if not version:
        version, shown = name_version, path
        if not _VERSION_OK.match(version):
            return None
    return Detected(comp, version, f"{shown}: {dist} {version}")


# -- reads that fs.read_bytes cannot do ------------------------------------------------------
class _Skip(Exception):
    """This input is not read (the message says why, one line)."""


def _read_whole(fs: "FileSystem", path: str, notes: list[str]) -> bytes | None:
    if not fs.exists(path) and not fs.is_symlink(path):
        return None
    try:
        return fs.read_bytes(path)
    except ReadError as exc:
        notes.append(f"{path}: {str(exc)[:200]}")
        return None


def _open_regular(fs: "FileSystem", path: str) -> int:
    """A read-only descriptor of the regular file at config path ``path``, confined to the root."""
    try:
        host = fs.resolve(path)
    except ReadError as exc:
        raise _Skip(str(exc)) from None
    # fs's own opener when it has one (openat from vetted directory descriptors); else
    # the same flags: O_NOFOLLOW | O_NONBLOCK, no late symlink, no FIFO hang.
    opener = getattr(fs, "_open_file", None)
    try:
        fd = opener(host) if opener is not None else os.open(host, _OPEN_FLAGS)
    except OSError as exc:
        raise _Skip(os.strerror(exc.errno or 5)) from None
    try:
        st = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise _Skip(os.strerror(exc.errno or 5)) from None
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _Skip("is a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file")
    return fd


def _read_head(fs: "FileSystem", path: str, limit: int) -> bytes:
    """At most ``limit`` bytes from the start of a regular file inside the root."""
    fd = _open_regular(fs, path)
    try:
        chunks = []
        got = 0
        while got < limit:
            chunk = os.read(fd, limit - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _Skip(os.strerror(exc.errno or 5)) from None
    finally:
        os.close(fd)
