#!/usr/bin/env bash
# Writes tools/hot-text.txt, the code tools/hot-text.sh groups together: the
# input sections of every function of target/release/libmosquitto.so.1 that
# runs while benches/bench.c connects a client, publishes and receives at
# QoS 0, 1 and 2 through a real broker (under callgrind, which names every
# function executed). Run after `make`; needs mosquitto and valgrind.
#
#   tools/hot-text-gen.sh            rewrite tools/hot-text.txt
#
# The build's link map (target/release/libmosquitto.so.1.map, written by the
# Makefile) tells which input section holds each function, so that an
# alias left by LLVM's function merging names the section that holds its
# code. Symbol hashes and crate disambiguators become `*`.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB=$ROOT/target/release/libmosquitto.so.1
MAP=$LIB.map
OUT=$ROOT/tools/hot-text.txt
[ -e "$LIB" ] && [ -e "$MAP" ] || { echo "hot-text-gen.sh: run make first" >&2; exit 1; }

work=$(mktemp -d)
broker=""
cleanup() {
    [ -n "$broker" ] && kill "$broker" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/bench" "$ROOT/benches/bench.c" -lmosquitto -ldl -lpthread
port=$((20000 + RANDOM % 20000))
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" > "$work/broker.conf"
mosquitto -c "$work/broker.conf" > "$work/broker.log" 2>&1 &
broker=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
done

i=0
for args in "clients -n 1" "rtt -q 0 -n 50" "rtt -q 1 -n 50" "rtt -q 2 -n 20"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # args is a word list on purpose
    LD_LIBRARY_PATH=$(dirname "$LIB") valgrind --tool=callgrind --demangle=no \
        --callgrind-out-file="$work/cg.$i" "$work/bench" $args -p "$port" > "$work/run.$i" 2>&1 ||
        { cat "$work/run.$i" >&2; exit 1; }
    callgrind_annotate --threshold=100 "$work/cg.$i" 2>/dev/null |
        awk -v lib="$LIB" 'index($0, "[" lib "]") { sub(/ \[.*/, ""); sub(/.*:/, ""); print }'
done | sort -u > "$work/functions"

# Function name -> address, then address -> input section (from the map).
nm "$LIB" | awk 'NR == FNR { want[$1] = 1; next } ($3 in want) { print $1 }' \
    "$work/functions" - | sort -u > "$work/addresses"
awk '
    function hex(s,    i, v) {
        s = tolower(s); sub(/^0x/, "", s); v = 0
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v
    }
    function emit(name, addr, size) {
        if (name ~ /^\.text\./) { n++; lo[n] = hex(addr); hi[n] = lo[n] + hex(size); nm[n] = name }
    }
    NR == FNR {
        if ($1 ~ /^\.text\./) {
            if (NF >= 3) emit($1, $2, $3); else pending = $1
        } else if (pending != "" && $1 ~ /^0x/ && NF >= 3) {
            emit(pending, $1, $2); pending = ""
        } else pending = ""
        next
    }
    {
        a = hex($1)
        for (k = 1; k <= n; k++) if (a >= lo[k] && a < hi[k]) { print nm[k]; break }
    }
' "$MAP" "$work/addresses" |
    sed -E -e 's/^\.text\.hot\./.text./' -e 's/17h[0-9a-f]{16}E$/17h*E/' -e 's/Cs[0-9A-Za-z]+_/Cs*_/g' |
    sort -u > "$work/sections"

{
    echo "# Written by tools/hot-text-gen.sh: the input sections of the code that"
    echo "# connecting, publishing and receiving run (read by tools/hot-text.sh)."
    cat "$work/sections"
} > "$OUT"
echo "hot-text-gen.sh: $(wc -l < "$work/sections") sections written to $OUT"
