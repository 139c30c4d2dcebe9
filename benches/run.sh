#!/usr/bin/env bash
# Side-by-side benchmark of Debian's libmosquitto and ours (`make bench`).
#
# Builds benches/bench.c once (against /usr/include/mosquitto.h, linked
# -lmosquitto) and the sink (benches/sink), starts the sink and a real
# mosquitto broker on free loopback ports, then runs every scenario in pairs,
# alternating which library goes first: Debian's (no LD_LIBRARY_PATH) and
# ours (LD_LIBRARY_PATH=target/release). Prints per scenario the median of
# each library, the ratio ours/reference and the min-max of the per-pair
# ratios; then instructions per message under callgrind for pub0 and sub0,
# and the top functions of ours.
#
# Environment: BENCH_PAIRS (default 5), BENCH_SCALE (multiplies message
# counts, default 1), BENCH_CALLGRIND=0 to skip the callgrind part,
# BENCH_OURS_DIR (default target/release) to measure another build of ours.
# Raw results: target/bench/results.txt; callgrind files: target/bench/cg/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/target/bench
OURS_DIR=${BENCH_OURS_DIR:-$ROOT/target/release}
PAIRS=${BENCH_PAIRS:-5}
SCALE=${BENCH_SCALE:-1}
CALLGRIND=${BENCH_CALLGRIND:-1}
BENCH=$OUT/bench
SINK=$ROOT/benches/sink/target/release/mqtt-sink
RESULTS=$OUT/results.txt

mkdir -p "$OUT" "$OUT/cg"
cd "$ROOT"

if [ ! -e "$OURS_DIR/libmosquitto.so.1" ]; then
    echo "run.sh: $OURS_DIR/libmosquitto.so.1 is missing: run make first" >&2
    exit 1
fi
if ! command -v valgrind >/dev/null || ! command -v mosquitto >/dev/null; then
    "$ROOT/tools/setup-debian.sh"
fi

echo "== build"
cc -O2 -g -Wall -Wextra -o "$BENCH" benches/bench.c -lmosquitto -ldl -lpthread
cargo build --quiet --release --manifest-path benches/sink/Cargo.toml

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# The sink prints "PORT <n>" once it listens.
"$SINK" > "$OUT/sink.out" &
pids+=($!)
for _ in $(seq 100); do
    grep -q '^PORT ' "$OUT/sink.out" 2>/dev/null && break
    sleep 0.05
done
SINK_PORT=$(awk '/^PORT /{print $2}' "$OUT/sink.out")
[ -n "$SINK_PORT" ] || { echo "run.sh: the sink did not start" >&2; exit 1; }

# Free ports for the broker (plain and TLS): nothing accepts a connection
# there.
free_port() {
    local p
    for p in $(seq $((20000 + RANDOM % 20000)) 1 60000); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
}
BROKER_PORT=$(free_port)
TLS_PORT=$(free_port)
while [ "$TLS_PORT" = "$BROKER_PORT" ]; do TLS_PORT=$(free_port); done
RTT_PORT=$(free_port)
while [ "$RTT_PORT" = "$BROKER_PORT" ] || [ "$RTT_PORT" = "$TLS_PORT" ]; do
    RTT_PORT=$(free_port)
done

# A CA and a server certificate for 127.0.0.1 (EC P-256), for connect_tls.
PKI=$OUT/pki
rm -rf "$PKI"
mkdir -p "$PKI"
(
    cd "$PKI"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout ca.key -out ca.crt -days 2 -subj "/CN=bench CA" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
        -out server.crt -days 2 -extfile san.ext 2>/dev/null
)
# Run as root, mosquitto would switch to the "mosquitto" user, which cannot
# read the key made here: it stays who it is.
broker_user=""
[ "$(id -u)" = 0 ] && broker_user="user root"
# set_tcp_nodelay: otherwise the broker's Nagle algorithm holds its second
# TLS session ticket until the client's delayed ACK (~40 ms), for either
# library, and connect_tls would measure that timer.
cat > "$OUT/broker.conf" <<EOF
$broker_user
set_tcp_nodelay true
per_listener_settings false
allow_anonymous true
listener $BROKER_PORT 127.0.0.1
listener $TLS_PORT 127.0.0.1
cafile $PKI/ca.crt
certfile $PKI/server.crt
keyfile $PKI/server.key
EOF
mosquitto -c "$OUT/broker.conf" > "$OUT/broker.log" 2>&1 &
pids+=($!)
# A second broker with mosquitto's defaults (Nagle on: no set_tcp_nodelay),
# as most are deployed, for the round trips (rtt0/1/2): there the broker
# holds its second small packet in a row until the client has acknowledged
# the first, so how soon a client's ACKs leave shows in the latency.
cat > "$OUT/broker-default.conf" <<EOF
$broker_user
allow_anonymous true
listener $RTT_PORT 127.0.0.1
EOF
mosquitto -c "$OUT/broker-default.conf" > "$OUT/broker-default.log" 2>&1 &
pids+=($!)
for port in "$BROKER_PORT" "$TLS_PORT" "$RTT_PORT"; do
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
done
echo "sink on port $SINK_PORT, mosquitto broker on ports $BROKER_PORT (plain) and $TLS_PORT (TLS)," \
    "default-config broker on port $RTT_PORT"

