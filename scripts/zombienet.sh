#!/usr/bin/env bash
# Local networks of four iotchain validators (Alice, Bob, Charlie, Dave on `local_testnet`),
# run by zombienet as local processes (`--provider native`).
#
#   scripts/zombienet.sh                 start zombienet/local.toml for you to use: zombienet
#                                        prints each node's RPC endpoint and Polkadot.js link;
#                                        Ctrl-C stops the network
#   scripts/zombienet.sh test [FILE...]  run the network tests (default: every zombienet/*.zndsl)
#                                        one after the other; exits non-zero if one failed
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/scripts/setup.sh"
# The workspace, as every script builds it: one feature set, so nothing is compiled twice.
cargo build --release --locked --workspace --manifest-path "$ROOT/Cargo.toml"
# The network files name the binary `iotchain-node`: the one just built.
export PATH="$CARGO_TARGET_DIR/release:$PATH"
zombienet="$ROOT/zombienet/node_modules/.bin/zombienet"
cd "$ROOT/zombienet"

case "${1:-spawn}" in
spawn)
	exec "$zombienet" spawn --provider native local.toml
	;;
test)
	shift
	[ $# -gt 0 ] || set -- *.zndsl
	status=0
	results=()
	for test in "$@"; do
		log "zombienet test $test"
		if "$zombienet" test --provider native "$test"; then
			results+=("zombienet: $test passed")
		else
			results+=("zombienet: $test failed")
			status=1
		fi
	done
	printf '%s\n' "${results[@]}"
	exit "$status"
	;;
*)
	echo "usage: scripts/zombienet.sh [test [FILE.zndsl...]]" >&2
	exit 2
	;;
esac
