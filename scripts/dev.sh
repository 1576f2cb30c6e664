#!/usr/bin/env bash
# Builds the node and runs a single-validator development chain (Alice authors and finalizes).
# RPC and WebSocket on ws://127.0.0.1:9944 for Polkadot.js apps. Extra flags are passed to the
# node, e.g. `scripts/dev.sh --tmp` for a throw-away chain.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/scripts/setup.sh"
log "cargo build --release --workspace (the first build takes ~40 min on 2 cores)"
cargo build --release --locked --workspace --manifest-path "$ROOT/Cargo.toml"
log "starting $NODE_BIN --dev --rpc-port 9944 $*"
exec "$NODE_BIN" --dev --rpc-port 9944 "$@"
