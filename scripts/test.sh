#!/usr/bin/env bash
# Runs every test suite of iotchain: the Rust unit and integration tests of the whole workspace
# (pallets, runtime, node smoke tests against a real `iotchain-node`), the end-to-end suites and
# the zombienet network tests.
# Ends with one summary line `N passed, N failed` and exits non-zero if anything failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" || exit 1

passed=0
failed=0
status=0
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# Adds the counts of every `test result:` line of a cargo test log to the totals.
count_cargo_results() {
	local p f
	while read -r p f; do
		passed=$((passed + p))
		failed=$((failed + f))
	done < <(sed -nE 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$1")
}

# One profile and one feature set for build and test, so the ~1000 dependencies build once.
log "cargo build --release --workspace"
if ! cargo build --release --locked --workspace; then
	log "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

log "cargo test --release --workspace"
cargo test --release --locked --workspace 2>&1 | tee "$logs/cargo-test.log"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
	status=1
	# A test binary that failed to build or crashed reports no `test result` line: count it.
	grep -q '^test result: FAILED' "$logs/cargo-test.log" || failed=$((failed + 1))
fi
count_cargo_results "$logs/cargo-test.log"

log "end-to-end tests (tests/e2e: @polkadot/api and iotctl against iotchain-node --dev)"
(cd tests/e2e && IOTCHAIN_NODE="$NODE_BIN" IOTCTL="$IOTCTL_BIN" npm test --silent) 2>&1 | tee "$logs/e2e.log"
e2e_status=${PIPESTATUS[0]}
e2e_passed=$(sed -nE 's/^ℹ pass ([0-9]+)$/\1/p' "$logs/e2e.log" | tail -n 1)
e2e_failed=$(sed -nE 's/^ℹ fail ([0-9]+)$/\1/p' "$logs/e2e.log" | tail -n 1)
passed=$((passed + ${e2e_passed:-0}))
failed=$((failed + ${e2e_failed:-0}))
if [ "$e2e_status" -ne 0 ]; then
	status=1
	# A runner that crashed before its summary still counts as a failure.
	[ "${e2e_failed:-0}" -gt 0 ] || failed=$((failed + 1))
fi

log "network tests (zombienet/*.zndsl: four validators as local processes)"
"$ROOT/scripts/zombienet.sh" test 2>&1 | tee "$logs/zombienet.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# One result line per network test; a run that printed none (it crashed) counts as a failure.
zombienet_passed=$(grep -c '^zombienet: .* passed$' "$logs/zombienet.log")
zombienet_failed=$(grep -c '^zombienet: .* failed$' "$logs/zombienet.log")
passed=$((passed + zombienet_passed))
failed=$((failed + zombienet_failed))
[ $((zombienet_passed + zombienet_failed)) -gt 0 ] || failed=$((failed + 1))

echo
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
