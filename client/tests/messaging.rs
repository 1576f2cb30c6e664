//! Device-to-device messages between two real nodes (an authoring `--dev` node and a full node
//! synced from it over p2p), through the SDK's `messages` module:
//!
//! - a device's message sent through node 1 is received through node 2, decrypted, with its
//!   sender checked; a reader with `Read` receives the device's (and its owner's) messages;
//! - the plaintext is in neither node's files (statement store, database, logs at trace level
//!   for the statement store and its gossip), while the statements' ciphertext is;
//! - a ciphertext replayed or altered under another device's signature, and a message encrypted
//!   to another key, fail to decrypt with a clear reason;
//! - a reader whose grant was revoked is sent no new message, and refuses one sent anyway;
//! - the node refuses a suspended device's message (`noAllowance`).
//!
//! Cost: ≈ 40 s (blocks every 6 s on the authoring node; registrations and grants share blocks).

use std::{
	path::Path,
	time::{Duration, Instant},
};

use codec::Encode;
use iotchain_client::{
	chain::{Client, DeviceMetadata, Wait},
	keys::{Key, Scheme},
	messages::{Delivery, Inbox, Message, Recipient, SentBy},
	runtime, Error,
};
use iotchain_primitives::{
	message::{crypto, message_topic, MessageHeader},
	Permission, Permissions,
};
use iotchain_test_node::{start_pair, Node};
use polkadot_sdk::sp_statement_store::{Statement, Topic};
use serde_json::json;

/// Bound on any one wait: a delivery, a block.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The log targets that would show a statement's content, at their most verbose.
const LOG: &str = "statement-store=trace,statement-gossip=trace,sub-libp2p=debug";

/// The next message of `inbox`, with the reasons of the statements it refused before it.
async fn next_message(inbox: &mut Inbox) -> Result<Message, String> {
	let deadline = Instant::now() + TIMEOUT;
	loop {
		let left = deadline.saturating_duration_since(Instant::now());
		match tokio::time::timeout(left, inbox.next()).await {
			Err(_) => panic!("no message within {TIMEOUT:?}"),
			Ok(Err(e)) => panic!("the subscription failed: {e}"),
			Ok(Ok(None)) => panic!("the node ended the subscription"),
			Ok(Ok(Some(Delivery::Message(message)))) => return Ok(message),
			Ok(Ok(Some(Delivery::Rejected { reason, .. }))) => return Err(reason),
			Ok(Ok(Some(Delivery::CaughtUp))) => {},
		}
	}
}

/// Polls `check` every 200 ms until it is true, for at most [`TIMEOUT`].
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
	let deadline = Instant::now() + TIMEOUT;
	while !check().await {
		assert!(Instant::now() < deadline, "timed out waiting for {what}");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}

/// Posts `envelope` on `to`'s topic, signed by `signer`, bypassing the SDK's checks: what an
/// attacker (or a buggy sender) could put in the store.
async fn post_raw(node: &Node, signer: &Key, to: &Recipient, channel: u32, envelope: &[u8]) {
	let mut statement = Statement::new();
	statement.set_topic(0, Topic(message_topic(to, channel)));
	let expiry =
		std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 600;
	statement.set_expiry_from_parts(expiry as u32, 1);
	statement.set_plain_data(envelope.to_vec());
	signer.sign_statement(&mut statement);
	let answer =
		node.rpc("statement_submit", json!([format!("0x{}", hex::encode(statement.encode()))]));
	assert_eq!(answer, json!({ "status": "new" }));
}

/// Whether any file under `dir` contains `needle`.
fn found_in(dir: &Path, needle: &[u8]) -> bool {
	std::fs::read_dir(dir).unwrap().flatten().any(|entry| {
		let path = entry.path();
		if path.is_dir() {
			found_in(&path, needle)
		} else {
			std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
		}
	})
}

