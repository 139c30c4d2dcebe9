#!/usr/bin/env bash
# Groups the code a client runs to connect and exchange messages at the
# start of the library's .text (used by the Makefile before the relink).
#
#   tools/hot-text.sh LIST IN.a OUT.a
#
# LIST (tools/hot-text.txt) holds input-section names, one a line, with `*`
# standing for the parts that change from build to build (symbol hashes,
# crate disambiguators); `#` starts a comment. Every `.text.NAME` section of
# IN.a that a line matches is renamed `.text.hot.NAME` in OUT.a. GNU ld's
# default linker script places `.text.hot.*` together near the start of
# .text, so the first connection touches a few 64 KiB fault-around windows
# of the file instead of pages spread over all of it (see benches/README.md,
# "Size and first client"). A line that matches nothing costs nothing: the
# list only moves code, it never changes what is linked.
#
# tools/hot-text-gen.sh writes the list from a profile of real runs.
set -euo pipefail

[ $# = 3 ] || { echo "usage: $0 LIST IN.a OUT.a" >&2; exit 2; }
list=$1 in=$2 out=$3

# The list as anchored regular expressions: `.` and `$` literal, `*` any run
# of characters.
regex=$(mktemp)
trap 'rm -f "$regex"' EXIT
sed -e '/^#/d' -e '/^$/d' -e 's/[.$]/\\&/g' -e 's/\*/.*/g' -e 's/^/^/' -e 's/$/$/' \
    "$list" > "$regex"

args=()
while read -r sec; do
    args+=(--rename-section "$sec=.text.hot.${sec#.text.}")
done < <(objdump -h "$in" | awk '$2 ~ /^\.text\./ { print $2 }' | sort -u | grep -f "$regex" || true)

if [ ${#args[@]} = 0 ]; then
    echo "hot-text.sh: no section of $in matches $list: .text stays in link order" >&2
    cp "$in" "$out.tmp"
else
    objcopy "${args[@]}" "$in" "$out.tmp"
fi
mv "$out.tmp" "$out"
