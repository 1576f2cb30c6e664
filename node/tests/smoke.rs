//! End-to-end smoke tests of the `iotchain-node` binary.
//!
//! Each test starts the real node on free local ports, talks to it over JSON-RPC like any client
//! would, and stops it with SIGINT (the way an operator's Ctrl-C does), checking that it exits
//! cleanly.
//!
//! - [`dev_chain_produces_and_finalizes_blocks`]: blocks are authored (Aura) and finalized
//!   (GRANDPA); the runtime identity, token properties and the `development` genesis preset are
//!   what the chain reports.
//! - [`chain_survives_a_restart`]: a chain on a `--base-path` keeps its finalized blocks across a
//!   stop and restart, and goes on from there.
//! - [`dev_block_time_seals_and_finalizes_on_a_timer`]: `--dev --dev-block-time MS` seals blocks
//!   faster than Aura's slots, each final at once, a slot apart in chain time.

use std::{path::Path, process::Command};

use iotchain_runtime::{
	genesis_config_presets::{endowed_accounts, ENDOWMENT},
	AccountId, Balance, Nonce, Runtime, VERSION,
};
use iotchain_test_node::{free_port, Node};
use polkadot_sdk::*;
use serde_json::json;
use sp_keyring::Sr25519Keyring;

/// Stops `node` with SIGINT, as Ctrl-C does: it exits 0 and logs no failure on the way out.
fn stop_cleanly(node: Node) {
	let (status, log) = node.stop();
	assert!(status.success(), "node exited with {status} after SIGINT");
	let failures: Vec<&str> = log
		.lines()
		.filter(|line| line.contains("Essential task") || line.contains("ERROR"))
		.collect();
	assert!(failures.is_empty(), "a normal shutdown logged failures:\n{}", failures.join("\n"));
}

/// Starts this crate's `iotchain-node --dev` with `extra` arguments.
fn start(extra: &[&str], log_dir: &Path) -> Node {
	Node::start(Path::new(env!("CARGO_BIN_EXE_iotchain-node")), extra, log_dir)
}

type AccountInfo = frame_system::AccountInfo<Nonce, pallet_balances::AccountData<Balance>>;

#[test]
fn dev_chain_produces_and_finalizes_blocks() {
	let dir = tempfile::tempdir().expect("temp dir");
	let prometheus = free_port().to_string();
	let node = start(&["--tmp", "--prometheus-port", &prometheus], dir.path());
	node.wait_rpc_ready();
	node.wait_for_blocks(3, 1);

	// The runtime is ours, at the version this build carries.
	let version = node.rpc("state_getRuntimeVersion", json!([]));
	assert_eq!(version["specName"], "iotchain");
	assert_eq!(version["specVersion"], VERSION.spec_version);
	assert_eq!(node.rpc("system_chain", json!([])), "iotchain development");

	// Polkadot.js shows IOT with 12 decimals.
	let properties = node.rpc("system_properties", json!([]));
	assert_eq!(properties["tokenSymbol"], "IOT");
	assert_eq!(properties["tokenDecimals"], 12);

	// The `development` preset, read at genesis: the well-known accounts hold the endowment,
	// nobody else holds anything, Alice is the only Aura authority and the sudo key.
	let genesis = node.rpc("chain_getBlockHash", json!([0]));
	let genesis = genesis.as_str();
	let endowed = endowed_accounts();
	assert_eq!(endowed.len(), 12);
	for account in &endowed {
		let info: AccountInfo = node
			.storage(frame_system::Account::<Runtime>::hashed_key_for(account), genesis)
			.unwrap_or_else(|| panic!("{account} is endowed at genesis"));
		assert_eq!(info.data.free, ENDOWMENT, "free balance of {account}");
	}
	let issuance: Balance = node
		.storage(pallet_balances::TotalIssuance::<Runtime>::hashed_key().to_vec(), genesis)
		.expect("total issuance is set");
	assert_eq!(issuance, ENDOWMENT * endowed.len() as Balance);
	let stranger = Sr25519Keyring::One.to_account_id();
	assert!(node
		.storage::<AccountInfo>(
			frame_system::Account::<Runtime>::hashed_key_for(&stranger),
			genesis
		)
		.is_none());

	let sudo: AccountId = node
		.storage(pallet_sudo::Key::<Runtime>::hashed_key().to_vec(), genesis)
		.expect("sudo key is set");
	assert_eq!(sudo, Sr25519Keyring::Alice.to_account_id());
	let authorities: Vec<[u8; 32]> = node
		.storage(pallet_aura::Authorities::<Runtime>::hashed_key().to_vec(), genesis)
		.expect("aura authorities are set");
	assert_eq!(authorities, vec![Sr25519Keyring::Alice.public().0]);

	// Prometheus metrics are served and track the chain.
	let metrics = ureq::get(&format!("http://127.0.0.1:{prometheus}/metrics"))
		.call()
		.expect("prometheus endpoint answers")
		.body_mut()
		.read_to_string()
		.expect("metrics are text");
	assert!(metrics.contains("substrate_block_height{status=\"finalized\""), "{metrics}");

	stop_cleanly(node);
}

