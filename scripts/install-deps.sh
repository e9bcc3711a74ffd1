#!/bin/sh
# Install everything wsgilint's test suite needs on a fresh Debian machine:
# the real servers used as oracles (apache2, mod_wsgi, uWSGI, nginx) and the
# Python package with its test extras, in a virtual environment ($WSGILINT_VENV,
# default .venv): Debian 12 and Ubuntu 24.04 refuse `pip install` into the system
# Python (PEP 668, externally-managed-environment). Idempotent and quiet; safe to
# run again.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
venv="${WSGILINT_VENV:-$here/.venv}"
python="${WSGILINT_PYTHON:-python3}"

PKGS="${WSGILINT_APT_PACKAGES:-apache2 libapache2-mod-wsgi-py3 uwsgi uwsgi-core uwsgi-plugin-python3 nginx curl rpm graphviz chromium python3-venv libxml2-utils}"
# python3-venv: without it Debian's python3 has no ensurepip and `python3 -m venv` fails.
# libxml2-utils: xmllint validates the junit report against junit-10.xsd (tests/report/test_report_junit.py).

# The Debian packages of "$@" that are not installed yet (none without apt-get).
apt_missing() {
    command -v apt-get >/dev/null 2>&1 || return 0
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf ' %s' "$p"
    done
}

# apt-get install "$@", with a policy-rc.d that exits 101 meanwhile so that no package starts
# a service (apache2 and nginx would take port 80); the file is removed again if we made it.
apt_install() {
    created_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        created_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    if [ -n "$created_policy" ]; then
        rm -f /usr/sbin/policy-rc.d
    fi
}

# shellcheck disable=SC2086  # word lists
missing=$(apt_missing $PKGS)
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: not root; cannot install:$missing (oracle tests will skip)" >&2
    else
        # shellcheck disable=SC2086
        apt_install $missing
    fi
fi

# A second, current uWSGI for the version-dependent proofs (issue 13 item 5):
# Debian 12's apt uWSGI is 2.0.21; this builds the newest 2.0.x from PyPI
# (`pip index versions uwsgi`: 2.0.31, December 2026) against the system
# Python, into its own venv, so neither the system Python nor the test
# package's environment is touched. The pip build has Python compiled in (no
# `plugins = python3`). tests/oracle.py finds it at this prefix. Measured on
# the 2-core dev machine: 28 s wall idle, 67 s while other tests ran (`time`, build only).
UWSGI_PIP_VERSION="${WSGILINT_UWSGI_PIP_VERSION:-2.0.31}"
UWSGI_PIP_PREFIX="${WSGILINT_ORACLE_PREFIX:-/opt/wsgilint-oracles}/uwsgi-$UWSGI_PIP_VERSION"
if [ "$("$UWSGI_PIP_PREFIX/bin/uwsgi" --version 2>/dev/null)" != "$UWSGI_PIP_VERSION" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: not root; cannot build uWSGI $UWSGI_PIP_VERSION (its proofs will skip)" >&2
    else
        # gcc + the system Python's headers build it; python3-venv gives the venv.
        build_pkgs=$(apt_missing gcc libc6-dev python3-dev python3-venv)
        if [ -n "$build_pkgs" ]; then
            # shellcheck disable=SC2086
            apt_install $build_pkgs
        fi
        mkdir -p "$(dirname "$UWSGI_PIP_PREFIX")"
        log="$UWSGI_PIP_PREFIX.build.log"
        rm -rf "$UWSGI_PIP_PREFIX"
        if { /usr/bin/python3 -m venv "$UWSGI_PIP_PREFIX" \
             && "$UWSGI_PIP_PREFIX/bin/pip" install --no-cache-dir --disable-pip-version-check \
                  "uwsgi==$UWSGI_PIP_VERSION"; } >"$log" 2>&1 \
           && [ "$("$UWSGI_PIP_PREFIX/bin/uwsgi" --version 2>/dev/null)" = "$UWSGI_PIP_VERSION" ]; then
            echo "install-deps: built uWSGI $UWSGI_PIP_VERSION in $UWSGI_PIP_PREFIX"
        else
            echo "install-deps: building uWSGI $UWSGI_PIP_VERSION failed (log: $log); last lines:" >&2
            tail -n 20 "$log" >&2
            rm -rf "$UWSGI_PIP_PREFIX"
        fi
    fi
fi

# mermaid.js for tests/test_map.py (the `map --format mermaid` output parsed and drawn by mermaid itself in
# headless Chromium): no Debian package ships it; npm installs the pinned release where npm exists
# (~5 s, 125 packages), else those tests skip and say so.
MERMAID_VERSION="${WSGILINT_MERMAID_VERSION:-11.12.2}"
MERMAID_PREFIX="/opt/wsgilint-mermaid"  # where tests/test_map.py looks (or WSGILINT_MERMAID_JS)
if [ ! -f "$MERMAID_PREFIX/node_modules/mermaid/dist/mermaid.min.js" ]; then
    if command -v npm >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
        npm install --prefix "$MERMAID_PREFIX" --no-audit --no-fund --loglevel=error "mermaid@$MERMAID_VERSION" >/dev/null \
            || echo "install-deps: npm install mermaid@$MERMAID_VERSION failed (tests/test_map.py's mermaid checks will skip)" >&2
    else
        echo "install-deps: no npm (or not root): mermaid.js not installed (tests/test_map.py's mermaid checks will skip)" >&2
    fi
fi

# The package and its test extras, into the venv (made once; remade when broken, e.g.
# after its interpreter was removed).
if ! "$venv/bin/python" -c "import sys" >/dev/null 2>&1; then
    rm -rf "$venv"
    if ! "$python" -m venv "$venv" >/dev/null; then
        echo "install-deps: '$python -m venv' failed; on Debian/Ubuntu: apt-get install python3-venv" >&2
        exit 1
    fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$here[test]"
