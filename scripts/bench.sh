#!/usr/bin/env bash
# The load benchmark's standard set, written to docs/performance.md (the section between the
# `bench.sh` markers; the rest of the file is kept). Each run starts its own
# `iotchain-node --dev` on a fresh base path (`iotctl bench`, see the README's "Load benchmark"):
#   1. remark (the baseline), anchor, batch (4 096 readings a root) and verify, 3 full blocks
#      each;
#   2. anchors only, until 100 000 are in blocks: the node's memory after them.
# About 10 minutes after the build. BENCH_BLOCKS (3) and BENCH_ANCHORS (100000) tune it;
# BENCH_OUTPUT=- prints the section instead of writing it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/scripts/setup.sh"
log "cargo build --release --workspace"
cargo build --release --locked --workspace --manifest-path "$ROOT/Cargo.toml"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export IOTCHAIN_NODE="$NODE_BIN"

log "run 1: remark, anchor, batch, verify"
"$IOTCTL_BIN" bench --json --blocks "${BENCH_BLOCKS:-3}" >"$work/standard.json"

# Run 2: the anchor phase's blocks hold as many anchors as run 1 measured per block; enough
# blocks for BENCH_ANCHORS of them.
per_block="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(max(1, int(next(p["perBlock"] for p in r["phases"] if p["phase"] == "anchor"))))' "$work/standard.json")"
blocks=$(( (${BENCH_ANCHORS:-100000} + per_block - 1) / per_block ))
log "run 2: anchors only, $blocks blocks of about $per_block"
"$IOTCTL_BIN" bench --json --phases anchor --blocks "$blocks" >"$work/memory.json"

machine="$(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM"
commit="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . ':!docs' || echo ' (with local changes)')"
python3 "$ROOT/scripts/bench-report.py" "$work/standard.json" "$work/memory.json" \
	--machine "$machine" --commit "$commit" --date "$(date -u +%F)" \
	--output "${BENCH_OUTPUT:-$ROOT/docs/performance.md}"
