#!/usr/bin/env bash
# Builds the node and runs a single-validator development chain (Alice authors and finalizes).
# RPC and WebSocket on ws://127.0.0.1:9944 for Polkadot.js apps. Extra flags are passed to the
# node and win over the defaults, e.g. `scripts/dev.sh --tmp` for a throw-away chain or
# `scripts/dev.sh --rpc-port 9955` for another port.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/scripts/setup.sh"
log "cargo build --release --workspace (the first build takes ~40 min on 2 cores)"
cargo build --release --locked --workspace --manifest-path "$ROOT/Cargo.toml"
defaults=(--rpc-port 9944)
for arg in "$@"; do
	case "$arg" in --rpc-port | --rpc-port=*) defaults=() ;; esac
done
log "starting $NODE_BIN --dev ${defaults[*]} $*"
exec "$NODE_BIN" --dev "${defaults[@]}" "$@"
