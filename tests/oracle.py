"""Policy for tests that need a real server binary (an "oracle").

A missing oracle is a LOUD skip by default ("ORACLE MISSING: ..."), and a
hard failure when the environment sets WSGILINT_REQUIRE_ORACLES=1 (CI does,
so a machine without the servers cannot pass silently).

Standard library + pytest only; must not import wsgilint.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
from typing import NamedTuple

import pytest

REQUIRE_ENV = "WSGILINT_REQUIRE_ORACLES"
INSTALL_HINT = "run scripts/install-deps.sh"

# Debian locations (overridable, e.g. for another distro or a custom build).
APACHE_MODULE_DIR = os.environ.get("WSGILINT_APACHE_MODULE_DIR", "/usr/lib/apache2/modules")
UWSGI_PLUGIN_DIR = os.environ.get("WSGILINT_UWSGI_PLUGIN_DIR", "/usr/lib/uwsgi/plugins")

# Places searched besides $PATH: the servers live in sbin, which a non-root
# PATH often lacks.
_EXTRA_BIN_DIRS = ("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin")


def oracles_required() -> bool:
    """True when WSGILINT_REQUIRE_ORACLES is set to a true value (1/true/yes)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def missing(what: str, why: str = "") -> None:
    """Skip the current test loudly, or fail it if oracles are required. Never returns."""
    msg = "ORACLE MISSING: %s; %s" % (what, INSTALL_HINT)
    if why:
        msg += " (needed for: %s)" % why
    if oracles_required():
        pytest.fail(msg + " [%s=1 turns this skip into a failure]" % REQUIRE_ENV, pytrace=False)
    pytest.skip(msg + " [set %s=1 to fail instead of skip]" % REQUIRE_ENV)


def find_binary(name_or_path: str) -> str | None:
    """Absolute path of an executable (name looked up in $PATH and sbin dirs), or None."""
    if os.sep in name_or_path:
        return name_or_path if os.access(name_or_path, os.X_OK) and os.path.isfile(name_or_path) else None
    found = shutil.which(name_or_path)
    if found:
        return os.path.abspath(found)
    for d in _EXTRA_BIN_DIRS:
        cand = os.path.join(d, name_or_path)
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def require(binary: str, why: str = "") -> str:
    """Path of `binary` (a name or a path); skip/fail via missing() if absent."""
    path = find_binary(binary)
    if path is None:
        missing("%s not installed" % binary, why)
    return path


def require_file(path_or_glob: str, why: str = "", what: str | None = None) -> str:
    """Path of an existing file (first sorted glob match); skip/fail via missing() if none."""
    matches = sorted(glob.glob(path_or_glob))
    if not matches:
        missing(what or ("%s not found" % path_or_glob), why)
    return matches[0]


# ---- Apache httpd ---------------------------------------------------------

def apache2(why: str = "") -> str:
    """Path of the apache2 binary (Debian: /usr/sbin/apache2)."""
    return require("apache2", why or "Apache httpd oracle")


def apache_module_dir(why: str = "") -> str:
    """The directory holding mod_*.so (Debian: /usr/lib/apache2/modules)."""
    if not os.path.isdir(APACHE_MODULE_DIR):
        missing("Apache module dir %s not found (apache2 not installed?)" % APACHE_MODULE_DIR, why)
    return APACHE_MODULE_DIR


def apache_module(short_name: str, why: str = "") -> str:
    """Path of mod_<short_name>.so, e.g. apache_module('proxy_uwsgi')."""
    d = apache_module_dir(why)
    return require_file(os.path.join(d, "mod_%s.so" % short_name), why,
                        what="Apache module mod_%s.so not found in %s" % (short_name, d))


def mod_wsgi_so(why: str = "") -> str:
    """Path of mod_wsgi.so (package libapache2-mod-wsgi-py3)."""
    d = apache_module_dir(why)
    return require_file(os.path.join(d, "mod_wsgi.so*"), why or "mod_wsgi oracle",
                        what="mod_wsgi.so not found in %s (libapache2-mod-wsgi-py3 not installed)" % d)


# ---- uWSGI -----------------------------------------------------------------

def uwsgi(why: str = "") -> str:
    """Path of the uwsgi binary (Debian: /usr/bin/uwsgi -> uwsgi-core)."""
    return require("uwsgi", why or "uWSGI oracle")


def uwsgi_plugin_dir(why: str = "") -> str:
    """Directory of the modular uWSGI's plugins (Debian: /usr/lib/uwsgi/plugins)."""
    if not os.path.isdir(UWSGI_PLUGIN_DIR):
        missing("uWSGI plugin dir %s not found (uwsgi-core not installed?)" % UWSGI_PLUGIN_DIR, why)
    return UWSGI_PLUGIN_DIR


