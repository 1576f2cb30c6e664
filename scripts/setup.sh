#!/usr/bin/env bash
# Installs what building and testing iotchain needs, and only what is missing. Idempotent:
# run it as often as you like. The Dockerfile's builder stage runs the same steps.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		log "need root for: $*"; return 1
	fi
}

# 1. Rust: the stable toolchain, the WASM target the runtime is built for, and rust-src.
if ! command -v rustup >/dev/null; then
	log "rustup is missing: install it from https://rustup.rs, then run this script again"
	exit 1
fi
if ! rustup target list --installed | grep -qx wasm32v1-none; then
	log "rustup target add wasm32v1-none"
	rustup target add wasm32v1-none
fi
if ! rustup component list --installed | grep -q '^rust-src'; then
	log "rustup component add rust-src"
	rustup component add rust-src
fi

# 2. Debian packages: protoc for the networking crates, a C toolchain for the -sys crates,
#    Node.js and npm for the end-to-end tests, the mosquitto broker (and mosquitto_pub) for the
#    gateway's tests and walkthrough.
missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v cc >/dev/null || missing+=(build-essential)
command -v git >/dev/null || missing+=(git)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null || missing+=(mosquitto-clients)
if [ ${#missing[@]} -gt 0 ]; then
	log "apt-get install ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 3. npm packages, exactly as locked (only when a lock file changed): the end-to-end tests'
#    (@polkadot/api) and zombienet's (@zombienet/cli, for scripts/zombienet.sh).
for dir in "$ROOT/tests/e2e" "$ROOT/zombienet"; do
	if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		log "npm ci (${dir#"$ROOT"/})"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
done

log "setup done: $(rustc --version), $(protoc --version), node $(node --version), target dir $CARGO_TARGET_DIR"
