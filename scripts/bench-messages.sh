#!/usr/bin/env bash
# Benchmark: device-to-device messages through the nodes' statement store. Starts its own pair
# of nodes (an authoring --dev node and a full node synced from it over p2p) and prints, with
# ratios against baselines measured in the same run:
#   - messages/s into one node through the SDK's send_message (8 concurrent senders), against
#     plain pre-signed statements of the same size;
#   - latency p50/p99 from a sender on node 1 to a recipient's inbox on node 2 (gossip), against
#     both on node 1.
# Takes about a minute after the build. Results belong in docs/performance.md.
#
#   scripts/bench-messages.sh                   2 000 messages per phase, 200 latency samples
#   BENCH_MESSAGES=8000 BENCH_LATENCY=500 scripts/bench-messages.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/scripts/setup.sh"
log "cargo build --release --workspace --examples"
cargo build --release --locked --workspace --examples --manifest-path "$ROOT/Cargo.toml"
IOTCHAIN_NODE="$NODE_BIN" "$CARGO_TARGET_DIR/release/examples/bench_messages"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB"