echo "== sink self-check (raw socket peer, no MQTT library)"
"$SINK" --selfcheck

n() { awk -v a="$1" -v s="$SCALE" 'BEGIN { printf "%d", a * s }'; }

# Latency through a real broker moves more from run to run than throughput
# does (thread wake-ups on a shared machine): rtt runs more pairs, so that
# its medians say something. rtt2 runs fewer, shorter ones: on the
# reference every QoS 2 round trip through a default broker takes ~44 ms.
RTT_PAIRS=$((PAIRS * 2 - 1))
RTT2_PAIRS=$(((PAIRS + 1) / 2))

# name | bench arguments | pairs
scenarios=(
    "pub0|pub0 -p $SINK_PORT -n $(n 300000)|$PAIRS"
    "pub0_4k|pub0 -p $SINK_PORT -s 4096 -n $(n 40000)|$PAIRS"
    "pub0_loop|pub0loop -p $SINK_PORT -n $(n 300000)|$PAIRS"
    "pub1_if1|pubq -p $SINK_PORT -q 1 -i 1 -n $(n 20000)|$PAIRS"
    "pub1_if20|pubq -p $SINK_PORT -q 1 -i 20 -n $(n 60000)|$PAIRS"
    "pub1_if1000|pubq -p $SINK_PORT -q 1 -i 1000 -n $(n 60000)|$PAIRS"
    "pub2_if1|pubq -p $SINK_PORT -q 2 -i 1 -n $(n 10000)|$PAIRS"
    "pub2_if20|pubq -p $SINK_PORT -q 2 -i 20 -n $(n 40000)|$PAIRS"
    "pub2_if1000|pubq -p $SINK_PORT -q 2 -i 1000 -n $(n 40000)|$PAIRS"
    "sub0|sub -p $SINK_PORT -q 0 -n $(n 1000000)|$PAIRS"
    "sub1|sub -p $SINK_PORT -q 1 -n $(n 200000)|$PAIRS"
    "sub2|sub -p $SINK_PORT -q 2 -n $(n 100000)|$PAIRS"
    "rtt0|rtt -p $RTT_PORT -q 0 -n $(n 5000)|$RTT_PAIRS"
    "rtt1|rtt -p $RTT_PORT -q 1 -n $(n 3000)|$RTT_PAIRS"
    "rtt2|rtt -p $RTT_PORT -q 2 -n $(n 500)|$RTT2_PAIRS"
    "connect|connect -p $SINK_PORT -n $(n 3000)|$PAIRS"
    "connect_tls|connect -p $TLS_PORT -c $PKI/ca.crt -n $(n 1000)|$PAIRS"
    "clients1000|clients -p $SINK_PORT -n 1000|$PAIRS"
    "clients10000|clients -p $SINK_PORT -n 10000|3"
)

failures=0
: > "$RESULTS"

