//! The SDK and `iotctl` against a real dev chain (an `iotchain-node --dev --tmp` started by the
//! node's test harness, `iotchain-test-node`):
//!
//! - [`stream_writer_chunks_resyncs_and_explains_refusals`]: the anchoring workflow of
//!   `iotchain_client::anchoring` — a batch above `MaxBatchSize` split into roots, state kept
//!   across writers, a stale state refused with its typed reason and recovered by `resync`, an
//!   inactive device's refusal, and readings verified from their proofs;
//! - [`the_example_registers_and_anchors`]: `client/examples/anchor.rs` runs as documented;
//! - [`iotctl_reads_stdin_and_jsonl_and_waits_as_told`]: `--stdin`, `--jsonl`, `--no-wait`,
//!   `--finalized`, `device cancel-transfer` and `device firmware --image`.
//!
//! Each test runs its own node, sealing a block every second (`--dev-block-time`); waits are
//! bounded.

use std::{
	future::Future,
	io::Write,
	path::{Path, PathBuf},
	process::{Command, Stdio},
	time::{Duration, Instant},
};

use iotchain_client::{
	anchoring::{Anchorer, Refusal, StreamWriter},
	chain::{Client, DeviceMetadata, Wait},
	data::{self, Reading},
	keys::{Key, Scheme},
	proof::Verification,
	runtime,
	state::StateStore,
	Error,
};
use iotchain_primitives::{DeviceStatus, SuspendedBy};
use iotchain_test_node::{node_binary, Node};
use serde_json::{json, Value};

/// Bound on waiting for an anchor to become provable (its block's child finalized).
const FINALITY_TIMEOUT: Duration = Duration::from_secs(90);

/// A dev node on a throw-away chain, with a directory for the test's files.
struct DevChain {
	node: Node,
	dir: tempfile::TempDir,
}

fn dev_chain() -> DevChain {
	let dir = tempfile::tempdir().expect("temp dir");
	let node = Node::start(&node_binary(), &["--tmp", "--dev-block-time", "1000"], dir.path());
	node.wait_rpc_ready();
	node.wait_for_blocks(1, 0);
	DevChain { node, dir }
}

