#!/usr/bin/env bash
# Fetches Debian's source package of the installed libmosquitto (the
# reference, 2.0.11) into DEST, unpacks it with Debian's patches applied, and
# makes fresh test certificates with upstream's own test/ssl/gen.sh (the
# ones in the upstream tarball expired in 2025). Nothing of it is committed
# to this repository: tests/upstream_suite.rs runs it at test time.
#
#   tests/upstream/fetch.sh DEST
#
# leaves DEST/src (the unpacked source; upstream's client tests are in
# DEST/src/test/lib, the certificates in DEST/src/test/ssl) and DEST/READY.
# A second call with the same installed version does nothing.
#
# The deb-src lines are made from the archives that served the installed
# package (`apt-cache policy`), into a private apt configuration under DEST:
# the machine's own apt sources and lists are neither read for sources nor
# changed.
set -euo pipefail

dest=${1:?usage: fetch.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

binary=libmosquitto1
version=$(dpkg-query -W -f='${Version}' "$binary")
source_pkg=$(dpkg-query -W -f='${source:Package}' "$binary")
source_version=$(dpkg-query -W -f='${source:Version}' "$binary")
ready="$dest/READY"
want="$source_pkg $source_version"

if [ -f "$ready" ] && [ "$(cat "$ready")" = "$want" ] && [ -f "$dest/src/test/ssl/all-ca.crt" ]; then
    exit 0
fi
rm -rf "$dest/apt" "$dest/download" "$dest/src" "$ready"
mkdir -p "$dest/apt/lists/partial" "$dest/apt/archives/partial" "$dest/download"

# `apt-cache policy` lists, under each version, the archives that have it:
#      500 http://HOST/debian bookworm/main amd64 Packages
# Every archive that has the installed version gets a deb-src line.
apt-cache policy "$binary" | awk -v want="$version" '
    /^ +(\*\*\* )?[^ ]+ [0-9]+$/ { cur = ($1 == "***") ? $2 : $1; next }
    cur == want && $2 ~ /:\/\// {
        n = split($3, parts, "/")
        if (n == 2) print "deb-src " $2 " " parts[1] " " parts[2]
    }' | sort -u > "$dest/apt/sources.list"
if [ ! -s "$dest/apt/sources.list" ]; then
    echo "fetch.sh: no archive serves $binary $version (apt-cache policy $binary); run apt-get update" >&2
    exit 1
fi

apt_opts=(
    -o "Dir::Etc::SourceList=$dest/apt/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$dest/apt/lists"
    -o "Dir::Cache=$dest/apt"
    -o "Dir::Cache::Archives=$dest/apt/archives"
    -o "APT::Sandbox::User=$(id -un)"
    -o "Debug::NoLocking=true"
)
apt-get -q "${apt_opts[@]}" update >"$dest/apt/update.log" 2>&1 || {
    cat "$dest/apt/update.log" >&2
    exit 1
}
(cd "$dest/download" && apt-get -q "${apt_opts[@]}" source --download-only "$source_pkg=$source_version") \
    >"$dest/apt/source.log" 2>&1 || {
    cat "$dest/apt/source.log" >&2
    exit 1
}

dsc=$(ls "$dest"/download/*.dsc)
dpkg-source -x "$dsc" "$dest/src" >"$dest/apt/unpack.log" 2>&1 || {
    cat "$dest/apt/unpack.log" >&2
    exit 1
}

# Fresh certificates: same subjects, extensions and chain as upstream's
# (gen.sh is upstream's script, with Debian's fix); the server certificate
# is CN=localhost with no subjectAltName, as in the original.
(cd "$dest/src/test/ssl" && bash ./gen.sh) >"$dest/apt/certs.log" 2>&1 || {
    cat "$dest/apt/certs.log" >&2
    exit 1
}
test -f "$dest/src/test/ssl/all-ca.crt"

echo "$want" >"$ready"
