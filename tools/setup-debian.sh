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
    binutils             # objdump, readelf
    valgrind
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

if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