/// Polls `check` every 500 ms until it yields `Some`, for at most `timeout`.
async fn eventually<T, F: Future<Output = Option<T>>>(
	what: &str,
	timeout: Duration,
	mut check: impl FnMut() -> F,
) -> T {
	let deadline = Instant::now() + timeout;
	loop {
		if let Some(value) = check().await {
			return value;
		}
		assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

fn alice() -> Key {
	Key::from_suri(Scheme::Sr25519, "//Alice").expect("Alice's key")
}

fn reading(n: u32) -> Reading {
	Reading { source: format!("r{n}"), digest: data::digest(&n.to_le_bytes()) }
}

#[tokio::test(flavor = "multi_thread")]
async fn stream_writer_chunks_resyncs_and_explains_refusals() {
	let chain = dev_chain();
	let client = Client::connect(&chain.node.ws_url()).await.expect("connect");
	let owner = alice();
	let (device_key, _) = Key::generate(Scheme::Ed25519);
	let metadata = DeviceMetadata { model: "TH-1".into(), ..Default::default() };
	let (device, outcome) = client
		.register_device(&owner, &device_key, &metadata, None, Wait::InBlock)
		.await
		.expect("register");
	assert!(outcome.has_event("Devices", "Registered"));

	let store = StateStore::new(chain.dir.path().join("state"));
	let anchorer = Anchorer::device(&client, device_key.clone()).await.expect("the device");
	assert_eq!((anchorer.device_id(), anchorer.is_device()), (device, true));
	let mut writer =
		StreamWriter::open(client.clone(), anchorer.clone(), 1, Some(store.clone())).await.unwrap();
	assert_eq!(writer.max_batch_size(), 4096);

	// A single reading, then 4 101 readings: two roots (4 096 + 5), consecutive seqs.
	let first = writer.anchor(data::digest(b"first")).await.expect("anchor");
	assert_eq!(first.seq, 1);
	assert!(first.outcome.has_event("Anchors", "Anchored"));
	let batches = writer.anchor_batch((0..4101).map(reading).collect()).await.expect("batch");
	let shape: Vec<_> = batches.iter().map(|b| (b.batch.first_seq, b.batch.count())).collect();
	assert_eq!(shape, [(2, 4096), (4098, 5)]);
	assert!(batches.iter().all(|b| b.outcome.has_event("Anchors", "Anchored")));
	let head = client.anchor_head(device, 1).await.unwrap().expect("a head");
	assert_eq!((head.seq, head.head, head.count), (4102, writer.state().head, 3));
	assert_eq!(store.load(&device, 1).unwrap(), Some(writer.state()));

	// A restarted device continues from its stored state.
	let restarted =
		StreamWriter::open(client.clone(), anchorer.clone(), 1, Some(store.clone())).await.unwrap();
	assert_eq!(restarted.state(), writer.state());

	// Another writer of the same stream (a second tool, a restored backup) goes stale once this
	// one anchors: the chain refuses it, and the refusal says why.
	let other_store = StateStore::new(chain.dir.path().join("other-state"));
	let mut stale =
		StreamWriter::open(client.clone(), anchorer.clone(), 1, Some(other_store)).await.unwrap();
	writer.anchor(data::digest(b"from the first tool")).await.expect("anchor");
	let refused = stale.anchor(data::digest(b"from the second tool")).await;
	let Err(Error::Anchor { refusal, chain: answer }) = refused else {
		panic!("expected a stale-sequence refusal, got {refused:?}")
	};
	assert_eq!(refusal, Refusal::StaleSequence { stream: 1, seq: 4103, chain_seq: 4103 });
	// A device's own anchor that would fail is not free: the pool refuses it for fees.
	assert!(
		matches!(&*answer, Error::Refused(reason) if reason.contains("Inability to pay some fees")),
		"{answer:?}"
	);
	assert_eq!(stale.resync().await.unwrap().last_seq, 4103);
	assert_eq!(stale.anchor(data::digest(b"second tool, resynced")).await.unwrap().seq, 4104);

	// A suspended device's anchor is refused with its status, signed by itself or its owner.
	let suspend = runtime::tx().devices().suspend(device);
	client.submit(&suspend, &owner, Wait::InBlock).await.expect("suspend");
	writer.resync().await.unwrap();
	let refused = writer.anchor(data::digest(b"while suspended")).await;
	let Err(Error::Anchor { refusal, .. }) = refused else {
		panic!("expected a refusal, got {refused:?}")
	};
	assert_eq!(refusal, Refusal::NotActive(DeviceStatus::Suspended { by: SuspendedBy::Owner }));
	let for_device = Anchorer::on_behalf_of(device, owner.clone());
	let mut owner_writer = StreamWriter::open(client.clone(), for_device, 1, None).await.unwrap();
	let refused = owner_writer.anchor(data::digest(b"owner, while suspended")).await;
	let Err(Error::Anchor { refusal, chain: answer }) = refused else {
		panic!("expected a refusal, got {refused:?}")
	};
	assert_eq!(refusal, Refusal::NotActive(DeviceStatus::Suspended { by: SuspendedBy::Owner }));
	assert!(
		matches!(&*answer, Error::Dispatch { pallet, error, .. } if pallet == "anchors" && error == "DeviceNotActive"),
		"{answer:?}"
	);

	// Every reading verifies from the proof of its anchor once final: the single one, and one
	// of each batch with its Merkle proof.
	let verified = eventually("the anchors to be provable", FINALITY_TIMEOUT, || {
		let client = client.clone();
		async move {
			match client.verify_reading(device, 1, 1, data::digest(b"first"), None).await {
				Ok((Verification::Anchored { .. }, _)) => Some(()),
				_ => None,
			}
		}
	});
	verified.await;
	for anchored in &batches {
		let proof = anchored.batch.proofs().last().expect("a proof per reading");
		let merkle = proof.merkle_proof().expect("a bounded proof");
		let (verification, answer) =
			client.verify_reading(device, 1, proof.seq, proof.digest, Some(merkle)).await.unwrap();
		assert!(
			matches!(verification, Verification::Anchored { suspect: false, .. }),
			"{verification:?}"
		);
		let answer = answer.expect("the proof");
		assert_eq!(
			(answer.seq, answer.anchor.count),
			(anchored.batch.first_seq, anchored.batch.count())
		);
	}
}

#[test]
fn the_example_registers_and_anchors() {
	let chain = dev_chain();
	// Examples are built next to the test binaries (`<target>/<profile>/examples`).
	let example = std::env::current_exe()
		.ok()
		.and_then(|exe| exe.parent()?.parent().map(|profile| profile.join("examples/anchor")))
		.expect("the example's path");
	let output = Command::new(&example).arg(chain.node.ws_url()).output().unwrap_or_else(|e| {
		panic!("{}: {e} (`cargo test --workspace` builds the examples)", example.display())
	});
	let stdout = String::from_utf8_lossy(&output.stdout);
	assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
	let registered = regex_line(&stdout, "device 0x", " registered");
	assert!(stdout.contains("reading 1 anchored in block Some(0x"), "{stdout}");
	let device = chain.node.rpc("iotchain_device", json!([registered]));
	assert_eq!(device["model"], "TH-1");
	assert_eq!(chain.node.rpc("iotchain_anchorHead", json!([registered, 1]))["seq"], 1);
}

/// The text between `prefix` (included from its `0x`) and `suffix` on the line that has both.
fn regex_line(text: &str, prefix: &str, suffix: &str) -> String {
	text.lines()
		.find_map(|line| {
			let start = line.find(prefix)? + prefix.len() - 2;
			let end = line.find(suffix)?;
			Some(line[start..end].to_string())
		})
		.unwrap_or_else(|| panic!("no line `{prefix}…{suffix}` in {text}"))
}

/// Runs `iotctl --json` against `node`; the exit code and the JSON it printed (stdout, or the
/// error document on stderr).
fn iotctl(node: &Node, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, Value) {
	let mut child = Command::new(env!("CARGO_BIN_EXE_iotctl"))
		.args(["--url", &node.ws_url(), "--state-dir", &dir.join("state").display().to_string()])
		.arg("--json")
		.args(args)
		.current_dir(dir)
		.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("run iotctl");
	if let Some(bytes) = stdin {
		child.stdin.take().expect("stdin").write_all(bytes).expect("write stdin");
	}
	let output = child.wait_with_output().expect("iotctl output");
	let code = output.status.code().expect("iotctl exited");
	let text = if code == 0 { &output.stdout } else { &output.stderr };
	let json = serde_json::from_slice(text)
		.unwrap_or_else(|e| panic!("iotctl {args:?}: {e}: {}", String::from_utf8_lossy(text)));
	(code, json)
}

fn ok(node: &Node, dir: &Path, args: &[&str]) -> Value {
	let (code, json) = iotctl(node, dir, args, None);
	assert_eq!(code, 0, "iotctl {args:?}: {json}");
	json
}

fn hex_number(value: &Value) -> u32 {
	let hex = value.as_str().expect("a hex number");
	u32::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex")
}

#[test]
fn iotctl_reads_stdin_and_jsonl_and_waits_as_told() {
	let chain = dev_chain();
	let (node, dir) = (&chain.node, chain.dir.path());
	let key = ok(node, dir, &["key", "generate", "--scheme", "ed25519", "--out", "device.json"]);
	let device = key["deviceId"].as_str().expect("a device id").to_string();
	ok(node, dir, &["device", "register", "--suri", "//Alice", "--device-key", "device.json"]);
	let anchor = ["anchor", "--device-key", "device.json", "--stream", "2"];

	// --stdin: the bytes read are the reading.
	let (code, stdin) = iotctl(node, dir, &[&anchor[..], &["--stdin"]].concat(), Some(b"21.5 C"));
	assert_eq!(code, 0, "{stdin}");
	assert_eq!(
		(stdin["seq"].as_u64(), stdin["digest"].as_str()),
		(Some(1), Some(&*hex(b"21.5 C")))
	);

	// --jsonl: one reading per line, a proof file per reading, seqs 2..=4.
	std::fs::write(dir.join("readings.jsonl"), "{\"t\":1}\n{\"t\":2}\n\n{\"t\":3}\n").unwrap();
	let batch = ok(
		node,
		dir,
		&[
			"anchor",
			"batch",
			"--device-key",
			"device.json",
			"--stream",
			"2",
			"--jsonl",
			"readings.jsonl",
		],
	);
	assert_eq!(batch["readings"], 3);
	assert_eq!(batch["batches"][0]["firstSeq"], 2);
	let proofs: Vec<PathBuf> = std::fs::read_dir(dir.join("readings.jsonl.proofs"))
		.unwrap()
		.map(|entry| entry.unwrap().path())
		.collect();
	assert_eq!(proofs.len(), 3);
	let line_4 =
		data::ProofFile::read(&dir.join("readings.jsonl.proofs/line_4.proof.json")).unwrap();
	assert_eq!((line_4.seq, line_4.digest), (4, data::digest(b"{\"t\":3}")));

	// --no-wait: submitted, not in a block yet; the chain's head gets there.
	let submitted = ok(
		node,
		dir,
		&["--no-wait", "anchor", "--device-key", "device.json", "--stream", "2", "--value", "x"],
	);
	assert_eq!(
		(submitted["seq"].as_u64(), &submitted["outcome"]["block"]),
		(Some(5), &Value::Null)
	);
	node.wait_for("the unwaited anchor in a block", Duration::from_secs(30), || {
		let head = node.rpc("iotchain_anchorHead", json!([device, 2]));
		(head["seq"] == 5).then_some(())
	});

	// --finalized: the anchor's block is final when iotctl returns.
	let finalized = ok(
		node,
		dir,
		&["--finalized", "anchor", "--device-key", "device.json", "--stream", "2", "--value", "y"],
	);
	let block = finalized["outcome"]["block"].as_str().expect("a block").to_string();
	let number = hex_number(&node.rpc("chain_getHeader", json!([block]))["number"]);
	assert!(node.finalized().0 >= number);
	assert_eq!(node.rpc("chain_getBlockHash", json!([number])), block.as_str());

	// A transfer offered, then cancelled: nothing changed hands.
	let bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
	ok(node, dir, &["device", "transfer", "--suri", "//Alice", "--id", &device, "--to", bob]);
	let offered = ok(node, dir, &["device", "show", "--id", &device]);
	assert_eq!(offered["transferOffer"]["to"], bob);
	ok(node, dir, &["device", "cancel-transfer", "--suri", "//Alice", "--id", &device]);
	let shown = ok(node, dir, &["device", "show", "--id", &device]);
	assert_eq!(
		(&shown["transferOffer"], &shown["status"]),
		(&Value::Null, &json!({"type": "active"}))
	);
	assert_eq!(shown["owner"], node.rpc("iotchain_device", json!([device]))["owner"]);

	// firmware --image: the declared hash is the image's digest.
	std::fs::write(dir.join("firmware.bin"), b"\x7fELF firmware 1.2.3").unwrap();
	ok(
		node,
		dir,
		&["device", "firmware", "--suri", "//Alice", "--id", &device, "--image", "firmware.bin"],
	);
	let shown = ok(node, dir, &["device", "show", "--id", &device]);
	assert_eq!(shown["firmware"].as_str(), Some(&*hex(b"\x7fELF firmware 1.2.3")));
	// `iotctl device show` prints exactly the node's view.
	assert_eq!(shown, node.rpc("iotchain_device", json!([device])));
}

/// The digest of `bytes` as `0x` hex.
fn hex(bytes: &[u8]) -> String {
	format!("{:?}", data::digest(bytes))
}
