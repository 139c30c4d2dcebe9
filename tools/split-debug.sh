#!/bin/sh
# Splits a shared library's debugging information off, as Debian's dh_strip
# does. Called by `make install`:
#
#   tools/split-debug.sh LIBRARY STRIPPED DEBUG
#
# Writes:
#   STRIPPED  the library without debugging information or symbol table
#             entries nothing needs (strip --strip-unneeded), keeping its
#             GNU build-id note, with a .gnu_debuglink naming
#             <build-id without its first two digits>.debug and the CRC of
#             DEBUG;
#   DEBUG     the debugging information alone (objcopy --only-keep-debug,
#             compressed), to be installed as
#             <debug dir>/.build-id/<first two digits>/<the rest>.debug,
#             where gdb, eu-unstrip and debuginfod clients look for it.
set -eu

lib=$1
stripped=$2
debug=$3

id=$(readelf -n "$lib" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p')
if [ "${#id}" -lt 3 ]; then
    echo "split-debug.sh: $lib has no GNU build-id note" >&2
    exit 1
fi

# The debuglink records the file's base name: give the debug file the name
# it will have under .build-id/ while the link is made.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
named="$tmp/$(echo "$id" | cut -c3-).debug"

objcopy --only-keep-debug --compress-debug-sections=zlib "$lib" "$named"
chmod 0644 "$named"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    -o "$tmp/stripped" "$lib"
objcopy --add-gnu-debuglink="$named" "$tmp/stripped"

mv "$named" "$debug"
mv "$tmp/stripped" "$stripped"