# run_one <impl> <pair> <name> <args...>: one run, its RESULT lines tagged.
run_one() {
    local impl=$1 pair=$2 name=$3
    shift 3
    local log=$OUT/last-$impl.out env=()
    [ "$impl" = ours ] && env=(env "LD_LIBRARY_PATH=$OURS_DIR")
    local try ok=0
    for try in 1 2 3; do
        if "${env[@]}" timeout 120 "$BENCH" "$@" > "$log" 2> "$log.err"; then
            ok=1
            break
        fi
        # Only a loader failure is retried (the machine is shared: another
        # job may be replacing the system's libmosquitto for a moment); a
        # lost message or a stall fails the run at once.
        grep -q 'error while loading shared libraries' "$log.err" || break
        sleep 2
    done
    if [ "$ok" = 0 ]; then
        echo "FAIL: $name ($impl, pair $pair): $(tail -n 1 "$log.err")" >&2
        failures=$((failures + 1))
        return
    fi
    local lib
    lib=$(awk '/^LIB /{print $2}' "$log")
    case "$impl:$lib" in
        ours:"$OURS_DIR"/*|ref:/usr/lib/*) ;;
        *) echo "FAIL: $name ($impl) loaded $lib" >&2; failures=$((failures + 1)); return ;;
    esac
    sed -n "s/^RESULT /RESULT impl=$impl pair=$pair /p" "$log" >> "$RESULTS"
}

echo "== scenarios ($PAIRS pairs each, alternating which library runs first)"
start=$SECONDS
for entry in "${scenarios[@]}"; do
    IFS='|' read -r name args pairs <<< "$entry"
    printf '%-13s' "$name"
    for i in $(seq 1 "$pairs"); do
        # shellcheck disable=SC2086 # args is a word list on purpose
        if [ $((i % 2)) -eq 1 ]; then
            run_one ref "$i" "$name" $args
            run_one ours "$i" "$name" $args
        else
            run_one ours "$i" "$name" $args
            run_one ref "$i" "$name" $args
        fi
        printf '.'
    done
    echo " $((SECONDS - start)) s"
done
REF_LIB=$(awk '/^LIB /{print $2}' "$OUT/last-ref.out")
echo "reference: $REF_LIB"
echo "ours:      $(awk '/^LIB /{print $2}' "$OUT/last-ours.out")"
echo

# Stripped file sizes (what a device's image carries). The reference needs
# OpenSSL for TLS: the second row adds the libssl and libcrypto it links
# against; ours has its TLS inside.
stripped_size() {
    local f
    f=$(mktemp)
    strip -o "$f" "$(readlink -f "$1")"
    stat -c %s "$f"
    rm -f "$f"
}
ref_size=$(stripped_size "$REF_LIB")
ours_size=$(stripped_size "$OURS_DIR/libmosquitto.so.1")
ref_tls_size=$ref_size
for dep in $(ldd "$REF_LIB" | awk '$1 ~ /^lib(ssl|crypto)\.so/ { print $3 }'); do
    ref_tls_size=$((ref_tls_size + $(stripped_size "$dep")))
done
{
    echo "RESULT impl=ref pair=1 scenario=size_stripped value=$ref_size unit=bytes"
    echo "RESULT impl=ours pair=1 scenario=size_stripped value=$ours_size unit=bytes"
    echo "RESULT impl=ref pair=1 scenario=size_stripped_with_tls value=$ref_tls_size unit=bytes"
    echo "RESULT impl=ours pair=1 scenario=size_stripped_with_tls value=$ours_size unit=bytes"
} >> "$RESULTS"

awk -f "$ROOT/benches/summary.awk" "$RESULTS"

if [ "$CALLGRIND" = 1 ]; then
    echo
    echo "== callgrind: instructions per message (whole process, all threads)"
    echo "   marginal = (Ir(N2) - Ir(N1)) / (N2 - N1), which removes start-up and connect"
    # total_ir <file prefix>: sums the "totals:" (or "summary:") of every dump.
    total_ir() {
        cat "$1"* | awk '/^totals:/{t+=$2; seen=1} /^summary:/{s+=$2} END{print (seen ? t : s)}'
    }
    declare -A ir_per
    printf '%-6s %-5s %14s %14s %12s\n' scen lib "Ir(N1)" "Ir(N2)" "Ir/msg"
    for scen in pub0 sub0; do
        if [ $scen = pub0 ]; then n1=20000 n2=60000; else n1=50000 n2=150000; fi
        for impl in ref ours; do
            env=()
            [ "$impl" = ours ] && env=(env "LD_LIBRARY_PATH=$OURS_DIR")
            irs=()
            for count in $n1 $n2; do
                prefix=$OUT/cg/callgrind.$scen.$impl.$count
                rm -f "$prefix"*
                q=""
                [ $scen = sub0 ] && q="-q 0"
                arg=$scen
                [ $scen = sub0 ] && arg=sub
                # shellcheck disable=SC2086
                if ! "${env[@]}" valgrind --tool=callgrind --trace-children=no \
                    --callgrind-out-file="$prefix.out" "$BENCH" $arg $q -p "$SINK_PORT" \
                    -n $count > "$prefix.log" 2>&1; then
                    echo "FAIL: callgrind $scen $impl $count: $(grep FAIL "$prefix.log" | tail -n 1)" >&2
                    failures=$((failures + 1))
                fi
                irs+=("$(total_ir "$prefix.out")")
            done
            per=$(( (irs[1] - irs[0]) / (n2 - n1) ))
            ir_per[$scen.$impl]=$per
            printf '%-6s %-5s %14s %14s %12s\n' $scen $impl "${irs[0]}" "${irs[1]}" $per
        done
        awk -v o="${ir_per[$scen.ours]}" -v r="${ir_per[$scen.ref]}" -v s=$scen \
            'BEGIN{printf "%-6s ours/ref instructions per message: %.2f\n", s, (r ? o / r : 0)}'
    done
    for scen in pub0 sub0; do
        if [ $scen = pub0 ]; then count=60000; else count=150000; fi
        f=$OUT/cg/callgrind.$scen.ours.$count.out
        callgrind_annotate --threshold=100 "$f" > "$OUT/cg/annotate.$scen.ours.txt" 2>/dev/null || true
        echo
        echo "== top 10 functions of ours, $scen (self instructions, N=$count; full: target/bench/cg/annotate.$scen.ours.txt)"
        awk '/^-+$/{d++} d>=3 && /^ *[0-9,]+ / && !/PROGRAM TOTALS/{print; if(++k==10) exit}' \
            "$OUT/cg/annotate.$scen.ours.txt"
    done
fi

if [ "$failures" -gt 0 ]; then
    echo "run.sh: $failures run(s) failed" >&2
    exit 1
fi