#[tokio::test(flavor = "multi_thread")]
async fn devices_message_each_other_and_their_readers_through_two_nodes() {
	let dir = tempfile::tempdir().expect("temp dir");
	let (node1, node2) = start_pair(dir.path(), &[LOG]);
	let (via1, via2) = (
		Client::connect(&node1.ws_url()).await.expect("node 1"),
		Client::connect(&node2.ws_url()).await.expect("node 2"),
	);
	let owner = Key::from_suri(Scheme::Sr25519, "//Alice").unwrap();
	let (sensor, valve, intruder) = (
		Key::generate(Scheme::Sr25519).0,
		Key::generate(Scheme::Ed25519).0,
		Key::generate(Scheme::Sr25519).0,
	);
	let reader = Key::generate(Scheme::Sr25519).0;
	let metadata = DeviceMetadata::default();
	let (a, b, c) = tokio::join!(
		via1.register_device(&owner, &sensor, &metadata, None, Wait::InBlock),
		via1.register_device(&owner, &valve, &metadata, None, Wait::InBlock),
		via1.register_device(&owner, &intruder, &metadata, None, Wait::InBlock),
	);
	let (sensor_id, valve_id, _) = (a.unwrap().0, b.unwrap().0, c.unwrap().0);
	// The registry holds each device's key-agreement key, derived from its key.
	let valve_record = via1.device(valve_id).await.unwrap().unwrap();
	assert_eq!(valve_record.agreement_key, Some(valve.agreement_key()));
	let grant = runtime::tx().access().grant(
		sensor_id,
		reader.account_id(),
		runtime::runtime_types::iotchain_primitives::access::Permissions(Permissions::READ.0),
		Some(5),
		None,
		Some(reader.agreement_key()),
	);
	via1.submit(&grant, &owner, Wait::InBlock).await.expect("grant");
	until("node 2 to import the grant", || async {
		via2.check_access(sensor_id, &reader.account_id(), 5, Permission::Read)
			.await
			.is_ok_and(|access| access.allowed)
	})
	.await;

	// Device to device: sent through node 1, received through node 2.
	let mut valve_inbox = Inbox::open(&via2, &valve, 7).await.expect("inbox");
	assert_eq!(valve_inbox.recipient(), &Recipient::Device(valve_id));
	let secret = format!("open valve 3 at {}", hex::encode(rand_bytes()));
	let to_valve = Recipient::Device(valve_id);
	let sent = via1
		.send_message(&sensor, None, to_valve.clone(), 7, secret.as_bytes(), 600)
		.await
		.expect("send");
	let message = next_message(&mut valve_inbox).await.expect("a message");
	assert_eq!(message.id, sent.id);
	assert_eq!(message.data, secret.as_bytes());
	assert_eq!(
		(message.from, message.signer, message.sent_by),
		(sensor_id, sensor.account_id(), SentBy::Device)
	);
	assert_eq!(message.channel, 7);

	// To a reader holding Read on stream 5, from the device and from its owner.
	let mut reader_inbox = Inbox::open(&via2, &reader, 5).await.expect("inbox");
	let to_reader = Recipient::Account(reader.account_id());
	via1.send_message(&sensor, None, to_reader.clone(), 5, b"t=21.5", 600).await.expect("send");
	let reading = next_message(&mut reader_inbox).await.expect("a message");
	assert_eq!((reading.data.as_slice(), reading.sent_by), (&b"t=21.5"[..], SentBy::Device));
	via1.send_message(&owner, Some(sensor_id), to_reader.clone(), 5, b"calibrated", 600)
		.await
		.expect("send as the owner");
	let note = next_message(&mut reader_inbox).await.expect("a message");
	assert_eq!((note.data.as_slice(), note.sent_by), (&b"calibrated"[..], SentBy::Owner));

	// Another device replays the sensor's ciphertext under its own signature, altered or not;
	// and a message sealed to another key is posted on the valve's topic: none decrypts.
	let header = MessageHeader { from: sensor_id, to: to_valve.clone(), channel: 7, sent_at_ms: 1 };
	let replayed = crypto::seal(
		&sensor.account_id(),
		header.clone(),
		&valve.agreement_key(),
		b"forged",
		rand_bytes(),
	);
	post_raw(&node1, &intruder, &to_valve, 7, &replayed.encode()).await;
	let refused = next_message(&mut valve_inbox).await.expect_err("a replay under another signer");
	assert!(refused.starts_with("cannot decrypt"), "{refused}");
	let mut altered = replayed.clone();
	altered.ciphertext[0] ^= 1;
	post_raw(&node1, &sensor, &to_valve, 7, &altered.encode()).await;
	let refused = next_message(&mut valve_inbox).await.expect_err("an altered ciphertext");
	assert!(refused.starts_with("cannot decrypt"), "{refused}");
	let to_other_key = crypto::seal(
		&sensor.account_id(),
		MessageHeader { sent_at_ms: 2, ..header.clone() },
		&reader.agreement_key(),
		b"for somebody else",
		rand_bytes(),
	);
	post_raw(&node1, &sensor, &to_valve, 7, &to_other_key.encode()).await;
	let refused = next_message(&mut valve_inbox).await.expect_err("sealed to another key");
	assert!(
		refused.starts_with("cannot decrypt: the message is not encrypted to this key"),
		"{refused}"
	);

	// The grant goes: the SDK sends the reader nothing more, and the reader refuses what a
	// sender posts anyway.
	let revoke = runtime::tx().access().revoke(sensor_id, reader.account_id());
	via1.submit(&revoke, &owner, Wait::InBlock).await.expect("revoke");
	let refused = via1.send_message(&sensor, None, to_reader.clone(), 5, b"t=22.0", 600).await;
	assert!(
		matches!(&refused, Err(Error::Input(reason)) if reason.contains("does not hold Read on stream 5")),
		"{refused:?}"
	);
	until("node 2 to import the revocation", || async {
		via2.check_access(sensor_id, &reader.account_id(), 5, Permission::Read)
			.await
			.is_ok_and(|access| !access.allowed)
	})
	.await;
	let late = crypto::seal(
		&sensor.account_id(),
		MessageHeader { to: to_reader.clone(), channel: 5, sent_at_ms: 3, ..header },
		&reader.agreement_key(),
		b"t=22.0",
		rand_bytes(),
	);
	post_raw(&node1, &sensor, &to_reader, 5, &late.encode()).await;
	let refused = next_message(&mut reader_inbox).await.expect_err("after the revocation");
	assert!(refused.contains("this account holds no such grant"), "{refused}");

	// A suspended device has no allowance: the node refuses its message.
	let suspend = runtime::tx().devices().suspend(sensor_id);
	via1.submit(&suspend, &owner, Wait::InBlock).await.expect("suspend");
	let refused = via1.send_message(&sensor, None, to_valve, 7, b"still here", 600).await;
	assert!(
		matches!(&refused, Err(Error::Refused(reason)) if reason.contains("rejected noAllowance")),
		"{refused:?}"
	);

	// Neither node wrote the plaintext anywhere; both hold the ciphertext (the search works).
	let sealed = &replayed.ciphertext;
	for (node, base) in [(&node1, "node1"), (&node2, "node2")] {
		let base = dir.path().join(base);
		assert!(found_in(&base, sealed), "{base:?} does not hold the message's ciphertext");
		assert!(!found_in(&base, secret.as_bytes()), "the plaintext is in {base:?}");
		assert!(!node.log().contains(&secret), "the plaintext is in a node's log");
		assert!(
			!node.log().contains(&hex::encode(secret.as_bytes())),
			"the plaintext is logged as hex"
		);
	}
	node2.stop();
	node1.stop();
}

fn rand_bytes() -> [u8; 32] {
	use rand::RngCore;
	let mut bytes = [0; 32];
	rand::rngs::OsRng.fill_bytes(&mut bytes);
	bytes
}
