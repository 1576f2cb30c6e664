#!/usr/bin/env bash
# Regenerates the weights the runtime uses from their benchmarks, measured on this machine:
#   1. every benchmark once on the pallets' mock runtimes (scripts/test-benchmarks.sh);
#   2. iotchain-node with `--features runtime-benchmarks`, a feature set of its own (≈ 30 min
#      cold on two cores; never part of the default build);
#   3. `iotchain-node benchmark pallet` for each pallet, written through
#      scripts/weight-template.hbs to the files below (commit them);
#   4. the default build again, so that target/release/iotchain-node is the usual node.
# BENCH_STEPS (default 50), BENCH_REPEAT (20), BENCH_PALLETS (all of them, space-separated),
# BENCH_SKIP_TESTS=1 (skip step 1) tune a run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

declare -A output=(
	[frame_system_extensions]=runtime/src/weights/frame_system_extensions.rs
	[pallet_transaction_payment]=runtime/src/weights/pallet_transaction_payment.rs
	[pallet_devices]=pallets/devices/src/weights.rs
	[pallet_anchors]=pallets/anchors/src/weights.rs
	[pallet_access]=pallets/access/src/weights.rs
)
read -r -a pallets <<<"${BENCH_PALLETS:-${!output[*]}}"
for pallet in "${pallets[@]}"; do
	[ -n "${output[$pallet]:-}" ] || { log "unknown pallet: $pallet (known: ${!output[*]})"; exit 2; }
done

if [ "${BENCH_SKIP_TESTS:-0}" != 1 ]; then
	"$ROOT/scripts/test-benchmarks.sh"
fi

log "build iotchain-node with --features runtime-benchmarks"
cargo build --release --locked -p iotchain-node --features runtime-benchmarks
bench_node="$CARGO_TARGET_DIR/release/iotchain-node-benchmarks"
cp "$NODE_BIN" "$bench_node"
trap 'log "rebuild the default node"; cargo build --release --locked --workspace' EXIT

for pallet in "${pallets[@]}"; do
	log "benchmark $pallet → ${output[$pallet]}"
	mkdir -p "$(dirname "${output[$pallet]}")"
	"$bench_node" benchmark pallet --chain dev --pallet "$pallet" --extrinsic '*' \
		--steps "${BENCH_STEPS:-50}" --repeat "${BENCH_REPEAT:-20}" --min-duration 0 \
		--wasm-execution compiled --heap-pages 4096 \
		--template scripts/weight-template.hbs --output "${output[$pallet]}"
done
