//! The gateway against a real broker (Debian's `mosquitto`, started here on a free port, or the
//! gateway's embedded one) and a real dev chain (`iotchain-node --dev --dev-block-time 1000`,
//! through the node's test harness): readings published over MQTT are anchored in batches,
//! every one verifies on chain from its proof (reported as anchored by the gateway for a
//! key-less sensor) and a tampered one does not; a gateway killed with SIGKILL mid-stream loses
//! nothing and anchors nothing twice; a revoked grant keeps readings pending until a new one;
//! the HTTP API serves raw readings only to `Read` holders with a fresh signed challenge; and a
//! chain restarted under a running gateway only delays the anchoring.

use codec::Encode;
use iotchain_client::{
	chain::{Client, DeviceMetadata, Wait},
	data::ProofFile,
	gateway::{
		fetch_reading, sign_read_request, Challenge, ACCOUNT_HEADER, CHALLENGE_HEADER,
		SIGNATURE_HEADER,
	},
	keys::{Key, KeyFile, Scheme},
	proof::Verification,
	runtime::{self, runtime_types},
	Error,
};
use iotchain_primitives::{Custody, DeviceId, Permission, Permissions, StreamId};
use iotchain_test_node::{free_port, node_binary, Node};
use polkadot_sdk::{sp_core::H256, sp_crypto_hashing::blake2_256};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::Value;
use std::{
	collections::BTreeMap,
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

const GATEWAY: &str = env!("CARGO_BIN_EXE_iotchain-gateway");
const STREAMS: [StreamId; 3] = [1, 2, 3];

/// A process killed when dropped.
struct Process(Child);

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

struct Setup {
	/// `None` while the chain is stopped.
	node: Option<Node>,
	/// How the node is started (and started again).
	node_args: Vec<String>,
	client: Client,
	device: DeviceId,
	dir: tempfile::TempDir,
	config: PathBuf,
	broker_port: u16,
	/// The gateway's HTTP API.
	http: String,
	/// mosquitto, or `None` when the gateway runs its embedded broker.
	_broker: Option<Process>,
}

/// A dev chain (1 s blocks, kept in the test's directory so that it can be stopped and started
/// again); a device of Alice's; Bob (the gateway) holding WRITE on it; a broker (mosquitto, or
/// the gateway's own with `embedded_broker`); the gateway's config routing `plant/N/#` to
/// stream N.
async fn setup() -> Setup {
	setup_with(false).await
}

async fn setup_with(embedded_broker: bool) -> Setup {
	let dir = tempfile::tempdir().expect("temp dir");
	let rpc_port = free_port().to_string();
	let chain_dir = dir.path().join("chain");
	let node_args: Vec<String> = [
		"--dev",
		"--no-telemetry",
		"--no-mdns",
		"--no-prometheus",
		"--port",
		"0",
		"--rpc-port",
		&rpc_port,
		"--base-path",
		chain_dir.to_str().unwrap(),
		"--dev-block-time",
		"1000",
	]
	.map(String::from)
	.into();
	let node = start_node(&node_args, dir.path());
	let client = Client::connect(&node.ws_url()).await.expect("connect");
	let alice = Key::from_suri(Scheme::Sr25519, "//Alice").unwrap();
	let bob = Key::from_suri(Scheme::Sr25519, "//Bob").unwrap();
	let (device_key, _) = Key::generate(Scheme::Ed25519);
	let metadata = DeviceMetadata { model: "legacy-sensor".into(), ..Default::default() };
	let (device, _) = client
		.register_device(&alice, &device_key, &metadata, None, Wait::InBlock)
		.await
		.expect("register");
	grant_write(&client, device).await;
	// A key-less sensor: Bob, the gateway, holds its key.
	let custody = runtime::tx().devices().set_custody(
		device,
		runtime_types::iotchain_primitives::device::Custody::Gateway { account: bob.account_id() },
	);
	client.submit(&custody, &alice, Wait::InBlock).await.expect("custody");

	let broker_port = free_port();
	let broker = (!embedded_broker).then(|| {
		Process(
			Command::new("/usr/sbin/mosquitto")
				.args(["-p", &broker_port.to_string()])
				.stdout(Stdio::null())
				.stderr(Stdio::null())
				.spawn()
				.expect("mosquitto (scripts/setup.sh installs it)"),
		)
	});
	let key_file = dir.path().join("gateway.key");
	KeyFile::new(&bob, "//Bob".into()).write(&key_file).expect("key file");
	let routes: String = STREAMS
		.iter()
		.map(|s| {
			format!("[[routes]]\ntopic = \"plant/{s}/#\"\ndevice = \"{device:?}\"\nstream = {s}\n")
		})
		.collect();
	let config = dir.path().join("gateway.toml");
	let http_port = free_port();
	std::fs::write(
		&config,
		format!(
			"key_file = \"gateway.key\"\nstore = \"gateway.redb\"\n\
			 [broker]\nhost = \"127.0.0.1\"\nport = {broker_port}\n\
			 [chain]\nurl = \"{}\"\n[batch]\nsize = 100\nmax_delay_ms = 500\n\
			 [http]\nlisten = \"127.0.0.1:{http_port}\"\n{routes}",
			node.ws_url()
		),
	)
	.unwrap();
	let http = format!("http://127.0.0.1:{http_port}");
	let node = Some(node);
	Setup { node, node_args, client, device, dir, config, broker_port, http, _broker: broker }
}

/// Starts the dev node with `args` and waits for its first block.
fn start_node(args: &[String], log_dir: &std::path::Path) -> Node {
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let node = Node::spawn(&node_binary(), &args, log_dir);
	node.wait_rpc_ready();
	node.wait_for_blocks(1, 0);
	node
}

impl Setup {
	/// Stops the chain (its database stays).
	fn stop_node(&mut self) {
		let (status, _) = self.node.take().expect("the node runs").stop();
		assert!(status.success(), "the node exited with {status}");
	}

	/// Starts the chain again, on the same port and database, and reconnects to it.
	async fn start_node(&mut self) {
		assert!(self.node.is_none(), "the node runs");
		let node = start_node(&self.node_args, self.dir.path());
		self.client = Client::connect(&node.ws_url()).await.expect("connect");
		self.node = Some(node);
	}

	/// Starts the gateway and waits until it is subscribed to every route (the first run) or
	/// connected to its session (later runs).
	fn start_gateway(&self, run: u32) -> Process {
		let path = self.dir.path().join(format!("gateway-{run}.log"));
		let log = std::fs::File::create(&path).unwrap();
		let embedded = self._broker.is_none().then_some("--embedded-broker");
		let gateway = Process(
			Command::new(GATEWAY)
				.args(["run", "--config"])
				.arg(&self.config)
				.args(embedded)
				.env("RUST_LOG", "iotchain_gateway=info")
				.stderr(log)
				.spawn()
				.expect("gateway"),
		);
		let deadline = Instant::now() + Duration::from_secs(30);
		loop {
			let log = std::fs::read_to_string(&path).unwrap_or_default();
			let ready = if run == 0 {
				log.matches(" subscribed").count() == STREAMS.len()
			} else {
				log.contains("connected to the broker")
			};
			if ready {
				return gateway;
			}
			assert!(Instant::now() < deadline, "the gateway did not start:\n{log}");
			std::thread::sleep(Duration::from_millis(100));
		}
	}

	fn gateway_log(&self) -> String {
		let mut all = String::new();
		for run in 0..3 {
			all += &std::fs::read_to_string(self.dir.path().join(format!("gateway-{run}.log")))
				.unwrap_or_default();
		}
		all
	}

	/// Publishes `readings` (stream, payload) with QoS 1 until the broker acknowledged each.
	async fn publish(&self, readings: &[(StreamId, String)]) {
		let mut options =
			MqttOptions::new(format!("sensors-{}", free_port()), "127.0.0.1", self.broker_port);
		options.set_inflight(100);
		let (mqtt, mut events) = AsyncClient::new(options, 16);
		let sender = {
			let readings = readings.to_vec();
			tokio::spawn(async move {
				for (stream, payload) in readings {
					mqtt.publish(format!("plant/{stream}/t"), QoS::AtLeastOnce, false, payload)
						.await
						.expect("publish");
				}
				mqtt
			})
		};
		let mut acked = 0;
		let deadline = Instant::now() + Duration::from_secs(60);
		while acked < readings.len() {
			assert!(
				Instant::now() < deadline,
				"the broker acknowledged {acked} of {}",
				readings.len()
			);
			if let Ok(Event::Incoming(Packet::PubAck(_))) =
				tokio::time::timeout(Duration::from_secs(5), events.poll())
					.await
					.expect("broker answers")
			{
				acked += 1;
			}
		}
		let mqtt = sender.await.unwrap();
		let _ = mqtt.disconnect().await;
	}

	/// Waits until the chain's heads of the three streams hold `total` readings in all.
	async fn wait_anchored(&self, total: u64) {
		let deadline = Instant::now() + Duration::from_secs(120);
		loop {
			let mut anchored = 0;
			for stream in STREAMS {
				anchored += self
					.client
					.anchor_head(self.device, stream)
					.await
					.unwrap()
					.map_or(0, |h| h.seq);
			}
			// On chain, and recorded so in the gateway's store (its metrics say so).
			if anchored == total && self.metric("readings_pending").await == Some(0) {
				return;
			}
			assert!(
				anchored <= total,
				"{anchored} readings anchored, more than the {total} published"
			);
			assert!(
				Instant::now() < deadline,
				"{anchored} of {total} anchored; gateway log:\n{}",
				self.gateway_log()
			);
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}

	/// A metric of the running gateway, `None` while it does not answer.
	async fn metric(&self, name: &str) -> Option<u64> {
		let url = format!("{}/metrics", self.http);
		let text = reqwest::get(url).await.ok()?.text().await.ok()?;
		let prefix = format!("iotchain_gateway_{name} ");
		text.lines().find_map(|l| l.strip_prefix(&prefix)?.parse().ok())
	}

	fn gateway(&self, args: &[&str]) -> String {
		let output =
			Command::new(GATEWAY).args(args).arg("--config").arg(&self.config).output().unwrap();
		assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
		String::from_utf8(output.stdout).unwrap()
	}

	/// The stored readings of `stream` (the gateway must be stopped: the store is its own).
	fn readings(&self, stream: StreamId) -> Vec<Value> {
		self.gateway(&["readings", &format!("{:?}", self.device), &stream.to_string()])
			.lines()
			.map(|l| serde_json::from_str(l).unwrap())
			.collect()
	}

	fn proof(&self, stream: StreamId, seq: u64) -> ProofFile {
		let json = self.gateway(&[
			"proof",
			&format!("{:?}", self.device),
			&stream.to_string(),
			&seq.to_string(),
		]);
		serde_json::from_str(&json).unwrap()
	}

	/// Verifies a reading on chain once its block is final.
	async fn verify(&self, proof: &ProofFile, digest: H256) -> Verification {
		let merkle = proof.merkle_proof().unwrap();
		let deadline = Instant::now() + Duration::from_secs(60);
		loop {
			let (verification, _) = self
				.client
				.verify_reading(self.device, proof.stream, proof.seq, digest, Some(merkle.clone()))
				.await
				.unwrap();
			if !matches!(verification, Verification::NotAnchored) || Instant::now() > deadline {
				return verification;
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}
}

/// Alice grants Bob (the gateway) WRITE on `device`.
async fn grant_write(client: &Client, device: DeviceId) {
	let bob = Key::from_suri(Scheme::Sr25519, "//Bob").unwrap();
	grant(client, device, &bob, Permission::Write, None).await;
}

/// Alice grants `to` `permission` on `device` (on `stream` only, if given).
async fn grant(
	client: &Client,
	device: DeviceId,
	to: &Key,
	permission: Permission,
	stream: Option<StreamId>,
) {
	let alice = Key::from_suri(Scheme::Sr25519, "//Alice").unwrap();
	let grant = runtime::tx().access().grant(
		device,
		to.account_id(),
		runtime_types::iotchain_primitives::access::Permissions(Permissions::of(permission).0),
		stream,
		None,
		None,
	);
	client.submit(&grant, &alice, Wait::InBlock).await.expect("grant");
}

/// The digest the gateway anchors, as the README defines it.
fn digest(topic: &str, payload: &[u8], received_ms: u64) -> H256 {
	H256(blake2_256(&(topic, payload, received_ms).encode()))
}

fn readings(from: usize, to: usize) -> Vec<(StreamId, String)> {
	(from..to).map(|i| (STREAMS[i % 3], format!("{{\"n\":{i}}}"))).collect()
}

/// Every published payload is stored exactly once, all anchored, in seqs 1..=n per stream.
fn check_store(setup: &Setup, published: &[(StreamId, String)]) -> BTreeMap<StreamId, Vec<Value>> {
	let mut all = BTreeMap::new();
	for stream in STREAMS {
		let stored = setup.readings(stream);
		let mut payloads: Vec<&str> =
			stored.iter().map(|r| r["payload"].as_str().unwrap()).collect();
		let mut expected: Vec<&str> =
			published.iter().filter(|(s, _)| *s == stream).map(|(_, p)| p.as_str()).collect();
		payloads.sort();
		expected.sort();
		assert_eq!(
			payloads, expected,
			"stream {stream}: stored payloads differ from those published"
		);
		for (i, r) in stored.iter().enumerate() {
			assert_eq!(r["seq"], i as u64 + 1);
			assert_eq!(r["anchored"], true);
		}
		all.insert(stream, stored);
	}
	all
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_readings_on_three_topics_are_anchored_and_each_verifies() {
	let setup = setup().await;
	let gateway = setup.start_gateway(0);
	let published = readings(0, 1000);
	setup.publish(&published).await;
	setup.wait_anchored(1000).await;
	drop(gateway);

	let stored = check_store(&setup, &published);
	let bob = Key::from_suri(Scheme::Sr25519, "//Bob").unwrap().account_id();
	// In batches: far fewer roots than readings.
	let batches = setup.gateway_log().matches(" anchored").count();
	assert!((3..=100).contains(&batches), "{batches} batches");
	for stream in STREAMS {
		for r in stored[&stream].iter().step_by(37) {
			let seq = r["seq"].as_u64().unwrap();
			let topic = r["topic"].as_str().unwrap();
			let payload = r["payload"].as_str().unwrap();
			let received = r["receivedMs"].as_u64().unwrap();
			let proof = setup.proof(stream, seq);
			let original = digest(topic, payload.as_bytes(), received);
			assert_eq!(proof.digest, original);
			match setup.verify(&proof, original).await {
				Verification::Anchored { submitter, custody, suspect: false, .. } => {
					assert_eq!(submitter, bob);
					assert_eq!(custody, Custody::Gateway { account: bob });
				},
				other => panic!("reading {seq} of stream {stream}: {other:?}"),
			}
			let tampered = digest(topic, payload.replace('}', ",\"x\":1}").as_bytes(), received);
			assert!(matches!(setup.verify(&proof, tampered).await, Verification::Mismatch));
		}
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_killed_mid_stream_loses_nothing_and_anchors_nothing_twice() {
	let setup = setup().await;
	let first = setup.start_gateway(0);
	let published = readings(0, 900);
	setup.publish(&published[..600]).await;
	// Killed while it stores, acknowledges and anchors.
	let mut first = first;
	tokio::time::sleep(Duration::from_millis(300)).await;
	Command::new("kill").args(["-9", &first.0.id().to_string()]).status().unwrap();
	let _ = first.0.wait();
	let stored: usize = STREAMS.iter().map(|s| setup.readings(*s).len()).sum();
	let anchored = setup.client.anchor_head(setup.device, 1).await.unwrap().map_or(0, |h| h.seq);
	eprintln!("killed with {stored} readings stored, stream 1 anchored through {anchored}");
	assert!(stored > 0, "killed before anything was stored: not mid-stream");
	// What arrives meanwhile waits in the broker (the gateway's persistent session).
	setup.publish(&published[600..]).await;
	let _second = setup.start_gateway(1);
	assert!(setup.gateway_log().contains("session_present=true"), "the broker kept no session");
	setup.wait_anchored(900).await;
	drop(_second);
	check_store(&setup, &published);
	for stream in STREAMS {
		let head = setup.client.anchor_head(setup.device, stream).await.unwrap().unwrap();
		assert_eq!(head.seq, 300, "stream {stream}");
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_grant_keeps_readings_pending_until_a_new_grant() {
	let setup = setup().await;
	let _gateway = setup.start_gateway(0);
	let published: Vec<(StreamId, String)> =
		(0..150).map(|i| (1, format!("{{\"n\":{i}}}"))).collect();
	setup.publish(&published[..100]).await;
	setup.wait_anchored(100).await;

	let alice = Key::from_suri(Scheme::Sr25519, "//Alice").unwrap();
	let bob = Key::from_suri(Scheme::Sr25519, "//Bob").unwrap();
	let revoke = runtime::tx().access().revoke(setup.device, bob.account_id());
	setup.client.submit(&revoke, &alice, Wait::InBlock).await.expect("revoke");
	setup.publish(&published[100..]).await;
	// The chain refuses, the gateway says so and keeps the readings.
	let deadline = Instant::now() + Duration::from_secs(60);
	while !setup.gateway_log().to_lowercase().contains("anchors.notallowed") {
		assert!(Instant::now() < deadline, "no refusal reported:\n{}", setup.gateway_log());
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert!(setup.gateway_log().contains("the readings stay pending"));
	let head = setup.client.anchor_head(setup.device, 1).await.unwrap().unwrap();
	assert_eq!(head.seq, 100);

	// A new grant, and the pending readings go on chain.
	grant_write(&setup.client, setup.device).await;
	setup.wait_anchored(150).await;
	drop(_gateway);
	let stored = setup.readings(1);
	assert_eq!(stored.len(), 150);
	assert!(stored.iter().all(|r| r["anchored"] == true));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_http_api_serves_raw_readings_to_read_holders_with_a_fresh_challenge() {
	let setup = setup().await;
	let _gateway = setup.start_gateway(0);
	let published: Vec<(StreamId, String)> =
		(0..10).map(|i| (1, format!("{{\"n\":{i}}}"))).collect();
	setup.publish(&published).await;
	setup.wait_anchored(10).await;
	let http = reqwest::Client::new();
	let (device, url) = (setup.device, |path: &str| format!("{}{path}", setup.http));

	// The proof, to anyone.
	let proof: ProofFile = http
		.get(url(&format!("/proof/{device:?}/1/3")))
		.send()
		.await
		.unwrap()
		.json()
		.await
		.unwrap();
	assert_eq!((proof.stream, proof.seq), (1, 3));

	// The raw reading: refused without READ, served with it.
	let charlie = Key::from_suri(Scheme::Sr25519, "//Charlie").unwrap();
	let refused = fetch_reading(&setup.http, &charlie, device, 1, 3).await.unwrap_err();
	assert!(
		matches!(&refused, Error::Gateway { status: 403, message } if message.contains("no Read grant")),
		"{refused}"
	);
	grant(&setup.client, device, &charlie, Permission::Read, Some(1)).await;
	let reading = fetch_reading(&setup.http, &charlie, device, 1, 3).await.unwrap();
	assert_eq!(reading.payload.as_deref(), Some(published[2].1.as_str()));
	assert!(reading.anchored);
	// The raw reading is what the proof proves, and the chain says so.
	let bytes = reading.payload_bytes().unwrap();
	assert_eq!(digest(&reading.topic, &bytes, reading.received_ms), proof.digest);
	assert!(matches!(setup.verify(&proof, proof.digest).await, Verification::Anchored { .. }));

	// A challenge is good once: the same signed request again is refused.
	let challenge = || async {
		http.get(url("/challenge")).send().await.unwrap().json::<Challenge>().await.unwrap()
	};
	let send = |path: String, account: String, challenge: H256, signature: String| {
		let request = http
			.get(url(&path))
			.header(ACCOUNT_HEADER, account)
			.header(CHALLENGE_HEADER, format!("{challenge:?}"))
			.header(SIGNATURE_HEADER, signature);
		async move {
			let response = request.send().await.unwrap();
			(response.status().as_u16(), response.text().await.unwrap())
		}
	};
	let path = format!("/readings/{device:?}/1/3");
	let first = challenge().await;
	let (account, signature) = sign_read_request(&charlie, &first, device, 1, 3).unwrap();
	let answer = send(path.clone(), account.clone(), first.challenge, signature.clone()).await;
	assert_eq!(answer.0, 200, "{}", answer.1);
	let replay = send(path.clone(), account.clone(), first.challenge, signature).await;
	assert_eq!(replay.0, 403);
	assert!(replay.1.contains("already used"), "{}", replay.1);

	// Signed by another key in Charlie's name, or for another reading: refused.
	let dave = Key::from_suri(Scheme::Sr25519, "//Dave").unwrap();
	let fresh = challenge().await;
	let (_, by_dave) = sign_read_request(&dave, &fresh, device, 1, 3).unwrap();
	let forged = send(path.clone(), account.clone(), fresh.challenge, by_dave).await;
	assert_eq!(forged.0, 403);
	assert!(forged.1.contains("signature is not"), "{}", forged.1);
	let fresh = challenge().await;
	let (_, for_seq_4) = sign_read_request(&charlie, &fresh, device, 1, 4).unwrap();
	assert_eq!(send(path.clone(), account.clone(), fresh.challenge, for_seq_4).await.0, 403);
	// Charlie's grant is on stream 1 only.
	let fresh = challenge().await;
	let (_, signature) = sign_read_request(&charlie, &fresh, device, 2, 1).unwrap();
	let other_stream =
		send(format!("/readings/{device:?}/2/1"), account, fresh.challenge, signature).await;
	assert_eq!(other_stream.0, 403);
	// Malformed: 400.
	assert_eq!(http.get(url(&path)).send().await.unwrap().status().as_u16(), 400);

	// Metrics.
	let metrics = http.get(url("/metrics")).send().await.unwrap().text().await.unwrap();
	for line in [
		"iotchain_gateway_readings_received_total 10",
		"iotchain_gateway_readings_anchored_total 10",
		"iotchain_gateway_readings_pending 0",
	] {
		assert!(metrics.lines().any(|l| l == line), "no {line:?} in\n{metrics}");
	}
	// Set once the batch's block number is known, a moment after the batch is recorded.
	let anchored_in = setup.client.anchor_head(device, 1).await.unwrap().unwrap().last_block;
	let deadline = Instant::now() + Duration::from_secs(10);
	while setup.metric("last_anchored_block").await != Some(u64::from(anchored_in)) {
		assert!(Instant::now() < deadline, "last_anchored_block is not {anchored_in}");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn with_its_embedded_broker_the_gateway_rides_out_a_chain_restart() {
	// No mosquitto: the sensors publish to the gateway's own broker.
	let mut setup = setup_with(true).await;
	let gateway = setup.start_gateway(0);
	let published = readings(0, 300);
	setup.publish(&published[..150]).await;
	setup.wait_anchored(150).await;

	// The chain goes away: readings are still taken, and kept pending.
	setup.stop_node();
	setup.publish(&published[150..]).await;
	let deadline = Instant::now() + Duration::from_secs(60);
	while setup.metric("readings_pending").await != Some(150)
		|| setup.metric("errors_total{kind=\"chain\"}").await.unwrap_or(0) == 0
	{
		assert!(Instant::now() < deadline, "the outage was not noticed:\n{}", setup.gateway_log());
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	assert!(setup.gateway_log().contains("the chain cannot be reached: readings stay pending"));

	// Back: the gateway reconnects by itself and anchors them, each once.
	setup.start_node().await;
	setup.wait_anchored(300).await;
	drop(gateway);
	check_store(&setup, &published);
	for stream in STREAMS {
		let head = setup.client.anchor_head(setup.device, stream).await.unwrap().unwrap();
		assert_eq!(head.seq, 100, "stream {stream}");
	}
}
