//! Messages between devices, measured: how many messages per second one node takes, and how
//! long a message takes from a sender on one node to a recipient on another.
//!
//! Starts its own pair of nodes (an authoring `--dev` node and a full node synced from it, as
//! `iotchain_test_node::start_pair` does), registers the devices (not timed), then:
//!
//! 1. **baseline**: pre-signed statements of the same size, not encrypted, submitted with
//!    `statement_submit` by `SENDERS` concurrent senders: what the node's store takes;
//! 2. **SDK send**: `Client::send_message` by the same senders (lookups of the sender and
//!    recipient on chain, X25519 + ChaCha20-Poly1305, signing, submission), as a device does;
//! 3. **latency**: `RATE` messages per second, sent through node 1 and received (decrypted and
//!    checked against the chain) by an `Inbox` on node 2; then on node 1 itself, as the
//!    baseline. Node 2 gets them by gossip, which the nodes send once a second
//!    (`sc-network-statement`'s propagation interval).
//!
//! Run by `scripts/bench-messages.sh`; `BENCH_MESSAGES` (default 2 000) and `BENCH_LATENCY`
//! (default 200) set the counts.

use codec::Encode;
use iotchain_client::{
	chain::{Client, DeviceMetadata, Wait},
	keys::{Key, Scheme},
	messages::{Delivery, Inbox, Recipient},
};
use iotchain_primitives::message::{crypto, MessageHeader};
use iotchain_test_node::{start_pair, Node};
use polkadot_sdk::sp_statement_store::{Statement, Topic};
use std::{
	collections::HashMap,
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

const SENDERS: usize = 8;
/// Messages per second in the latency phases.
const RATE: u32 = 20;
const PLAINTEXT: &[u8] = b"{\"t\":21.5,\"rh\":40.2,\"p\":1013.2,\"valve\":\"close\"}";

fn env(name: &str, default: usize) -> usize {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
	let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted.get(index).copied().unwrap_or(f64::NAN)
}

/// Plain statements of `size` data bytes on `topic`, signed by `key`, with increasing expiry.
fn plain_statements(key: &Key, topic: [u8; 32], size: usize, count: usize) -> Vec<Statement> {
	let expiry = (now_ms() / 1000 + 600) as u32;
	(0..count)
		.map(|i| {
			let mut statement = Statement::new();
			statement.set_topic(0, Topic(topic));
			statement.set_expiry_from_parts(expiry, i as u32 + 1);
			statement.set_plain_data(vec![i as u8; size]);
			key.sign_statement(&mut statement);
			statement
		})
		.collect()
}

/// Milliseconds from sending to delivery of `count` messages sent at `RATE` per second, the
/// senders taking turns (each keeps at most its allowance of statements in the stores).
async fn latencies(
	client: &Client,
	senders: &[Key],
	to: &Recipient,
	inbox: &mut Inbox,
	count: usize,
) -> Vec<f64> {
	let channel = inbox.channel();
	let sending = async {
		let mut starts = Vec::with_capacity(count);
		let mut tick = tokio::time::interval(Duration::from_secs(1) / RATE);
		for sender in senders.iter().cycle().take(count) {
			tick.tick().await;
			let start = Instant::now();
			let sent = client
				.send_message(sender, None, to.clone(), channel, PLAINTEXT, 600)
				.await
				.expect("send");
			starts.push((sent.id, start));
		}
		starts
	};
	let receiving = async {
		let mut arrivals = HashMap::with_capacity(count);
		while arrivals.len() < count {
			match tokio::time::timeout(Duration::from_secs(30), inbox.next()).await {
				Ok(Ok(Some(Delivery::Message(message)))) => {
					arrivals.insert(message.id, Instant::now());
				},
				Ok(Ok(Some(Delivery::Rejected { reason, .. }))) => panic!("rejected: {reason}"),
				Ok(Ok(Some(Delivery::CaughtUp))) => {},
				other => panic!(
					"{} of {count} delivered, then nothing for 30 s: {:?}",
					arrivals.len(),
					other.err()
				),
			}
		}
		arrivals
	};
	let (starts, arrivals) = tokio::join!(sending, receiving);
	let mut samples: Vec<f64> =
		starts.iter().map(|(id, start)| (arrivals[id] - *start).as_secs_f64() * 1000.0).collect();
	samples.sort_by(f64::total_cmp);
	samples
}

#[tokio::main]
async fn main() {
	let messages = env("BENCH_MESSAGES", 2000);
	let latency_count = env("BENCH_LATENCY", 200);
	let dir = tempfile::tempdir().expect("temp dir");
	let (node1, node2) = start_pair(dir.path(), &[]);
	let via1 = Client::connect(&node1.ws_url()).await.expect("node 1");
	let via2 = Client::connect(&node2.ws_url()).await.expect("node 2");

	// Setup, not timed: SENDERS + 1 devices, registered concurrently (a block or two).
	let owner = Key::from_suri(Scheme::Sr25519, "//Alice").unwrap();
	let keys: Vec<Key> = (0..=SENDERS).map(|_| Key::generate(Scheme::Sr25519).0).collect();
	let metadata = DeviceMetadata::default();
	let registrations =
		keys.iter().map(|key| via1.register_device(&owner, key, &metadata, None, Wait::InBlock));
	let ids: Vec<_> = futures::future::try_join_all(registrations).await.expect("register");
	let (recipient_key, senders) = keys.split_last().unwrap();
	let recipient = Recipient::Device(ids[SENDERS].0);
	let wait_until = Instant::now() + Duration::from_secs(60);
	while via2.device(ids[SENDERS].0).await.ok().flatten().is_none() {
		assert!(Instant::now() < wait_until, "node 2 did not import the registrations");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	// The size of this benchmark's envelopes, for baseline statements of the same size.
	let header = MessageHeader { from: ids[0].0, to: recipient.clone(), channel: 1, sent_at_ms: 0 };
	let sample = crypto::seal(
		&senders[0].account_id(),
		header,
		&recipient_key.agreement_key(),
		PLAINTEXT,
		[1; 32],
	);
	let envelope_len = sample.encode().len();

	// 1. Baseline: the node's store, plain pre-signed statements of the same size.
	let per_sender = messages / SENDERS;
	let topic = iotchain_primitives::message::message_topic(&recipient, 2);
	let signed: Vec<Vec<Statement>> =
		senders.iter().map(|key| plain_statements(key, topic, envelope_len, per_sender)).collect();
	let start = Instant::now();
	let tasks = signed.into_iter().map(|statements| {
		let client = via1.clone();
		async move {
			for statement in statements {
				assert_eq!(client.submit_statement(&statement).await.expect("submit"), "new");
			}
		}
	});
	futures::future::join_all(tasks).await;
	let baseline = (per_sender * SENDERS) as f64 / start.elapsed().as_secs_f64();

	// 2. The SDK's send, as devices do.
	let start = Instant::now();
	let tasks = senders.iter().map(|key| {
		let (client, to) = (via1.clone(), recipient.clone());
		async move {
			for _ in 0..per_sender {
				client.send_message(key, None, to.clone(), 3, PLAINTEXT, 600).await.expect("send");
			}
		}
	});
	futures::future::join_all(tasks).await;
	let sdk = (per_sender * SENDERS) as f64 / start.elapsed().as_secs_f64();

	// 3. Latency: node 1 → node 2, and node 1 → node 1.
	let mut inbox2 = Inbox::open(&via2, recipient_key, 9).await.expect("inbox");
	let two_nodes = latencies(&via1, senders, &recipient, &mut inbox2, latency_count).await;
	drop(inbox2);
	// Another channel: the inbox would first get node 1's copies of the messages above.
	let mut inbox1 = Inbox::open(&via1, recipient_key, 10).await.expect("inbox");
	let one_node = latencies(&via1, senders, &recipient, &mut inbox1, latency_count).await;

	let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
	println!(
		"messages between devices: {SENDERS} senders, {} messages per phase, {envelope_len}-byte \
		 envelopes, latency over {latency_count} messages at {RATE}/s, {cores} cores",
		per_sender * SENDERS
	);
	println!("| measure | value | ratio |");
	println!("|---|---|---|");
	println!("| baseline: plain pre-signed statements into node 1 | {baseline:.0} /s | 1.00 |");
	println!(
		"| SDK `send_message` into node 1 (lookups, encryption, signing) | {sdk:.0} /s | {:.2} |",
		sdk / baseline
	);
	let (p50, p99) = (percentile(&one_node, 0.5), percentile(&one_node, 0.99));
	println!(
		"| latency, sender and recipient on node 1, p50 / p99 | {p50:.1} / {p99:.1} ms | 1.00 |"
	);
	let (q50, q99) = (percentile(&two_nodes, 0.5), percentile(&two_nodes, 0.99));
	println!(
		"| latency, node 1 → gossip → node 2, p50 / p99 | {q50:.1} / {q99:.1} ms | {:.2} / {:.2} |",
		q50 / p50,
		q99 / p99
	);
	stop(node2);
	stop(node1);
}

fn stop(node: Node) {
	let (status, _) = node.stop();
	assert!(status.success(), "a node exited with {status}");
}
