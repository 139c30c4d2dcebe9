#!/usr/bin/env bash
# Installs, on Debian 12, what building and testing this project needs and
# that is missing: the reference libmosquitto and broker, Debian's prebuilt
# clients, and the C toolchain pieces the tests use. Safe to run repeatedly.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
else
    sudo=""
fi

packages=(
    mosquitto            # the broker the client tests talk to
    mosquitto-clients    # Debian's prebuilt mosquitto_pub/sub/rr (loader tests)
    libmosquitto-dev     # the reference library and header
    libmosquittopp-dev   # Debian's C++ wrapper, which must run on our library
    g++
    cmake
    pkg-config
    iproute2             # ip: tests/readme_commands.rs runs the Python snippet in its own network namespace
    binutils             # objdump, readelf, objcopy (make install splits the debugging information off)
    gdb                  # tests/install.rs, tests/deb.rs: gdb finds the separate debugging information
    lintian              # tests/deb.rs checks the packages `make deb` builds
    valgrind
    openssl              # certificates for the TLS tests and benchmarks
    dpkg-dev             # dpkg-source: unpacks the original's source package (tests/upstream_suite.rs)
    python3              # tests/python_bindings.rs: the PyPI ctypes bindings
    python3-venv         # `python3 -m venv` (ensurepip) for those tests
)

missing=()
for pkg in "${packages[@]}"; do
    # `dpkg -s` also succeeds for removed packages that left their config
    # files: ask for the status itself.
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "installed" ]; then
        missing+=("$pkg")
    fi
done

# The broker interop matrix (tests/broker_matrix.rs) runs aedes on Node.js
# and amqtt in a Python virtual environment; the tests install those brokers
# themselves from npm and PyPI. Look for the commands rather than for
# packages: Node.js may come from elsewhere than Debian (with its own npm),
# and python3 from pyenv. Debian 12's Node.js is 18, older than aedes 1.2.0
# needs (20): see install_node below.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3 python3-venv)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi


# tests/upstream_suite.rs fetches the source package of the installed
# libmosquitto1 from the archive that served it, which it finds in apt's
# package lists: make sure they are there (images often ship without them).
if ! apt-cache policy libmosquitto1 2>/dev/null | grep -q '://'; then
    $sudo apt-get update
fi

# aedes 1.2.0 needs Node.js 20 or later; Debian 12's nodejs is 18. Where the
# node found is older, install Node.js 20 from the npm registry (the Node.js
# project's Linux binaries, published there as node-linux-<arch>) into
# /usr/local, which comes before /usr in PATH. Without it the aedes tests
# fail, saying "aedes needs Node.js 20 or later".
node_major() {
    node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}
if [ "$(node_major)" -lt 20 ]; then
    case "$(dpkg --print-architecture)" in
        amd64) node_arch=x64 ;;
        arm64) node_arch=arm64 ;;
        *) node_arch="" ;;
    esac
    if [ -z "$node_arch" ]; then
        echo "warning: Node.js $(node --version) is too old for the aedes tests" \
            "(tests/broker_matrix.rs) and npm has no Node.js 20 for this" \
            "architecture: install Node.js 20 or later by hand, or those tests fail" >&2
    else
        echo "installing Node.js 20 (node-linux-$node_arch from the npm registry) into /usr/local"
        $sudo npm install -g --prefix /usr/local --no-audit --no-fund "node-linux-$node_arch@20"
        hash -r
        if [ "$(node_major)" -lt 20 ]; then
            echo "error: $(command -v node) is still $(node --version):" \
                "put /usr/local/bin before $(dirname "$(command -v node)") in PATH" >&2
            exit 1
        fi
    fi
fi
echo "Node.js for the aedes tests: $(command -v node) $(node --version)"
