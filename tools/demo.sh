#!/usr/bin/env bash
# `make demo`: Debian's unchanged mosquitto_sub and mosquitto_pub exchange
# messages through this project's libmosquitto.so.1, via a local broker
# started on a free loopback port.
set -euo pipefail

cd "$(dirname "$0")/.."
lib_dir="$PWD/target/release"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" > "$work/mosquitto.conf"
[ "$(id -u)" -eq 0 ] && echo 'user root' >> "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/broker.log" 2>&1 &
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
echo "broker: mosquitto on 127.0.0.1:$port"

export LD_LIBRARY_PATH="$lib_dir"
echo "mosquitto_pub resolves libmosquitto.so.1 to: $(ldd "$(command -v mosquitto_pub)" | awk '/libmosquitto.so.1/ {print $3}')"

mosquitto_sub -h 127.0.0.1 -p "$port" -t 'demo/#' -v -C 3 -W 10 > "$work/received" &
sub=$!
# Wait until the subscriber is connected, then show the library it mapped.
for _ in $(seq 50); do
    grep -q libmosquitto "/proc/$sub/maps" 2>/dev/null && break
    sleep 0.1
done
echo "mosquitto_sub (pid $sub) has mapped: $(grep -o '/[^ ]*libmosquitto[^ ]*' "/proc/$sub/maps" | sort -u)"
sleep 0.5

for qos in 0 1 2; do
    mosquitto_pub -h 127.0.0.1 -p "$port" -t "demo/qos$qos" -m "hello at QoS $qos" -q "$qos"
    echo "published demo/qos$qos (QoS $qos)"
done
wait "$sub"
echo "mosquitto_sub received:"
sed 's/^/  /' "$work/received"
[ "$(wc -l < "$work/received")" -eq 3 ] || { echo "expected 3 messages" >&2; exit 1; }
