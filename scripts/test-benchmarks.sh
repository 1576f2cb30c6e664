#!/usr/bin/env bash
# Runs every benchmark of iotchain's pallets once on the pallets' mock runtimes and checks its
# outcome (`impl_benchmark_test_suite!`). Feature `runtime-benchmarks` is a feature set of its
# own: this compiles the pallets and their FRAME dependencies a second time (≈ 10 min cold on
# two cores), which is why `scripts/test.sh` does not run it. `scripts/benchmark-weights.sh`
# runs it before measuring.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

log "benchmark test suites of the pallets (feature runtime-benchmarks, mock runtimes)"
SKIP_WASM_BUILD=1 cargo test --release --locked \
	-p pallet-devices -p pallet-anchors -p pallet-access -p pallet-validator-set \
	--features runtime-benchmarks --lib -- benchmark "$@"
