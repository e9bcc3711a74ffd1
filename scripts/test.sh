#!/bin/sh
# Install everything (Debian packages for the real-server oracles, the package with
# its test extras in the virtual environment .venv) and run the whole test suite with
# the venv's Python. .ci/run calls exactly this.
#
# Then the same code on the lowest and highest Python wsgilint supports (3.10 and
# 3.13; pyenv provides them on the CI machines, or name interpreters in
# WSGILINT_EXTRA_PYTHONS, "none" to skip): each gets its own venv (.venv-3.10, ...)
# and runs the tests that need no server (tests/test_py310.py and the ones listed in
# $EXTRA_TESTS below). A missing interpreter is a loud skip, and a failure under
# WSGILINT_REQUIRE_ORACLES=1.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
venv="${WSGILINT_VENV:-$here/.venv}"
WSGILINT_VENV="$venv" sh "$here/scripts/install-deps.sh"
cd "$here"
PATH="$venv/bin:$PATH"
export PATH
status=0
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" || status=$?

EXTRA_TESTS="tests/test_py310.py tests/test_config.py tests/test_cli.py tests/test_cli_habits.py
  tests/test_cli_fastpath.py tests/parse tests/report tests/model tests/test_rule_fixtures.py
  tests/test_engine.py tests/test_layers.py tests/test_targets.py tests/test_versions.py
  tests/test_suppress.py tests/test_baseline.py"
extra="${WSGILINT_EXTRA_PYTHONS-}"
if [ -z "$extra" ]; then
    pyroot=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for minor in 3.10 3.13; do
        found=$(ls -d "$pyroot/versions/$minor".* 2>/dev/null | sort -V | tail -n 1)
        if [ -n "$found" ] && [ -x "$found/bin/python3" ]; then
            extra="$extra $found/bin/python3"
        else
            echo "test.sh: PYTHON MISSING: no Python $minor (pyenv install $minor, or WSGILINT_EXTRA_PYTHONS)" >&2
            case "${WSGILINT_REQUIRE_ORACLES:-}" in 1|true|yes|on) status=1 ;; esac
        fi
    done
fi
[ "$extra" = none ] && extra=""
for py in $extra; do
    ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    xvenv="$here/.venv-$ver"
    if ! "$xvenv/bin/python" -c "import sys" >/dev/null 2>&1; then
        rm -rf "$xvenv"
        "$py" -m venv "$xvenv" >/dev/null
    fi
    # The test extras without atheris (it has no wheel for every version and builds need clang).
    "$xvenv/bin/python" -m pip install -q --disable-pip-version-check -e "$here" \
        "pytest>=7" "jsonschema>=4" "hypothesis>=6" "oslo.config>=9" "tomli>=1.1"
    echo "test.sh: Python $ver ($py): the tests that need no server"
    # shellcheck disable=SC2086  # EXTRA_TESTS is a list of paths
    "$xvenv/bin/python" -m pytest -q -p no:cacheprovider $EXTRA_TESTS || status=$?
done
exit "$status"
