//! Crash safety: a dev node on a `--base-path` is killed with SIGKILL while a device anchors,
//! at three points — a transaction waiting in the pool, a block imported but not yet final, and
//! idle. After each restart on the same base path, every anchor that was reported final before
//! the kill is there with the same record in the same block, the stream's head is the fold of
//! what the chain holds, and the device goes on anchoring from the chain's next seq.
//!
//! One node restarted three times (≈ 1.5 min of 6 s blocks); every wait is bounded.

use std::{collections::BTreeMap, time::Duration};

use iotchain_client::{
	anchoring::{Anchorer, StreamWriter},
	chain::{Client, DeviceMetadata, Wait},
	data,
	keys::{Key, Scheme},
	runtime,
	state::StateStore,
};
use iotchain_primitives::{fold_heads, Seq};
use iotchain_test_node::{node_binary, Node};
use polkadot_sdk::sp_core::H256;
use serde_json::json;

const STREAM: u32 = 1;
/// Bound on waiting for an anchor's block to be final and indexed again after a restart.
const FINAL_TIMEOUT: Duration = Duration::from_secs(90);

/// Where the node is when it is killed.
#[derive(Clone, Copy, Debug)]
enum KillPoint {
	/// An anchor was just accepted by the pool, not yet in a block.
	TransactionInPool,
	/// An anchor's block was just imported; finality has not caught up with it yet.
	BlockNotFinal,
	/// Nothing pending: the last anchor is final, no transaction waits.
	Idle,
}

#[tokio::test(flavor = "multi_thread")]
async fn anchors_final_before_a_kill_survive_it_and_anchoring_goes_on() {
	let dir = tempfile::tempdir().expect("temp dir");
	let base_path = dir.path().join("chain");
	let base = base_path.to_str().expect("utf-8 temp path").to_owned();
	let start = || {
		let node = Node::start(&node_binary(), &["--base-path", &base], dir.path());
		node.wait_rpc_ready();
		node
	};
	let mut node = start();
	node.wait_for_blocks(1, 0);

	let owner = Key::from_suri(Scheme::Sr25519, "//Alice").expect("Alice");
	let (device_key, _) = Key::generate(Scheme::Ed25519);
	let client = Client::connect(&node.ws_url()).await.expect("connect");
	let (device, _) = client
		.register_device(&owner, &device_key, &DeviceMetadata::default(), None, Wait::Finalized)
		.await
		.expect("register");
	let store = StateStore::new(dir.path().join("state"));
	// Every digest submitted, by seq (whether or not it made it), and the anchors reported final
	// with their blocks.
	let mut submitted: BTreeMap<Seq, H256> = BTreeMap::new();
	let mut finals: BTreeMap<Seq, H256> = BTreeMap::new();
	let mut reading = 0u32;
	let mut next_digest = || {
		reading += 1;
		data::digest(format!("reading {reading}").as_bytes())
	};

	for kill_point in [KillPoint::TransactionInPool, KillPoint::BlockNotFinal, KillPoint::Idle] {
		let client = Client::connect(&node.ws_url()).await.expect("connect");
		let anchorer = Anchorer::device(&client, device_key.clone()).await.expect("the device");
		let mut writer = StreamWriter::open(client.clone(), anchorer, STREAM, Some(store.clone()))
			.await
			.expect("open")
			.with_wait(Wait::Finalized);
		// A device that restarted after a crash takes the chain's word for where it stands.
		let state = writer.resync().await.expect("resync");
		assert!(state.last_seq >= finals.keys().last().copied().unwrap_or(0));

		for _ in 0..2 {
			let digest = next_digest();
			let anchored = writer.anchor(digest).await.expect("a final anchor");
			submitted.insert(anchored.seq, digest);
			finals.insert(anchored.seq, anchored.outcome.block.expect("its block"));
		}

		let seq = writer.state().next_seq().expect("a next seq");
		let digest = next_digest();
		submitted.insert(seq, digest);
		let call = runtime::tx().anchors().anchor(STREAM, seq, digest, None);
		match kill_point {
			KillPoint::TransactionInPool => {
				client.submit(&call, &device_key, Wait::Submitted).await.expect("in the pool");
			},
			KillPoint::BlockNotFinal => {
				// Killed as soon as the block is imported: finality trails it by a moment.
				client.submit(&call, &device_key, Wait::InBlock).await.expect("in a block");
			},
			KillPoint::Idle => {
				client.submit(&call, &device_key, Wait::Finalized).await.expect("final");
			},
		}
		drop((writer, client));
		node.kill();

		node = start();
		// Every anchor reported final before the kill is served again, as it was.
		let (last_final, _) = finals.last_key_value().map(|(s, b)| (*s, *b)).expect("finals");
		node.wait_for("the final anchors to be indexed again", FINAL_TIMEOUT, || {
			node.try_rpc("iotchain_anchor", json!([device, STREAM, last_final]))
				.ok()
				.filter(|anchor| !anchor.is_null())
		});
		for (seq, block) in &finals {
			let anchor = node.rpc("iotchain_anchor", json!([device, STREAM, seq]));
			assert_eq!(anchor["digest"], json!(submitted[seq]), "seq {seq} after {kill_point:?}");
			let at = node.rpc("chain_getBlockHash", json!([anchor["block"]]));
			assert_eq!(at, json!(block), "seq {seq}'s block after {kill_point:?}");
		}
		// The head is the fold of what the chain holds: every final anchor, and the last one if
		// it made it into a block before the kill.
		let head = node.rpc("iotchain_anchorHead", json!([device, STREAM]));
		let head_seq = head["seq"].as_u64().expect("a head");
		assert!(head_seq >= last_final && head_seq <= seq, "head {head_seq} after {kill_point:?}");
		let expected = fold_heads(submitted.range(..=head_seq).map(|(s, d)| (*s, d)));
		assert_eq!(head["head"], json!(expected), "head after {kill_point:?}");
		// The last anchor is now either in or not: never half there.
		if head_seq < seq {
			assert!(matches!(kill_point, KillPoint::TransactionInPool | KillPoint::BlockNotFinal));
			submitted.remove(&seq);
		}
	}

	// After the last restart the device goes on from the chain's next seq.
	let client = Client::connect(&node.ws_url()).await.expect("connect");
	let anchorer = Anchorer::device(&client, device_key.clone()).await.expect("the device");
	let mut writer =
		StreamWriter::open(client.clone(), anchorer, STREAM, Some(store)).await.expect("open");
	let state = writer.resync().await.expect("resync");
	let anchored = writer.anchor(next_digest()).await.expect("anchoring goes on");
	assert_eq!(anchored.seq, state.last_seq + 1);
	let (status, log) = node.stop();
	assert!(status.success(), "node exited with {status}\n{log}");
}
