"""wsgilint.versions: versions read from what a tree holds, read-only, inside the root.

The inputs are made by the real tools wherever one exists: this machine's own dpkg
status (checked against ``dpkg-query``), an rpmdb.sqlite written by Debian's ``rpm``
from packages built by ``rpmbuild`` (checked against ``rpm -q``), dist-info written by
``pip install --target`` and egg-info written by setuptools' ``egg_info``. A missing tool
is a loud skip, a failure under WSGILINT_REQUIRE_ORACLES=1 (tests/oracle.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from contextlib import contextmanager

import oracle
import pytest

from wsgilint.fsroot import FileSystem
from wsgilint.limits import Limits
from wsgilint.versions import Detected, debian_upstream, detect, detect_all, rpm_header_nevr

DPKG_COMPONENTS = {  # Debian binary package -> component, as on this machine (scripts/install-deps.sh)
    "apache2-bin": "httpd",
    "libapache2-mod-wsgi-py3": "mod_wsgi",
    "uwsgi-core": "uwsgi",
    "uwsgi-plugin-python3": "uwsgi-python",
    "nginx": "nginx",
}


@contextmanager
def no_hang(seconds: int = 20):
    """Fail (instead of hanging the suite) if the body blocks, e.g. on a FIFO."""
    def boom(*_):
        raise AssertionError(f"blocked for {seconds} s")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _write(path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def _status(*paras: str) -> str:
    return "\n".join(p.strip("\n") + "\n" for p in paras)


def _para(name: str, version: str, status: str = "install ok installed") -> str:
    return (f"Package: {name}\nStatus: {status}\nPriority: optional\nSection: python\n"
            f"Maintainer: Someone <a@b.c>\nArchitecture: all\nVersion: {version}\n"
            f"Description: a package\n continued description\n .\n more\n")


# -- dpkg ----------------------------------------------------------------------------------
def _installed_upstream(pkg: str) -> str | None:
    """dpkg's own upstream version of an installed package (its source's Upstream-Version)."""
    dpkg_query = oracle.require("dpkg-query", "the dpkg status oracle")
    res = subprocess.run([dpkg_query, "-W", "-f", "${Status}\t${source:Upstream-Version}", pkg],
                         capture_output=True, text=True)
    if res.returncode != 0 or not res.stdout.startswith("install ok installed\t"):
        return None
    return res.stdout.split("\t", 1)[1]


def test_this_machines_dpkg_status_gives_the_installed_versions(tmp_path):
    if not os.path.isfile("/var/lib/dpkg/status"):
        oracle.missing("/var/lib/dpkg/status (not a Debian machine)", "dpkg status")
    expected = {}
    for pkg, comp in DPKG_COMPONENTS.items():
        up = _installed_upstream(pkg)
        if up is None:
            oracle.missing(f"Debian package {pkg} not installed", "dpkg status versions")
        expected[comp] = (up, pkg)
    _write(tmp_path / "var/lib/dpkg/status", open("/var/lib/dpkg/status", "rb").read())
    found = detect(FileSystem(str(tmp_path)))
    for comp, (up, pkg) in expected.items():
        assert found[comp].version == up, (comp, found[comp], up)
        assert found[comp].source.startswith(f"/var/lib/dpkg/status: {pkg} "), found[comp]
    raw = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "uwsgi-core"],
                         capture_output=True, text=True).stdout
    assert found["uwsgi"].source == f"/var/lib/dpkg/status: uwsgi-core {raw}"  # the raw version kept


def test_hand_written_status_openstack_and_states(tmp_path):
    _write(tmp_path / "var/lib/dpkg/status", _status(
        _para("keystone-common", "2:25.0.0-0ubuntu1"),
        _para("python3-keystone", "2:25.0.0-0ubuntu1"),
        _para("python3-glance", "2:28.1.0-0ubuntu1", status="deinstall ok config-files"),
        _para("glance-common", "2:28.1.0-0ubuntu1", status="install ok half-configured"),
        _para("python3-nova", "3:29.0.1+dfsg-1", status="hold ok installed"),
        _para("python3-oslo.messaging", "14.7.0-2"),
        _para("nginx-common", "1.24.0-2ubuntu7"),
        _para("nginx", "1.24.0-2ubuntu7.1"),
        _para("apache2", "2.4.58-1ubuntu8"),
        _para("python3-keystoneclient", "1:5.4.0-0ubuntu1"),  # not keystone
        _para("heat-api", "1:22.0.0-0ubuntu1"),
    ))
    found, notes = detect_all(FileSystem(str(tmp_path)))
    assert found["keystone"] == Detected("keystone", "25.0.0",
                                         "/var/lib/dpkg/status: python3-keystone 2:25.0.0-0ubuntu1")
    assert "glance" not in found  # removed (config files only) and half-configured
    assert found["nova"].version == "29.0.1"  # held is installed; epoch and +dfsg dropped
    assert found["oslo.messaging"].version == "14.7.0"
    assert found["nginx"].source == "/var/lib/dpkg/status: nginx 1.24.0-2ubuntu7.1"  # nginx over nginx-common
    assert found["httpd"].version == "2.4.58"
    assert found["heat"].version == "22.0.0"
    assert set(found) == {"keystone", "nova", "oslo.messaging", "nginx", "httpd", "heat"}
    assert notes == []


@pytest.mark.parametrize("raw, upstream", [
    ("2:25.0.0-0ubuntu1", "25.0.0"), ("2.0.21-5.1", "2.0.21"), ("2.4.71-1~deb12u1", "2.4.71"),
    ("1.22.1-9+deb12u11", "1.22.1"), ("4.9.4-1+b2", "4.9.4"), ("3:29.0.1+dfsg-1", "29.0.1"),
    ("1.0", "1.0"), ("1:2.0-rc1-3", "2.0-rc1"), ("25.0.0~rc1-0ubuntu1", "25.0.0~rc1"),
])
def test_debian_upstream(raw, upstream):
    assert debian_upstream(raw) == upstream


def test_speed_on_this_machines_status(tmp_path, capsys):
    """Not asserted (no timing asserts): printed for the record (pytest -s)."""
    if not os.path.isfile("/var/lib/dpkg/status"):
        oracle.missing("/var/lib/dpkg/status (not a Debian machine)", "dpkg status")
    _write(tmp_path / "var/lib/dpkg/status", open("/var/lib/dpkg/status", "rb").read())
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        found = detect(FileSystem(str(tmp_path)))
        best = min(best, time.perf_counter() - t)
    assert "uwsgi" in found or _installed_upstream("uwsgi-core") is None
    with capsys.disabled():
        size = os.path.getsize(tmp_path / "var/lib/dpkg/status")
        print(f"\n[versions] detect() on a copy of /var/lib/dpkg/status ({size} bytes): {best * 1e3:.1f} ms")


# -- RPM -----------------------------------------------------------------------------------
RPMS = [  # name, epoch, version, release
    ("httpd-core", 0, "2.4.62", "1.el10"),
    ("httpd", 0, "2.4.62", "1.el10"),
    ("python3-mod_wsgi", 0, "4.9.4", "5.el10"),
    ("uwsgi", 0, "2.0.26", "2.el10"),
    ("uwsgi-plugin-python3", 0, "2.0.26", "2.el10"),
    ("nginx", 2, "1.26.3", "1.el10"),
    ("openstack-keystone-common", 1, "25.0.0", "1.el9"),
    ("python3-oslo-messaging", 0, "14.7.0", "1.el9"),
    ("python3-keystoneclient", 0, "5.4.0", "1.el9"),
]


def _rpm_tools():
    return oracle.require("rpm", "the RPM database oracle"), oracle.require("rpmbuild", "building test RPMs")


@pytest.fixture(scope="module")
def rpmdb(tmp_path_factory):
    """A /var/lib/rpm/rpmdb.sqlite written by the real rpm, holding RPMS."""
    rpm, rpmbuild = _rpm_tools()
    work = tmp_path_factory.mktemp("rpmbuild")
    rpms = []
    for name, epoch, version, release in RPMS:
        spec = work / f"{name}.spec"
        spec.write_text(f"Name: {name}\nVersion: {version}\nRelease: {release}\n"
                        + (f"Epoch: {epoch}\n" if epoch else "")
                        + "Summary: test\nLicense: MIT\nBuildArch: noarch\n%description\ntest\n%files\n")
        subprocess.run([rpmbuild, "--quiet", "--define", f"_topdir {work}/top", "--define", "_build_id_links none",
                        "-bb", str(spec)], check=True, capture_output=True)
        rpms.append(str(work / "top/RPMS/noarch" / f"{name}-{version}-{release}.noarch.rpm"))
    root = work / "root"
    dbpath = root / "var/lib/rpm"
    dbpath.mkdir(parents=True)
    subprocess.run([rpm, "--dbpath", str(dbpath), "--define", "_db_backend sqlite", "--justdb", "--nodeps",
                    "--noscripts", "--ignorearch", "--ignoreos", "-i", *rpms], check=True, capture_output=True)
    assert (dbpath / "rpmdb.sqlite").is_file()
    return root


def _snapshot(d) -> dict:
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        st = os.lstat(p)
        out[name] = (st.st_size, st.st_mtime_ns, hashlib.sha256(open(p, "rb").read()).hexdigest())
    return out


def test_rpmdb_written_by_rpm(rpmdb):
    rpm, _ = _rpm_tools()
    dbdir = rpmdb / "var/lib/rpm"
    q = subprocess.run([rpm, "--dbpath", str(dbdir), "-q", "--qf", "%{NAME} %{VERSION}\n", "uwsgi", "nginx"],
                       capture_output=True, text=True, check=True).stdout.split("\n")
    assert q[:2] == ["uwsgi 2.0.26", "nginx 1.26.3"]  # the oracle agrees with what we wrote
    before = _snapshot(dbdir)
    found, notes = detect_all(FileSystem(str(rpmdb)))
    assert _snapshot(dbdir) == before  # nothing written, created or touched
    db = "/var/lib/rpm/rpmdb.sqlite"
    assert found == {
        "httpd": Detected("httpd", "2.4.62", f"{db}: httpd-core 2.4.62-1.el10"),
        "mod_wsgi": Detected("mod_wsgi", "4.9.4", f"{db}: python3-mod_wsgi 4.9.4-5.el10"),
        "uwsgi": Detected("uwsgi", "2.0.26", f"{db}: uwsgi 2.0.26-2.el10"),
        "uwsgi-python": Detected("uwsgi-python", "2.0.26", f"{db}: uwsgi-plugin-python3 2.0.26-2.el10"),
        "nginx": Detected("nginx", "1.26.3", f"{db}: nginx 2:1.26.3-1.el10"),
        "keystone": Detected("keystone", "25.0.0", f"{db}: openstack-keystone-common 1:25.0.0-1.el9"),
        "oslo.messaging": Detected("oslo.messaging", "14.7.0", f"{db}: python3-oslo-messaging 14.7.0-1.el9"),
    }
    assert notes == []


def test_rpmdb_leaves_no_journal_wal_or_shm(rpmdb, tmp_path):
    """Without rpm's -wal/-shm files next to it, reading creates none (immutable=1, mode=ro)."""
    dbdir = tmp_path / "usr/lib/sysimage/rpm"  # rpm >= 4.16's path
    dbdir.mkdir(parents=True)
    shutil.copy2(rpmdb / "var/lib/rpm/rpmdb.sqlite", dbdir / "rpmdb.sqlite")
    os.chmod(dbdir / "rpmdb.sqlite", 0o444)
    before = _snapshot(dbdir)
    found = detect(FileSystem(str(tmp_path)))
    assert _snapshot(dbdir) == before and list(before) == ["rpmdb.sqlite"]
    assert found["uwsgi"].source == "/usr/lib/sysimage/rpm/rpmdb.sqlite: uwsgi 2.0.26-2.el10"