def uwsgi_python_plugin(why: str = "") -> str:
    """Path of the python3 plugin .so (an ini names it `plugins = python3`)."""
    d = uwsgi_plugin_dir(why)
    for pattern in ("python3_plugin.so", "python3*_plugin.so"):
        matches = sorted(glob.glob(os.path.join(d, pattern)))
        if matches:
            return matches[0]
    missing("uWSGI python3 plugin not found in %s (uwsgi-plugin-python3 not installed)" % d,
            why or "uWSGI python3 plugin")


def uwsgi_http_plugin(why: str = "") -> str:
    """Path of the http router plugin .so (`plugins = http,python3`)."""
    d = uwsgi_plugin_dir(why)
    return require_file(os.path.join(d, "http_plugin.so"), why,
                        what="uWSGI http plugin not found in %s" % d)


# ---- more than one uWSGI (issue 13 item 5) ---------------------------------
# Debian's apt uWSGI (modular: the python3 plugin is a separate .so, an ini says
# `plugins = python3`) and a current 2.0.x built by scripts/install-deps.sh with
# pip into its own venv (Python compiled in, no plugin line). Keep the version
# in step with UWSGI_PIP_VERSION there.
UWSGI_PIP_VERSION = os.environ.get("WSGILINT_UWSGI_PIP_VERSION", "2.0.31")
UWSGI_PIP_PREFIX = os.path.join(os.environ.get("WSGILINT_ORACLE_PREFIX", "/opt/wsgilint-oracles"),
                                "uwsgi-%s" % UWSGI_PIP_VERSION)
UWSGI_FLAVOURS = ("debian", "pip")


class UwsgiBinary(NamedTuple):
    """One uWSGI build: flavour ("debian"/"pip"), path, version ("2.0.21"), plugin line for an ini."""

    flavour: str
    path: str
    version: str
    plugins: str  # "plugins = python3" for the modular Debian build, "" when Python is built in

    @property
    def version_tuple(self) -> tuple:
        return tuple(int(p) for p in re.findall(r"\d+", self.version)[:3])

    def ini_plugins(self, *extra: str) -> str:
        """The `plugins = ...` line for an ini needing `extra` plugins too (e.g. "http"), or ""."""
        if not self.plugins:
            return ""  # the pip build compiles python, http etc. in
        return "plugins = %s" % ",".join((*extra, "python3"))


def uwsgi_version_of(path: str) -> str | None:
    """`uwsgi --version` of a binary as "X.Y.Z[.W]" ("2.0.21-debian" -> "2.0.21"), or None."""
    try:
        out = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"(\d+(?:\.\d+)+)", out)
    return m.group(1) if m else None


def uwsgi_binary(flavour: str, why: str = "") -> UwsgiBinary:
    """The uWSGI build of that flavour; skip loudly (fail under WSGILINT_REQUIRE_ORACLES=1) if absent.

    Run a proof on every build with a fixture over the flavours, e.g.
    `@pytest.fixture(params=oracle.UWSGI_FLAVOURS)` returning `oracle.uwsgi_binary(request.param)`
    (tests/test_proof_uwsgi_versions.py), and hand it to stack.uwsgi(..., binary=...).
    """
    if flavour == "debian":
        uwsgi_python_plugin(why or "Debian uWSGI + python3 plugin")
        path = uwsgi(why)
        plugins = "plugins = python3"
    elif flavour == "pip":
        path = os.path.join(UWSGI_PIP_PREFIX, "bin", "uwsgi")
        if find_binary(path) is None:
            missing("pip-built uWSGI %s not found at %s" % (UWSGI_PIP_VERSION, path), why or "second uWSGI")
        plugins = ""
    else:
        raise ValueError("unknown uWSGI flavour %r (known: %s)" % (flavour, ", ".join(UWSGI_FLAVOURS)))
    version = uwsgi_version_of(path)
    if version is None:
        missing("%s --version printed no version" % path, why)
    if flavour == "pip" and version != UWSGI_PIP_VERSION:
        missing("%s is uWSGI %s, expected %s" % (path, version, UWSGI_PIP_VERSION), why)
    return UwsgiBinary(flavour, path, version, plugins)


# ---- nginx -----------------------------------------------------------------

def nginx(why: str = "") -> str:
    """Path of the nginx binary (Debian: /usr/sbin/nginx)."""
    return require("nginx", why or "nginx oracle")


# ---- misc ------------------------------------------------------------------

def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
