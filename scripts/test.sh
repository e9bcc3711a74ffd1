#!/bin/sh
# Install everything (Debian packages for the real-server oracles, the package with
# its test extras) and run the whole test suite. .ci/run calls exactly this.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
sh "$here/scripts/install-deps.sh"
cd "$here"
exec python3 -m pytest -q -p no:cacheprovider "$@"
