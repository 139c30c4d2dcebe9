#!/usr/bin/env bash
# Installs one of the third-party MQTT brokers that tests/broker_matrix.rs
# runs our library against, from its package registry, at the versions
# pinned beside this script, into a cache folder:
#
#   tests/brokers/install.sh aedes|amqtt CACHE_ROOT
#
# Prints the installed folder on stdout (CACHE_ROOT/NAME-HASH, HASH being
# that of the pin files, so a changed pin installs afresh). A folder already
# installed is reused at once. Fails, with the reason on stderr, when the
# registry cannot be reached or a tool is missing: the tests do not skip.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kind=${1:-}
root=${2:-}

fail() {
    echo "tests/brokers/install.sh $kind: $*" >&2
    exit 1
}

[ -n "$kind" ] && [ -n "$root" ] || fail "usage: install.sh aedes|amqtt CACHE_ROOT"

case "$kind" in
    aedes) pins=("$here/aedes/package.json" "$here/aedes/package-lock.json") ;;
    amqtt) pins=("$here/amqtt/requirements.txt") ;;
    *) fail "unknown broker (expected aedes or amqtt)" ;;
esac

mkdir -p "$root"
# One installer at a time per broker (tests run in parallel).
exec 9>"$root/$kind.lock"
flock 9

key=$(cat "${pins[@]}" | sha256sum | cut -c1-16)
dest="$root/$kind-$key"
if [ -f "$dest/.installed" ]; then
    echo "$dest"
    exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"

case "$kind" in
    aedes)
        command -v node >/dev/null && command -v npm >/dev/null ||
            fail "node and npm are missing: run tools/setup-debian.sh"
        major=$(node -p 'process.versions.node.split(".")[0]')
        [ "$major" -ge 20 ] ||
            fail "aedes needs Node.js 20 or later, found $(node --version)"
        cp "${pins[@]}" "$dest/"
        (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
            fail "npm ci failed (is the npm registry reachable?)"
        ;;
    amqtt)
        python=$(command -v python3) || fail "python3 is missing: run tools/setup-debian.sh"
        "$python" -m venv "$dest/venv" >&2 ||
            fail "$python -m venv failed (on Debian: apt-get install python3-venv)"
        "$dest/venv/bin/pip" install --disable-pip-version-check --no-input -q \
            -r "${pins[0]}" >&2 ||
            fail "pip install failed (is the Python package index reachable?)"
        ;;
esac

touch "$dest/.installed"
echo "$dest"
