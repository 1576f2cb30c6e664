#!/usr/bin/env bash
# Regenerates the weights the runtime uses from their benchmarks, measured on this machine:
#   1. every benchmark once on the pallets' mock runtimes (scripts/test-benchmarks.sh);
#   2. iotchain-node with `--features runtime-benchmarks`, a feature set of its own (≈ 30 min
#      cold on two cores; never part of the default build);
#   3. `iotchain-node benchmark pallet` for each pallet, written through
#      scripts/weight-template.hbs to the files below, and `benchmark overhead` for the base
#      weights of a block and of a transaction (runtime/src/weights/{block,extrinsic}_weights.rs);
#      commit them;
#   4. the default build again, so that target/release/iotchain-node is the usual node.
# BENCH_STEPS (default 50), BENCH_REPEAT (20), BENCH_PALLETS (all of them and `overhead`,
# space-separated), BENCH_SKIP_TESTS=1 (skip step 1), BENCH_SKIP_BUILD=1 (reuse the last
# benchmark node, skip steps 2 and 4) tune a run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

declare -A output=(
	[frame_system_extensions]=runtime/src/weights/frame_system_extensions.rs
	[pallet_transaction_payment]=runtime/src/weights/pallet_transaction_payment.rs
	[pallet_balances]=runtime/src/weights/pallet_balances.rs
	[pallet_utility]=runtime/src/weights/pallet_utility.rs
	[pallet_sudo]=runtime/src/weights/pallet_sudo.rs
	[pallet_timestamp]=runtime/src/weights/pallet_timestamp.rs
	[pallet_validator_set]=pallets/validator-set/src/weights.rs
	[pallet_devices]=pallets/devices/src/weights.rs
	[pallet_anchors]=pallets/anchors/src/weights.rs
	[pallet_access]=pallets/access/src/weights.rs
)
read -r -a pallets <<<"${BENCH_PALLETS:-${!output[*]} overhead}"
for pallet in "${pallets[@]}"; do
	[ -n "${output[$pallet]:-}" ] || [ "$pallet" = overhead ] ||
		{ log "unknown pallet: $pallet (known: ${!output[*]} overhead)"; exit 2; }
done

if [ "${BENCH_SKIP_TESTS:-0}" != 1 ]; then
	"$ROOT/scripts/test-benchmarks.sh"
fi

bench_node="$CARGO_TARGET_DIR/release/iotchain-node-benchmarks"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
log "build iotchain-node with --features runtime-benchmarks"
# frame-benchmarking-cli depends on a WASM test runtime of its own, used only by `benchmark
# storage --mode validate-block`; its wasm builder cannot find it with the build directory outside
# the checkout ("Failed to find entry for package"), so it is not built.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
cargo build --release --locked -p iotchain-node --features runtime-benchmarks
cp "$NODE_BIN" "$bench_node"
trap 'log "rebuild the default node"; cargo build --release --locked --workspace' EXIT
fi

for pallet in "${pallets[@]}"; do
	if [ "$pallet" = overhead ]; then
		log "benchmark overhead → runtime/src/weights/{block,extrinsic}_weights.rs"
		mkdir -p runtime/src/weights
		"$bench_node" benchmark overhead --chain dev --weight-path runtime/src/weights \
			--warmup "${BENCH_REPEAT:-20}" --repeat "$(( ${BENCH_REPEAT:-20} * 5 ))"
		# The runtime reaches the SDK's crates through the polkadot-sdk umbrella crate.
		sed -i -e 's/^use sp_core::parameter_types;/use polkadot_sdk::frame_support::parameter_types;/' \
			-e 's/^use sp_weights::{/use polkadot_sdk::frame_support::weights::{/' \
			-e 's/^\tuse sp_weights::constants;/\tuse polkadot_sdk::frame_support::weights::constants;/' \
			runtime/src/weights/block_weights.rs runtime/src/weights/extrinsic_weights.rs
		continue
	fi
	log "benchmark $pallet → ${output[$pallet]}"
	mkdir -p "$(dirname "${output[$pallet]}")"
	"$bench_node" benchmark pallet --chain dev --pallet "$pallet" --extrinsic '*' \
		--steps "${BENCH_STEPS:-50}" --repeat "${BENCH_REPEAT:-20}" --min-duration 0 \
		--wasm-execution compiled --heap-pages 4096 \
		--template scripts/weight-template.hbs --output "${output[$pallet]}"
done
