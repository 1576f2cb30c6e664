# Shared by the scripts in this folder: sourced, not run.
# The build directory lives outside the checkout so that every clone on this machine (and CI)
# reuses one build: a cold build of the node takes over half an hour on two cores.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/iotchain/target}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
NODE_BIN="$CARGO_TARGET_DIR/release/iotchain-node"
export NODE_BIN
IOTCTL_BIN="$CARGO_TARGET_DIR/release/iotctl"
export IOTCTL_BIN

log() { printf '\033[1m[iotchain]\033[0m %s\n' "$*" >&2; }