#[test]
fn chain_survives_a_restart() {
	let dir = tempfile::tempdir().expect("temp dir");
	let base_path = dir.path().join("chain");
	let base = base_path.to_str().expect("utf-8 temp path");

	let node = start(&["--base-path", base], dir.path());
	node.wait_rpc_ready();
	node.wait_for_blocks(3, 2);
	let (finalized, finalized_hash) = node.finalized();
	stop_cleanly(node);

	// ParityDB is the database.
	assert!(base_path.join("chains/iotchain_dev/paritydb/full").is_dir(), "no ParityDB database");

	let node = start(&["--base-path", base], dir.path());
	node.wait_rpc_ready();
	// Nothing finalized before the stop is lost or replaced …
	let (restarted_at, _) = node.finalized();
	assert!(
		restarted_at >= finalized,
		"finalized {restarted_at} after restart, {finalized} before"
	);
	assert_eq!(node.rpc("chain_getBlockHash", json!([finalized])), finalized_hash.as_str());
	// … and the chain goes on from there.
	node.wait_for_blocks(restarted_at + 2, restarted_at + 1);
	assert_eq!(node.rpc("chain_getBlockHash", json!([finalized])), finalized_hash.as_str());

	stop_cleanly(node);
}

#[test]
fn dev_block_time_seals_and_finalizes_on_a_timer() {
	let dir = tempfile::tempdir().expect("temp dir");
	let node = start(&["--tmp", "--dev-block-time", "200"], dir.path());
	node.wait_rpc_ready();
	// Twelve blocks: over a minute of 6 s slots, a few seconds here (the wait gives up after 60 s).
	node.wait_for_blocks(12, 12);

	// Every block is final as soon as it is sealed, and each is one slot (6 s of chain time)
	// after its parent: Aura's slots and the timestamp's minimum period hold, the chain's clock
	// runs ahead of the wall clock.
	let (finalized, _) = node.finalized();
	let now = |number: u32| -> u64 {
		let hash = node.rpc("chain_getBlockHash", json!([number]));
		node.storage(pallet_timestamp::Now::<Runtime>::hashed_key().to_vec(), hash.as_str())
			.expect("every block has a timestamp")
	};
	let slot = iotchain_runtime::SLOT_DURATION;
	for number in 3..=finalized {
		assert_eq!(
			now(number) - now(number - 1),
			slot,
			"timestamps of #{} and #{number}",
			number - 1
		);
	}

	stop_cleanly(node);
}

#[test]
fn dev_block_time_needs_dev() {
	let output = Command::new(env!("CARGO_BIN_EXE_iotchain-node"))
		.args(["--tmp", "--dev-block-time", "200"])
		.output()
		.expect("the node runs");
	assert_eq!(output.status.code(), Some(2), "clap's usage error");
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(stderr.contains("--dev"), "{stderr}");
}
