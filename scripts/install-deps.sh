#!/bin/sh
# Install everything wsgilint's test suite needs on a fresh Debian machine:
# the real servers used as oracles (apache2, mod_wsgi, uWSGI, nginx) and the
# Python package with its test extras. Idempotent; safe to run again.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)

PKGS="${WSGILINT_APT_PACKAGES:-apache2 libapache2-mod-wsgi-py3 uwsgi uwsgi-core uwsgi-plugin-python3 nginx curl}"

if command -v apt-get >/dev/null 2>&1; then
    missing=""
    for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "install-deps: not root; cannot install:$missing (oracle tests will skip)" >&2
        else
            # Keep the packages from starting services on port 80 while they install.
            created_policy=""
            if [ ! -e /usr/sbin/policy-rc.d ]; then
                printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
                chmod 755 /usr/sbin/policy-rc.d
                created_policy=1
            fi
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends $missing >/dev/null
            if [ -n "$created_policy" ]; then
                rm -f /usr/sbin/policy-rc.d
            fi
        fi
    fi
fi

python3 -m pip install -q --disable-pip-version-check -e "$here[test]"
