#!/usr/bin/env bash
# Benchmark: anchors/s and chain state size after 0, 100 000 and 1 000 000 anchors, on one
# `iotchain-node --dev` in one run, with `system.remark` blocks as the baseline measured at the
# same time. Takes about 20 minutes (1 000 000 anchors at the block weight limit of 6 s blocks).
# Fewer checkpoints: `BENCH_CHECKPOINTS=0,100000 scripts/bench-anchors.sh`. Results belong in
# docs/performance.md, with the machine they came from.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/scripts/setup.sh"
# The workspace, as every script builds it: one feature set, so nothing is compiled twice.
cargo build --release --locked --workspace --manifest-path "$ROOT/Cargo.toml"
cd "$ROOT/tests/e2e"
IOTCHAIN_NODE="$NODE_BIN" exec node bench/anchors-at-scale.mjs
