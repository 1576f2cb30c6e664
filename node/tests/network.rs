//! No single point of failure: four validators (Alice, Bob, Charlie, Dave) of the `local`
//! chain, each its own `iotchain-node` process on this machine, connected through Alice as
//! bootnode.
//!
//! - All four author and finalize; Dave is killed (SIGKILL): the other three go on producing
//!   and finalizing (3 of 4 > 2/3); Dave restarts on his base path, catches up to the finalized
//!   head and follows it again.
//! - Two of four down: finality stalls while blocks are still authored (the control that shows
//!   the test can fail), and resumes when they come back.
//!
//! Four nodes on 6 s slots: ≈ 3 min.

use std::{path::Path, time::Duration};

use iotchain_test_node::{free_port, Node};
use serde_json::json;

/// Bound on the network reaching a state (peers, heights) after a change.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(120);

/// A validator of the local chain (`name` is `alice`, `bob`, …) on `p2p_port`, its database
/// in `base`, with a network key of its own.
fn validator(name: &str, p2p_port: u16, bootnode: Option<&str>, base: &Path, logs: &Path) -> Node {
	let flag = format!("--{name}");
	let base = base.join(name);
	let port = p2p_port.to_string();
	// Any 32 bytes are an ed25519 secret: one per name.
	let node_key = format!("{:064x}", name.bytes().fold(7u64, |key, b| key * 31 + u64::from(b)));
	let mut args = vec![
		"--chain",
		"local",
		&flag,
		"--node-key",
		&node_key,
		"--base-path",
		base.to_str().expect("utf-8 path"),
		"--port",
		&port,
		"--no-telemetry",
		"--no-mdns",
		"--no-prometheus",
		"--rpc-port",
		"0",
	];
	if let Some(bootnode) = bootnode {
		args.extend(["--bootnodes", bootnode]);
	}
	let node = Node::spawn(Path::new(env!("CARGO_BIN_EXE_iotchain-node")), &args, logs);
	node.wait_rpc_ready();
	node
}

/// The node's libp2p identity, from its log.
fn peer_id(node: &Node) -> String {
	node.wait_for("the node's identity", NETWORK_TIMEOUT, || {
		let log = node.log();
		let line = log.lines().find(|line| line.contains("Local node identity is: "))?;
		Some(line.split("identity is: ").nth(1)?.trim().to_owned())
	})
}

/// Waits (bounded) until `node` has a best block ≥ `best` and a finalized one ≥ `finalized`.
fn until(node: &Node, best: u32, finalized: u32) {
	node.wait_for(&format!("best ≥ {best}, finalized ≥ {finalized}"), NETWORK_TIMEOUT, || {
		(node.best_number() >= best && node.finalized().0 >= finalized).then_some(())
	})
}

fn peers(node: &Node) -> u64 {
	node.rpc("system_health", json!([]))["peers"].as_u64().expect("peer count")
}

#[test]
fn four_validators_survive_one_crash_and_stall_without_a_quorum() {
	let dir = tempfile::tempdir().expect("temp dir");
	let (base, logs) = (dir.path().join("chains"), dir.path());
	let alice_port = free_port();
	let alice = validator("alice", alice_port, None, &base, logs);
	let bootnode = format!("/ip4/127.0.0.1/tcp/{alice_port}/p2p/{}", peer_id(&alice));
	let join = |name| validator(name, free_port(), Some(&bootnode), &base, logs);
	let bob = join("bob");
	let mut charlie = join("charlie");
	let mut dave = join("dave");

	// All up: each sees the three others, and blocks get finalized.
	for node in [&alice, &bob, &charlie, &dave] {
		node.wait_for("3 peers", NETWORK_TIMEOUT, || (peers(node) == 3).then_some(()));
	}
	until(&alice, 4, 2);
	for node in [&bob, &charlie, &dave] {
		until(node, 4, 2);
	}

	// Dave crashes: the three others go on authoring and finalizing.
	dave.kill();
	let (finalized, _) = alice.finalized();
	until(&alice, alice.best_number() + 2, finalized + 2);
	until(&bob, 0, finalized + 2);

	// Dave comes back on his database: he catches up to the finalized head and follows it.
	dave = join("dave");
	let (target, target_hash) = alice.finalized();
	until(&dave, target, target);
	assert_eq!(dave.rpc("chain_getBlockHash", json!([target])), json!(target_hash));
	until(&dave, 0, target + 2);

	// Two of four down: no quorum. Blocks are still authored by the two left, but nothing more
	// is finalized while four new blocks come …
	charlie.kill();
	dave.kill();
	// (A round the two voted in before they went may still complete: let it.)
	until(&alice, alice.best_number() + 2, 0);
	let (stalled, stalled_hash) = alice.finalized();
	until(&alice, alice.best_number() + 4, 0);
	assert_eq!(alice.finalized().0, stalled, "finalized without a quorum");
	assert!(bob.finalized().0 <= stalled, "finalized without a quorum");

	// … and finality resumes once they are back.
	charlie = join("charlie");
	dave = join("dave");
	until(&alice, 0, stalled + 2);
	for node in [&bob, &charlie, &dave] {
		until(node, 0, stalled + 2);
		assert_eq!(node.rpc("chain_getBlockHash", json!([stalled])), json!(stalled_hash));
	}
	for node in [alice, bob, charlie, dave] {
		let (status, log) = node.stop();
		assert!(status.success(), "a validator exited with {status}:\n{log}");
	}
}
