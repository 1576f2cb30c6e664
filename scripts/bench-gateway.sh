#!/usr/bin/env bash
# Benchmark: iotchain-gateway readings/s from MQTT publish to anchored on chain with their proofs
# stored, against the broker's own QoS 1 throughput measured in the same run. Everything on this
# machine: a fresh `iotchain-node --dev` (6 s blocks), mosquitto, the gateway and the publishers.
# Takes about 3 minutes after the build. Results belong in docs/performance.md, with the machine
# they came from.
#
#   scripts/bench-gateway.sh                       20 000 readings/s offered for 60 s
#   BENCH_RATE=30000 BENCH_DURATION=120 scripts/bench-gateway.sh
#   BENCH_DEVICES=2 (16 streams each; default 4)   BENCH_EMBEDDED=1 (rumqttd in the gateway)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RATE="${BENCH_RATE:-20000}"
DURATION="${BENCH_DURATION:-60}"
DEVICES="${BENCH_DEVICES:-4}"
STREAMS_PER_DEVICE=16 # the runtime's MaxStreamsPerDevice
GATEWAY_BIN="$CARGO_TARGET_DIR/release/iotchain-gateway"
BOB=5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty

"$ROOT/scripts/setup.sh"
log "cargo build --release --workspace"
cargo build --release --locked --workspace --manifest-path "$ROOT/Cargo.toml"

work="$(mktemp -d)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

rpc="$(free_port)"
mqtt="$(free_port)"
log "node: $NODE_BIN --dev --tmp on ws://127.0.0.1:$rpc"
"$NODE_BIN" --dev --tmp --no-telemetry --no-mdns --no-prometheus --port 0 --rpc-port "$rpc" \
	>"$work/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
	if curl -sf -H 'Content-Type: application/json' \
		-d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader","params":[]}' \
		"http://127.0.0.1:$rpc" | grep -q '"number":"0x[1-9a-f]'; then
		break
	fi
	sleep 0.5
done
curl -sf -H 'Content-Type: application/json' \
	-d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader","params":[]}' \
	"http://127.0.0.1:$rpc" | grep -q '"number":"0x[1-9a-f]' ||
	{ tail -20 "$work/node.log"; log "the node did not produce a block within 60 s"; exit 1; }

embedded=()
if [[ "${BENCH_EMBEDDED:-0}" == 1 ]]; then
	embedded=(--embedded-broker)
	log "broker: rumqttd in the gateway's process on 127.0.0.1:$mqtt"
else
	# mosquitto's defaults (20 messages in flight, 1 000 queued per client, the rest dropped)
	# throttle and then lose QoS 1 readings under load: a gateway's broker needs more.
	cat >"$work/mosquitto.conf" <<-EOF
		listener $mqtt 127.0.0.1
		allow_anonymous true
		max_inflight_messages 1000
		max_queued_messages 0
		persistence false
	EOF
	log "broker: mosquitto on 127.0.0.1:$mqtt"
	/usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
	pids+=($!)
fi

log "setup: $DEVICES devices of Alice's, $STREAMS_PER_DEVICE streams each, Bob (the gateway) holding WRITE and their custody"
iotctl() { "$IOTCTL_BIN" --url "ws://127.0.0.1:$rpc" "$@"; }
routes=""
for d in $(seq "$DEVICES"); do
	id="$(iotctl --json key generate --scheme ed25519 --out "$work/device-$d.key" |
		sed -nE 's/.*"deviceId": *"(0x[0-9a-f]+)".*/\1/p')"
	[[ -n "$id" ]] || { log "no device id from iotctl key generate"; exit 1; }
	# Submitted back to back (consecutive nonces, one block); the last one waits for it.
	iotctl --no-wait device register --suri //Alice --device-key "$work/device-$d.key" --model bench >/dev/null
	iotctl --no-wait grant --suri //Alice --device "$id" --to "$BOB" --permissions write >/dev/null
	wait_flag=(--no-wait)
	[[ "$d" == "$DEVICES" ]] && wait_flag=()
	iotctl "${wait_flag[@]}" device custody --suri //Alice --id "$id" --gateway "$BOB" >/dev/null
	for s in $(seq "$STREAMS_PER_DEVICE"); do
		routes+=$'[[routes]]\n'"topic = \"sensors/$d/$s/+\""$'\n'"device = \"$id\""$'\n'"stream = $s"$'\n'
	done
done

cat >"$work/gateway.toml" <<EOF
suri = "//Bob"
store = "gateway.redb"
[broker]
host = "127.0.0.1"
port = $mqtt
client_id = "iotchain-gateway-bench"
[chain]
url = "ws://127.0.0.1:$rpc"
[batch]
size = 4096
max_delay_ms = 2000
$routes
EOF

log "iotchain-gateway bench: $RATE readings/s for $DURATION s"
RUST_LOG="${RUST_LOG:-iotchain_gateway=warn}" "$GATEWAY_BIN" bench --config "$work/gateway.toml" \
	--rate "$RATE" --duration "$DURATION" "${embedded[@]}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB"