def test_rpm_header_parser_on_real_blobs_truncated_and_corrupted(rpmdb):
    import sqlite3
    conn = sqlite3.connect(f"file:{rpmdb}/var/lib/rpm/rpmdb.sqlite?mode=ro&immutable=1", uri=True)
    blobs = [bytes(b) for (b,) in conn.execute("SELECT blob FROM Packages")]
    conn.close()
    got = {rpm_header_nevr(b) for b in blobs}
    assert got == {(n, v, r, e or None) for n, e, v, r in RPMS}
    blob = blobs[0]
    for cut in range(len(blob)):  # every truncation: None, never an exception
        assert rpm_header_nevr(blob[:cut]) is None
    import random
    rnd = random.Random(13)
    for _ in range(3000):  # random corruption: a tuple of str or None, never an exception
        b = bytearray(blob)
        for _ in range(rnd.randint(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        res = rpm_header_nevr(bytes(b))
        assert res is None or all(isinstance(x, str) for x in res[:3])
    assert rpm_header_nevr(struct.pack(">II", 0xFFFFFFFF, 0xFFFFFFFF)) is None
    assert rpm_header_nevr(b"") is None


def test_corrupt_rpmdb_and_berkeleydb_are_skipped(rpmdb, tmp_path):
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    (tmp_path / "var/lib/rpm/Packages").write_bytes(b"\x00\x06\x15\x61" * 1000)  # BerkeleyDB: not read
    found, notes = detect_all(FileSystem(str(tmp_path)))
    assert found == {} and notes == ["/var/lib/rpm/Packages: a BerkeleyDB RPM database (rpm < 4.16); not read"]
    junk = tmp_path / "var/lib/rpm/rpmdb.sqlite"
    junk.write_bytes(os.urandom(70000))
    found, notes = detect_all(FileSystem(str(tmp_path)))
    assert found == {} and len(notes) == 1 and "not a readable RPM database" in notes[0], notes
    # a real database cut in half
    data = (rpmdb / "var/lib/rpm/rpmdb.sqlite").read_bytes()
    junk.write_bytes(data[:len(data) // 2])
    found, notes = detect_all(FileSystem(str(tmp_path)))  # whatever it finds, it does not raise
    assert all(isinstance(d, Detected) for d in found.values())


# -- Python metadata -----------------------------------------------------------------------
def _python_with(modules: str, why: str) -> str:
    """A Python that imports ``modules`` (the one running the tests, else Debian's)."""
    for py in (sys.executable, "/usr/bin/python3"):
        if os.access(py, os.X_OK) and subprocess.run([py, "-c", f"import {modules}"],
                                                     capture_output=True).returncode == 0:
            return py
    oracle.missing(f"a python3 with {modules.replace(', ', ' and ')}", why)


def _wheel(tmp_path, name: str, version: str):
    """A minimal pure wheel (PEP 427) of ``name``; pip, not this, installs it."""
    import base64
    import zipfile
    escaped = "".join(c if c.isalnum() else "_" for c in name)
    info = f"{escaped}-{version}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n\nbody\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    whl = tmp_path / f"{escaped}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
        z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return whl


def _pip_target(py: str, whl, target) -> None:
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--disable-pip-version-check",
                    "--target", str(target), str(whl)], check=True, capture_output=True)


def test_kolla_venv_dist_info_from_pip_overrides_dpkg(tmp_path):
    py = _python_with("pip", "installing a wheel's dist-info with pip")
    root = tmp_path / "root"
    site = root / "var/lib/kolla/venv/lib/python3.12/site-packages"
    _pip_target(py, _wheel(tmp_path, "keystone", "25.0.0"), site)
    _pip_target(py, _wheel(tmp_path, "oslo.messaging", "14.7.0"), site)
    assert (site / "keystone-25.0.0.dist-info/INSTALLER").read_text() == "pip\n"  # pip installed it
    assert (site / "keystone-25.0.0.dist-info/METADATA").is_file()  # what pip wrote
    _write(root / "var/lib/dpkg/status", _status(_para("python3-keystone", "2:24.0.0-0ubuntu1")))
    found, notes = detect_all(FileSystem(str(root)))
    meta = "/var/lib/kolla/venv/lib/python3.12/site-packages/keystone-25.0.0.dist-info/METADATA"
    assert found["keystone"] == Detected("keystone", "25.0.0", f"{meta}: keystone 25.0.0")
    assert found["oslo.messaging"].version == "14.7.0"
    assert notes == [f"keystone: 25.0.0 ({meta}: keystone 25.0.0) overrides 24.0.0 "
                     f"(/var/lib/dpkg/status: python3-keystone 2:24.0.0-0ubuntu1)"]


def test_devstack_checkout_egg_info_from_setuptools(tmp_path):
    py = _python_with("setuptools", "writing an egg-info with setuptools")
    root = tmp_path / "root"
    checkout = root / "opt/stack/glance"
    _write(checkout / "setup.py", "from setuptools import setup\nsetup(name='glance', version='29.0.0', py_modules=[])\n")
    subprocess.run([py, "setup.py", "-q", "egg_info"], cwd=str(checkout), check=True, capture_output=True)
    assert (checkout / "glance.egg-info/PKG-INFO").is_file()
    found = detect(FileSystem(str(root)))
    assert found == {"glance": Detected("glance", "29.0.0", "/opt/stack/glance/glance.egg-info/PKG-INFO: glance 29.0.0")}


def test_distro_egg_info_names_and_local_over_distro(tmp_path):
    root = tmp_path
    dist = root / "usr/lib/python3/dist-packages"
    _write(dist / "nova-29.0.1.egg-info/PKG-INFO", "Metadata-Version: 2.1\nName: nova\nVersion: 29.0.1\n\nbody\n")
    _write(dist / "mod_wsgi-4.9.4.egg-info", "Metadata-Version: 1.1\nName: mod_wsgi\nVersion: 4.9.4\n")  # a file
    _write(dist / "oslo_messaging-14.7.0.dist-info/METADATA", "Name: oslo.messaging\nVersion: 14.7.0\n")
    _write(dist / "python_keystoneclient-5.4.0.dist-info/METADATA", "Name: python-keystoneclient\nVersion: 5.4.0\n")
    _write(dist / "heat-22.0.0.dist-info/RECORD", "")  # no METADATA: the directory name's version
    local = root / "usr/local/lib/python3.11/dist-packages"
    _write(local / "uWSGI-2.0.28.dist-info/METADATA", "Metadata-Version: 2.1\nName: uWSGI\nVersion: 2.0.28\n")
    _write(local / "nova-30.0.0.dist-info/METADATA", "Name: nova\nVersion: 30.0.0\n" + "x" * 100_000)
    found, notes = detect_all(FileSystem(str(root)))
    assert {c: d.version for c, d in found.items()} == {
        "mod_wsgi": "4.9.4", "uwsgi": "2.0.28", "nova": "30.0.0", "heat": "22.0.0", "oslo.messaging": "14.7.0"}
    assert found["mod_wsgi"].source == "/usr/lib/python3/dist-packages/mod_wsgi-4.9.4.egg-info: mod_wsgi 4.9.4"
    assert found["uwsgi"].source.endswith("uWSGI-2.0.28.dist-info/METADATA: uWSGI 2.0.28")
    assert found["heat"].source == "/usr/lib/python3/dist-packages/heat-22.0.0.dist-info: heat 22.0.0"
    assert len(notes) == 1 and notes[0].startswith("nova: 30.0.0 (")


def test_metadata_reads_only_the_head(tmp_path):
    """Version past the first 8 KB is not seen: the directory name's is used."""
    site = tmp_path / "usr/lib/python3/dist-packages"
    _write(site / "cinder-24.0.0.dist-info/METADATA", "Name: cinder\n" + "X-Pad: y\n" * 2000 + "Version: 99.0.0\n")
    assert detect(FileSystem(str(tmp_path)))["cinder"].version == "24.0.0"


# -- bad input and confinement -------------------------------------------------------------
def test_symlinks_out_of_the_root_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    _write(outside / "status", _status(_para("python3-keystone", "2:25.0.0-0ubuntu1")))
    _write(outside / "METADATA", "Name: glance\nVersion: 28.0.0\n")
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    os.symlink(str(outside / "status"), root / "var/lib/dpkg/status")  # absolute: re-anchored in the root
    site = root / "usr/lib/python3/dist-packages/glance-1.dist-info"
    site.mkdir(parents=True)
    os.symlink("../../../../../../../../../../" + str(outside / "METADATA"), site / "METADATA")  # .. stops at root
    rpmdir = root / "var/lib/rpm"
    rpmdir.mkdir(parents=True)
    os.symlink(str(outside / "status"), rpmdir / "rpmdb.sqlite")
    found, notes = detect_all(FileSystem(str(root)))
    assert "keystone" not in found
    assert found["glance"].version == "1"  # the directory name; the outside METADATA was not read
    # The same root with the real host file as the link target: a loop inside the root, not the host's file.
    os.unlink(root / "var/lib/dpkg/status")
    os.symlink("/var/lib/dpkg/status", root / "var/lib/dpkg/status")
    found, notes = detect_all(FileSystem(str(root)))
    assert "uwsgi" not in found and "httpd" not in found
    assert any("/var/lib/dpkg/status" in n for n in notes), notes


def test_fifos_do_not_hang(tmp_path):
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    os.mkfifo(tmp_path / "var/lib/dpkg/status")
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    os.mkfifo(tmp_path / "var/lib/rpm/rpmdb.sqlite")
    site = tmp_path / "usr/lib/python3/dist-packages"
    (site / "keystone-25.0.0.dist-info").mkdir(parents=True)
    os.mkfifo(site / "keystone-25.0.0.dist-info/METADATA")
    os.mkfifo(site / "glance-28.0.0.egg-info")
    with no_hang():
        found, notes = detect_all(FileSystem(str(tmp_path)))
    assert found["keystone"].version == "25.0.0"  # from the directory name
    assert "glance" not in found or found["glance"].version == "28.0.0"
    assert any("status" in n and "not a regular file" in n for n in notes), notes
    assert any("rpmdb.sqlite" in n and "not a regular file" in n for n in notes), notes


@pytest.mark.parametrize("content", [
    os.urandom(50_000),
    b"\x00" * 10_000,
    b"Package: python3-keystone\nStatus: install ok installed\nVersion: \xff\xfe\n",
    b"Package: python3-keystone\nStatus: install ok installed\nVersion: 25.0.0 extra words\n",
    b"Package: python3-keystone\nStatus: install ok installed",  # truncated, no Version
    b"Package: python3-keystone\n" * 100_000,
    b"\n\n\n\nPackage:\n\nStatus:\n\n",
])
def test_junk_status_never_raises(tmp_path, content):
    _write(tmp_path / "var/lib/dpkg/status", content)
    found, notes = detect_all(FileSystem(str(tmp_path)))
    assert "keystone" not in found
    assert all(isinstance(n, str) and "\n" not in n for n in notes)


def test_status_over_the_size_limit_is_a_note(tmp_path):
    _write(tmp_path / "var/lib/dpkg/status", _status(_para("python3-keystone", "2:25.0.0-0ubuntu1")) * 100)
    found, notes = detect_all(FileSystem(str(tmp_path), limits=Limits(max_file_bytes=1000)))
    assert found == {}
    assert len(notes) == 1 and "max-file-bytes" in notes[0]


def test_empty_root_and_directories_in_place_of_files(tmp_path):
    assert detect_all(FileSystem(str(tmp_path))) == ({}, [])
    (tmp_path / "var/lib/dpkg/status").mkdir(parents=True)
    (tmp_path / "var/lib/rpm/rpmdb.sqlite").mkdir(parents=True)
    found, notes = detect_all(FileSystem(str(tmp_path)))
    assert found == {} and len(notes) == 2 and all("directory" in n for n in notes), notes


def test_rpmdb_without_the_name_index_and_with_a_bad_header(rpmdb, tmp_path):
    """The Name index is an optimisation: without it every header is parsed; a bad one is a note."""
    import sqlite3
    dbdir = tmp_path / "var/lib/rpm"
    dbdir.mkdir(parents=True)
    shutil.copy2(rpmdb / "var/lib/rpm/rpmdb.sqlite", dbdir / "rpmdb.sqlite")
    conn = sqlite3.connect(str(dbdir / "rpmdb.sqlite"))  # the test edits its own copy
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("DROP TABLE Name")
    conn.execute("INSERT INTO Packages (blob) VALUES (?)", (b"\x00\x00\x00\x05\x00\x00\x00\x10junk",))
    conn.commit()
    conn.close()
    found, notes = detect_all(FileSystem(str(tmp_path)))
    assert found["keystone"].source == "/var/lib/rpm/rpmdb.sqlite: openstack-keystone-common 1:25.0.0-1.el9"
    assert len(found) == 7
    assert notes == ["/var/lib/rpm/rpmdb.sqlite: 1 malformed package header(s) skipped"]


def test_status_paragraph_not_starting_with_package(tmp_path):
    _write(tmp_path / "var/lib/dpkg/status",
           "Status: install ok installed\nVersion: 2.0.21-5.1\nPackage: uwsgi-core\n\n"
           "Package: uwsgi-plugin-python3\r\nStatus: install ok installed\r\nVersion: 2.0.21-5.1\r\n")
    found = detect(FileSystem(str(tmp_path)))
    assert found["uwsgi"] == Detected("uwsgi", "2.0.21", "/var/lib/dpkg/status: uwsgi-core 2.0.21-5.1")


def test_a_version_line_cut_at_the_head_limit_is_not_used(tmp_path):
    from wsgilint.versions import METADATA_HEAD
    site = tmp_path / "usr/lib/python3/dist-packages"
    head = "Name: heat\n" + "X-Pad: y\n" * ((METADATA_HEAD - 30) // 9)
    head += "#" * (METADATA_HEAD - len(head) - 1 - len("Version: 25.0")) + "\nVersion: 25.0.1\n"
    assert head.encode()[:METADATA_HEAD].endswith(b"\nVersion: 25.0")  # the read ends mid-line
    _write(site / "heat-25.0.1.dist-info/METADATA", head)
    assert detect(FileSystem(str(tmp_path)))["heat"].version == "25.0.1"  # not "25.0"
