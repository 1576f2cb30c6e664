//! A load benchmark: how many transactions of each kind the chain admits per block and per
//! second, measured from the chain itself, with `system.remark` as the baseline of the same run.
//!
//! [`run`] registers a fleet of devices (setup, not timed), then runs each [`Phase`]:
//!
//! - **remark**, **anchor**, **batch**: transactions signed before the phase starts, submitted
//!   over several connections, each sender's in nonce order. Remarks pay fees: every sender's
//!   transactions go to the pool at once. Anchors and batches signed by the device are free while
//!   its quota lasts, and the pool holds one free anchor per device at a time: each device
//!   submits its next one when its previous one is in a block, so the fleet is sized to keep the
//!   pool above a block's worth. Each phase runs for `blocks` + 2 blocks' worth of transactions;
//!   the blocks between its first and its last, full ones, are measured: transactions per block,
//!   per second of chain time (block timestamps), block fullness by weight and by length,
//!   submission → inclusion and → finality latencies.
//! - **verify**: concurrent clients, each on its own connection, call `iotchain_verifyReading`
//!   for readings the anchor phase anchored (once they are final): requests per second and
//!   latencies.
//!
//! The capacity of a block for each call is predicted from its weight and length
//! (`TransactionPaymentApi_query_info`, the block's limits), which sizes the phases; the
//! measured figures come from the blocks.

use crate::{
	chain::Client,
	keys::{Key, Scheme},
	runtime::{self, runtime_types},
	Error,
};
use codec::{Decode, Encode};
use iotchain_primitives::{device_id_of, DeviceId, Seq, StreamId};
use polkadot_sdk::{
	sp_core::H256,
	sp_crypto_hashing::{blake2_256, twox_128},
	sp_runtime::Weight,
};
use serde::Serialize;
use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use subxt::{
	config::{substrate::SubstrateExtrinsicParamsBuilder, RpcConfigFor},
	rpcs::{methods::LegacyRpcMethods, rpc_params, RpcClient},
	tx::Payload,
	utils::MultiAddress,
};
use tokio::sync::{oneshot, Notify};

type Rpc = LegacyRpcMethods<RpcConfigFor<crate::chain::IotConfig>>;

/// The stream the anchor phase writes; the batch phase writes the next one.
const ANCHOR_STREAM: StreamId = 1;
const BATCH_STREAM: StreamId = 2;
/// Blocks in a row without any of the phase's transactions, while some are not in yet, before
/// the node counts as stalled.
const IDLE_BLOCKS: u32 = 10;
/// Devices registered per `utility.batchAll` in the setup.
const REGISTRATIONS_PER_TX: usize = 100;
/// Readings of the anchor phase the verify phase asks about.
const VERIFY_READINGS: usize = 256;

/// What a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
	/// `system.remark` of 32 bytes (a digest's size), signed by the devices' keys (the baseline).
	Remark,
	/// `anchors.anchor`, one reading, signed by the device.
	Anchor,
	/// `anchors.anchorBatch`, a Merkle root of `batch_readings` readings, signed by the device.
	Batch,
	/// `iotchain_verifyReading` over RPC, for readings of the anchor phase.
	Verify,
}

impl Phase {
	/// The phase's name, as `iotctl bench --phases` takes it.
	pub fn name(self) -> &'static str {
		match self {
			Phase::Remark => "remark",
			Phase::Anchor => "anchor",
			Phase::Batch => "batch",
			Phase::Verify => "verify",
		}
	}
}

/// How a run goes.
#[derive(Clone, Debug)]
pub struct Options {
	/// The phases, run in this order.
	pub phases: Vec<Phase>,
	/// Full blocks measured per transaction phase.
	pub blocks: u32,
	/// Devices (and senders); `None`: 2.25 times what the largest block of the run holds.
	pub devices: Option<u32>,
	/// Readings under each root of the batch phase.
	pub batch_readings: u32,
	/// Connections transactions are submitted over.
	pub connections: usize,
	/// Concurrent clients (connections) of the verify phase.
	pub verify_clients: usize,
	/// Requests of the verify phase, in all.
	pub verify_requests: u64,
	/// The account that registers and funds the devices.
	pub owner: Key,
	/// How long without a new block (or without progress) before the node counts as stalled.
	pub stall_timeout: Duration,
}

/// The node's process, when its resident memory and CPU time can be read.
pub trait NodeProbe: Send + Sync {
	/// Resident memory, bytes.
	fn rss_bytes(&self) -> Option<u64>;
	/// CPU time used so far (user + system).
	fn cpu_time(&self) -> Option<Duration>;
	/// What the node logged about building block `number`, if it built it.
	fn built(&self, number: u64) -> Option<BlockBuilt>;
}

/// What a node logs when it has built a block ("Prepared block for proposing").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockBuilt {
	/// Time to build it, milliseconds.
	pub build_ms: u64,
	/// Why the proposer stopped adding transactions (e.g. `HitBlockWeightLimit`, `NoMoreTransactions`).
	pub end_reason: String,
}

/// Receives a run's progress (for a progress bar).
pub trait Observer: Send + Sync {
	/// A stage of `total` steps starts.
	fn start(&self, stage: &str, total: u64);
	/// `done` steps of the current stage are done.
	fn progress(&self, done: u64);
	/// The current stage is over.
	fn finish(&self);
}

/// No progress shown.
impl Observer for () {
	fn start(&self, _: &str, _: u64) {}
	fn progress(&self, _: u64) {}
	fn finish(&self) {}
}

/// A run's figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
	/// The node's name and version (`system_name`, `system_version`).
	pub node: String,
	/// The runtime's spec version.
	pub spec_version: u32,
	/// Devices registered (and senders of the transaction phases).
	pub devices: u32,
	/// The block's limits for normal transactions.
	pub limits: Limits,
	/// The transaction phases, in the order run.
	pub phases: Vec<PhaseReport>,
	/// The verify phase.
	pub verify: Option<VerifyReport>,
	/// The figures relative to the remark phase of the same run.
	pub ratios: Ratios,
}

/// The block's limits for normal transactions.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
	/// Weight (ref time, picoseconds).
	pub ref_time: u64,
	/// Proof size, bytes.
	pub proof_size: u64,
	/// Length, bytes.
	pub length: u32,
	/// The weight every transaction adds besides its own (ref time, picoseconds).
	pub base_extrinsic: u64,
}

/// One transaction phase's figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseReport {
	/// Which.
	pub phase: Phase,
	/// Transactions submitted (all included).
	pub transactions: u64,
	/// Readings under each transaction (1 but for the batch phase).
	pub readings_per_transaction: u32,
	/// One transaction's weight (ref time, picoseconds; with its extensions) and length.
	pub weight: u64,
	/// One transaction's length, bytes.
	pub length: u32,
	/// How many fit in a block by weight and length (the base extrinsic weight included).
	pub predicted_per_block: u64,
	/// The measured blocks: the full ones (90 % of the weight or length limit) between the
	/// phase's first and last.
	pub blocks: Vec<BlockReport>,
	/// Mean of the phase's transactions per measured block.
	pub per_block: f64,
	/// The phase's transactions per second of chain time over the measured blocks.
	pub per_second: f64,
	/// Readings committed per second (`per_second` × readings per transaction).
	pub readings_per_second: f64,
	/// Mean share of the normal-class weight limit the measured blocks used.
	pub weight_fullness: f64,
	/// Mean share of the normal-class length limit the measured blocks used.
	pub length_fullness: f64,
	/// Submission → in a best block, milliseconds: p50 and p99.
	pub inclusion_ms: Percentiles,
	/// Submission → finalized, milliseconds: p50 and p99.
	pub finality_ms: Percentiles,
	/// Predicted ÷ actual: the measured blocks' weight ÷ the node's time to build them (mean;
	/// only for a node `iotctl bench` started, whose log says). Above 1, the weights over-state
	/// the work.
	pub weight_per_build_time: Option<f64>,
	/// The node's resident memory at the end of the phase, MiB.
	pub node_rss_mib: Option<f64>,
	/// The node's CPU use during the phase, in cores (1.0 = one core busy).
	pub node_cpu_cores: Option<f64>,
}

/// A measured block.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockReport {
	/// Its number.
	pub number: u64,
	/// The phase's transactions in it.
	pub transactions: u64,
	/// Its normal-class weight (ref time, picoseconds).
	pub ref_time: u64,
	/// The length of its extrinsics, bytes.
	pub length: u64,
	/// Milliseconds since the block before it (timestamps).
	pub interval_ms: u64,
	/// What the node logged building it (only for a node `iotctl bench` started).
	pub built: Option<BlockBuilt>,
}

/// Two percentiles of a latency, milliseconds.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Percentiles {
	/// Median.
	pub p50: f64,
	/// 99th percentile.
	pub p99: f64,
}

impl Percentiles {
	fn of(mut samples: Vec<Duration>) -> Self {
		samples.sort_unstable();
		let at = |q: f64| {
			let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len().max(1));
			samples.get(rank - 1).map_or(0.0, |d| d.as_secs_f64() * 1e3)
		};
		Self { p50: at(0.50), p99: at(0.99) }
	}
}

/// The verify phase's figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
	/// Requests answered (each one checked: the reading is anchored).
	pub requests: u64,
	/// Concurrent clients.
	pub clients: usize,
	/// Requests per second.
	pub per_second: f64,
	/// Latency, milliseconds.
	pub latency_ms: Percentiles,
}

/// Figures relative to the remark phase (`None` without it).
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ratios {
	/// Anchors per block ÷ remarks per block.
	pub anchor_per_remark: Option<f64>,
	/// Batches per block ÷ remarks per block.
	pub batch_per_remark: Option<f64>,
	/// Readings committed per second by batches.
	pub batch_readings_per_second: Option<f64>,
}

/// The registered fleet.
struct Fleet {
	keys: Vec<Key>,
	ids: Vec<DeviceId>,
	/// Each key's next nonce.
	nonces: Vec<u64>,
	/// Each device's next seq on each stream.
	next_seq: Vec<BTreeMap<StreamId, Seq>>,
}

/// A reading the anchor phase anchored, for the verify phase.
#[derive(Clone, Copy)]
struct Anchored {
	device: DeviceId,
	seq: Seq,
	digest: H256,
}

/// Runs the benchmark against the node at `url`. `probe` reads the node's process (if known).
pub async fn run(
	url: &str,
	options: &Options,
	probe: &dyn NodeProbe,
	observer: &dyn Observer,
) -> Result<Report, Error> {
	let client = Client::connect(url).await?;
	let rpc = client.legacy();
	let node = format!(
		"{} {}",
		rpc.system_name().await.map_err(Error::node)?,
		rpc.system_version().await.map_err(Error::node)?
	);
	// Transactions are signed immortal: only the runtime's metadata and version, and the
	// genesis hash, come from this block.
	let at = client.api().at_current_block().await.map_err(Error::node)?;
	let spec_version = at.spec_version();
	let signer = at.tx();
	let limits = limits(&client).await?;
	let connections = connect_all(url, options.connections.max(1)).await?;

	// Each call's weight and length, for the size of the fleet and of the phases.
	let probe_key = Key::generate(Scheme::Sr25519).0;
	let mut costs = BTreeMap::new();
	for &phase in options.phases.iter().filter(|p| **p != Phase::Verify) {
		let tx = call(phase, &probe_key, 1, options.batch_readings).sign(&signer, &probe_key, 0)?;
		costs.insert(phase, cost(&rpc, &tx, &limits).await?);
	}
	let free_capacity = costs
		.iter()
		.filter(|(phase, _)| matches!(phase, Phase::Anchor | Phase::Batch))
		.map(|(_, cost)| cost.per_block)
		.max()
		.unwrap_or(1);
	// A device whose anchor was just included may find the pool still on the block before
	// (its next one waits a block, see `submit`): twice a block's worth of devices and a quarter
	// more keep every block full.
	let devices = options.devices.unwrap_or((free_capacity * 9 / 4).max(16) as u32).max(1);
	let fee = costs.values().map(|c| c.fee).max().unwrap_or(0);
	let rounds_max =
		costs.values().map(|c| rounds(options.blocks, c.per_block, devices)).sum::<u64>();
	let mut fleet = register(&client, &signer, options, devices, fee, rounds_max, observer).await?;

	let mut report = Report {
		node,
		spec_version,
		devices,
		limits: limits.clone(),
		phases: Vec::new(),
		verify: None,
		ratios: Ratios::default(),
	};
	let mut anchored = Vec::new();
	for &phase in &options.phases {
		if phase == Phase::Verify {
			report.verify = Some(verify(url, &client, &anchored, options, observer).await?);
			continue;
		}
		let cost = costs.get(&phase).cloned().ok_or_else(|| Error::node("no cost"))?;
		let phase_report = run_phase(
			&client,
			&signer,
			&connections,
			phase,
			&cost,
			&mut fleet,
			&mut anchored,
			options,
			probe,
			&limits,
			observer,
		)
		.await?;
		report.phases.push(phase_report);
	}
	let per_block = |phase| report.phases.iter().find(|p| p.phase == phase).map(|p| p.per_block);
	let remark = per_block(Phase::Remark).filter(|r| *r > 0.0);
	report.ratios = Ratios {
		anchor_per_remark: remark.zip(per_block(Phase::Anchor)).map(|(r, a)| a / r),
		batch_per_remark: remark.zip(per_block(Phase::Batch)).map(|(r, b)| b / r),
		batch_readings_per_second: report
			.phases
			.iter()
			.find(|p| p.phase == Phase::Batch)
			.map(|p| p.readings_per_second),
	};
	Ok(report)
}

/// One transaction's cost.
#[derive(Clone, Debug)]
struct Cost {
	weight: Weight,
	length: u32,
	fee: u128,
	per_block: u64,
}

async fn limits(client: &Client) -> Result<Limits, Error> {
	let weights = client.constant(runtime::constants().system().block_weights()).await?;
	let length = client.constant(runtime::constants().system().block_length()).await?;
	let normal = weights.per_class.normal;
	let max = normal.max_total.unwrap_or(weights.max_block);
	Ok(Limits {
		ref_time: max.ref_time,
		proof_size: max.proof_size,
		length: length.max.normal,
		base_extrinsic: normal.base_extrinsic.ref_time,
	})
}

/// The weight (with the base extrinsic weight), length and fee of the signed transaction `tx`,
/// and how many such fit in a block.
async fn cost(rpc: &Rpc, tx: &[u8], limits: &Limits) -> Result<Cost, Error> {
	#[derive(Decode)]
	struct DispatchInfo {
		weight: Weight,
		_class: u8,
		partial_fee: u128,
	}
	// `tx` is encoded as the API's `UncheckedExtrinsic` argument is (length-prefixed).
	let mut args = tx.to_vec();
	(tx.len() as u32).encode_to(&mut args);
	let bytes = rpc
		.state_call("TransactionPaymentApi_query_info", Some(&args), None)
		.await
		.map_err(Error::node)?;
	let info = DispatchInfo::decode(&mut &bytes[..]).map_err(Error::node)?;
	// The base extrinsic weight, as frame_system adds it to every transaction.
	let base = Weight::from_parts(limits.base_extrinsic, 0);
	let weight = info.weight.saturating_add(base);
	let by_time = limits.ref_time / weight.ref_time().max(1);
	let by_proof = limits.proof_size / weight.proof_size().max(1);
	let by_length = u64::from(limits.length) / tx.len().max(1) as u64;
	Ok(Cost {
		weight,
		length: tx.len() as u32,
		fee: info.partial_fee,
		per_block: by_time.min(by_proof).min(by_length).max(1),
	})
}

/// Rounds of one transaction per device that fill `blocks` + 2 blocks of `per_block`.
fn rounds(blocks: u32, per_block: u64, devices: u32) -> u64 {
	((u64::from(blocks) + 2) * per_block).div_ceil(u64::from(devices.max(1))).max(1)
}

type Transactions = subxt::transactions::TransactionsClient<
	crate::chain::IotConfig,
	subxt::client::OnlineClientAtBlockImpl<crate::chain::IotConfig>,
>;

/// `call` signed by `signer` at `nonce`, immortal: the encoded transaction.
fn sign_at<C: Payload>(
	tx: &Transactions,
	call: &C,
	signer: &Key,
	nonce: u64,
) -> Result<Vec<u8>, Error> {
	let params = SubstrateExtrinsicParamsBuilder::<crate::chain::IotConfig>::new()
		.immortal()
		.nonce(nonce)
		.build();
	let signed = tx
		.create_signable_offline(call, params)
		.and_then(|mut signable| signable.sign(signer))
		.map_err(|e| Error::Refused(e.to_string()))?;
	Ok(signed.into_encoded())
}

/// The digest the benchmark anchors for reading `seq` of device `key` (a Merkle root, for a
/// batch from `seq`): distinct per device and reading.
fn reading_digest(key: &Key, seq: Seq) -> H256 {
	H256(blake2_256(&(key.account_id().0, seq).encode()))
}

/// The transaction of `phase` device `key` makes at `seq` of its stream.
fn call(phase: Phase, key: &Key, seq: Seq, readings: u32) -> PhaseCall {
	let digest = reading_digest(key, seq);
	match phase {
		Phase::Remark => PhaseCall::Remark(runtime::tx().system().remark(digest.0.to_vec())),
		Phase::Anchor | Phase::Verify => {
			PhaseCall::Anchor(runtime::tx().anchors().anchor(ANCHOR_STREAM, seq, digest, None))
		},
		Phase::Batch => PhaseCall::Batch(runtime::tx().anchors().anchor_batch(
			None,
			BATCH_STREAM,
			seq,
			readings,
			digest,
			None,
		)),
	}
}

/// A phase's call, typed.
enum PhaseCall {
	Remark(subxt::transactions::StaticPayload<runtime::system::calls::Remark>),
	Anchor(subxt::transactions::StaticPayload<runtime::anchors::calls::Anchor>),
	Batch(subxt::transactions::StaticPayload<runtime::anchors::calls::AnchorBatch>),
}

impl PhaseCall {
	fn sign(&self, tx: &Transactions, signer: &Key, nonce: u64) -> Result<Vec<u8>, Error> {
		match self {
			PhaseCall::Remark(call) => sign_at(tx, call, signer, nonce),
			PhaseCall::Anchor(call) => sign_at(tx, call, signer, nonce),
			PhaseCall::Batch(call) => sign_at(tx, call, signer, nonce),
		}
	}
}

async fn connect_all(url: &str, n: usize) -> Result<Vec<RpcClient>, Error> {
	let mut connections = Vec::with_capacity(n);
	for _ in 0..n {
		let rpc = RpcClient::from_insecure_url(url)
			.await
			.map_err(|e| Error::Connect { url: url.to_string(), reason: e.to_string() })?;
		connections.push(rpc);
	}
	Ok(connections)
}

/// Registers `devices` fresh device keys to the owner, each funded for `rounds` transactions of
/// at most `fee` (and the existential deposit), `REGISTRATIONS_PER_TX` to a `utility.batchAll`.
async fn register(
	client: &Client,
	signer: &Transactions,
	options: &Options,
	devices: u32,
	fee: u128,
	rounds: u64,
	observer: &dyn Observer,
) -> Result<Fleet, Error> {
	use runtime_types::{
		iotchain_runtime::RuntimeCall, pallet_balances::pallet::Call as Balances,
		pallet_devices::pallet::Call as Devices,
	};
	let ed = client.constant(runtime::constants().balances().existential_deposit()).await?;
	let funds =
		ed.saturating_mul(2).saturating_add(fee.saturating_mul(u128::from(rounds) + 10) * 2);
	let keys: Vec<Key> = (0..devices).map(|_| Key::generate(Scheme::Sr25519).0).collect();
	let owner = options.owner.account_id();
	observer.start("setup", u64::from(devices));
	// Signed immortal, with the owner's next nonces, and submitted in order: a mortal
	// transaction signed at a block the pool has not caught up with yet would be refused.
	let rpc = client.legacy();
	let raw = client.raw_rpc();
	let first_nonce = rpc.system_account_next_index(&owner).await.map_err(Error::node)?;
	let mut heads = rpc.chain_subscribe_new_heads().await.map_err(Error::node)?;
	let mut last_keys = Vec::new();
	for (index, chunk) in keys.chunks(REGISTRATIONS_PER_TX).enumerate() {
		let mut calls = Vec::with_capacity(chunk.len() * 2);
		for key in chunk {
			calls.push(RuntimeCall::Balances(Balances::transfer_keep_alive {
				dest: MultiAddress::Id(key.account_id()),
				value: funds,
			}));
			calls.push(RuntimeCall::Devices(Devices::register {
				key: key.account_id(),
				proof: client.registration_proof(&owner, key),
				metadata: no_metadata(),
				firmware: None,
			}));
		}
		let batch = runtime::tx().utility().batch_all(calls);
		let tx = sign_at(signer, &batch, &options.owner, first_nonce + index as u64)?;
		submit(&raw, &tx, None).await?;
		last_keys.push(chunk.last().map(Key::account_id));
	}
	// In once the owner's nonce has passed them all; each batch registered all or nothing.
	let last_nonce = first_nonce + last_keys.len() as u64;
	loop {
		let head = tokio::time::timeout(options.stall_timeout, heads.next())
			.await
			.map_err(|_| Error::Node("the node stalled while registering the devices".into()))?
			.ok_or_else(|| Error::node("the node closed the subscription"))?
			.map_err(Error::node)?;
		let hash = rpc
			.chain_get_block_hash(Some(head.number.into()))
			.await
			.map_err(Error::node)?
			.ok_or_else(|| Error::node(format!("no block {}", head.number)))?;
		let at = client.api().at_block(hash).await.map_err(Error::node)?;
		let nonce = at.tx().account_nonce(&owner).await.map_err(Error::node)?;
		observer.progress(
			(nonce.saturating_sub(first_nonce) * REGISTRATIONS_PER_TX as u64).min(devices.into()),
		);
		if nonce >= last_nonce {
			break;
		}
	}
	for key in last_keys.into_iter().flatten() {
		if client.device_by_key(&key).await?.is_none() {
			return Err(Error::Failed(format!(
				"a batch registering {REGISTRATIONS_PER_TX} devices failed (device key {key} is not registered)"
			)));
		}
	}
	observer.finish();
	let ids = keys.iter().map(|k| device_id_of(&k.account_id().0)).collect();
	Ok(Fleet {
		nonces: vec![0; keys.len()],
		next_seq: vec![BTreeMap::new(); keys.len()],
		keys,
		ids,
	})
}

fn no_metadata() -> runtime_types::pallet_devices::types::DeviceMetadata {
	use runtime_types::bounded_collections::bounded_vec::BoundedVec;
	runtime_types::pallet_devices::types::DeviceMetadata {
		model: BoundedVec(Vec::new()),
		manufacturer: BoundedVec(Vec::new()),
		serial: BoundedVec(Vec::new()),
		label: BoundedVec(Vec::new()),
	}
}

/// A transaction of the running phase.
struct Tracked {
	submitted: Option<Instant>,
	/// Told when the transaction is in a block.
	included: Option<oneshot::Sender<()>>,
}

/// A block of the running phase, as seen.
struct SeenBlock {
	number: u64,
	transactions: u64,
	ref_time: u64,
	length: u64,
	interval_ms: u64,
	/// When each of the phase's transactions in it was submitted.
	submitted: Vec<Instant>,
}

/// Storage values read at a block.
async fn read_value<T: Decode>(rpc: &Rpc, key: Vec<u8>, at: H256) -> Result<Option<T>, Error> {
	let bytes = rpc.state_get_storage(&key, Some(at)).await.map_err(Error::node)?;
	bytes.map(|b| T::decode(&mut &b[..]).map_err(Error::node)).transpose()
}

fn value_key(pallet: &str, item: &str) -> Vec<u8> {
	[twox_128(pallet.as_bytes()), twox_128(item.as_bytes())].concat()
}

/// A block's normal-class weight and timestamp.
async fn block_state(rpc: &Rpc, at: H256) -> Result<(u64, u64), Error> {
	#[derive(Decode)]
	struct PerClass {
		normal: Weight,
		_operational: Weight,
		_mandatory: Weight,
	}
	let weight = read_value::<PerClass>(rpc, value_key("System", "BlockWeight"), at).await?;
	let now = read_value::<u64>(rpc, value_key("Timestamp", "Now"), at).await?;
	Ok((weight.map_or(0, |w| w.normal.ref_time()), now.unwrap_or(0)))
}

/// Submits `tx` over `rpc`. With `blocks` (told of each new block), a free anchor the pool
/// refuses as conflicting with the device's previous one (still in the pool's view of an older
/// block: error 1014) is submitted again after the next block, up to three times. Then "already imported" (1013) or an outdated
/// nonce (1010, "Transaction is outdated") mean that another view of the pool took it the
/// first time: it is in the pool, or already in a block.
async fn submit(rpc: &RpcClient, tx: &[u8], blocks: Option<&Notify>) -> Result<(), Error> {
	let hex = format!("0x{}", hex::encode(tx));
	for attempt in 0.. {
		let wait_block = blocks.map(Notify::notified);
		let Err(error) = rpc.request::<H256>("author_submitExtrinsic", rpc_params![&hex]).await
		else {
			return Ok(());
		};
		match error {
			subxt::rpcs::Error::User(e)
				if e.code == 1014 && attempt < 3 && wait_block.is_some() =>
			{
				if let Some(next_block) = wait_block {
					next_block.await;
				}
			},
			subxt::rpcs::Error::User(e) => {
				let reason = e.data.as_ref().map(|data| {
					serde_json::from_str::<String>(data.get())
						.unwrap_or_else(|_| data.get().to_owned())
				});
				let taken = e.code == 1013
					|| (e.code == 1010 && reason.as_deref() == Some("Transaction is outdated"));
				if attempt > 0 && taken {
					return Ok(());
				}
				return Err(Error::Refused(match reason {
					Some(reason) => format!("{} ({}): {reason}", e.message, e.code),
					None => format!("{} ({})", e.message, e.code),
				}));
			},
			e => return Err(Error::Refused(e.to_string())),
		}
	}
	unreachable!("the loop returns")
}

async fn run_phase(
	client: &Client,
	signer: &Transactions,
	connections: &[RpcClient],
	phase: Phase,
	cost: &Cost,
	fleet: &mut Fleet,
	anchored: &mut Vec<Anchored>,
	options: &Options,
	probe: &dyn NodeProbe,
	limits: &Limits,
	observer: &dyn Observer,
) -> Result<PhaseReport, Error> {
	let rpc = client.legacy();
	let devices = fleet.keys.len();
	let rounds = rounds(options.blocks, cost.per_block, devices as u32);
	let readings = if phase == Phase::Batch { options.batch_readings } else { 1 };
	let stream = if phase == Phase::Batch { BATCH_STREAM } else { ANCHOR_STREAM };
	// One free anchor per device in the pool at a time: the next after the previous is in.
	let one_at_a_time = phase != Phase::Remark;

	// Signed before anything is timed.
	let total = rounds * devices as u64;
	observer.start(&format!("sign {}", phase.name()), total);
	let mut signed: Vec<Vec<(H256, Vec<u8>)>> = Vec::with_capacity(devices);
	let mut tracked = HashMap::new();
	for (device, key) in fleet.keys.iter().enumerate() {
		let mut own = Vec::with_capacity(rounds as usize);
		for _ in 0..rounds {
			let nonce = fleet.nonces[device];
			let seq = fleet.next_seq[device].entry(stream).or_insert(1);
			let tx = call(phase, key, *seq, readings).sign(signer, key, nonce)?;
			if phase == Phase::Anchor && anchored.len() < VERIFY_READINGS {
				let digest = reading_digest(key, *seq);
				anchored.push(Anchored { device: fleet.ids[device], seq: *seq, digest });
			}
			*seq += u64::from(readings);
			fleet.nonces[device] += 1;
			let hash = H256(blake2_256(&tx));
			tracked.insert(hash, Tracked { submitted: None, included: None });
			own.push((hash, tx));
		}
		signed.push(own);
		observer.progress(tracked.len() as u64);
	}
	observer.finish();

	let tracked = Arc::new(Mutex::new(tracked));
	let new_block = Arc::new(Notify::new());
	let mut best = rpc.chain_subscribe_new_heads().await.map_err(Error::node)?;
	let mut finalized = rpc.chain_subscribe_finalized_heads().await.map_err(Error::node)?;
	let start_hash = rpc
		.chain_get_block_hash(None)
		.await
		.map_err(Error::node)?
		.ok_or_else(|| Error::node("no best block"))?;
	let mut last_number = client.block_number_of(start_hash).await?;
	let mut last_timestamp = block_state(&rpc, start_hash).await?.1;
	let cpu_before = probe.cpu_time();
	let started = Instant::now();

	// The submitters: one task per device, its transactions in nonce order.
	let mut submitters = tokio::task::JoinSet::new();
	for (device, own) in signed.into_iter().enumerate() {
		let Some(rpc) = connections.get(device % connections.len()).cloned() else { continue };
		let tracked = tracked.clone();
		let new_block = new_block.clone();
		submitters.spawn(async move {
			for (hash, tx) in own {
				let included = if one_at_a_time {
					let (tell, told) = oneshot::channel();
					if let Some(t) = tracked.lock().expect("not poisoned").get_mut(&hash) {
						t.included = Some(tell);
					}
					Some(told)
				} else {
					None
				};
				submit(&rpc, &tx, Some(&new_block)).await?;
				if let Some(t) = tracked.lock().expect("not poisoned").get_mut(&hash) {
					t.submitted = Some(Instant::now());
				}
				if let Some(told) = included {
					// Dropped unsent only when the phase is abandoned.
					let _ = told.await;
				}
			}
			Ok::<_, Error>(())
		});
	}

	// The blocks, as the node imports them.
	observer.start(phase.name(), total);
	let mut seen: Vec<SeenBlock> = Vec::new();
	let mut included = 0u64;
	let mut inclusion = Vec::with_capacity(total as usize);
	let mut finality = Vec::with_capacity(total as usize);
	let mut final_number = 0u64;
	let mut idle_blocks = 0u32;
	loop {
		let all_final = included == total && seen.last().is_some_and(|b| b.number <= final_number);
		if all_final {
			break;
		}
		let stalled = || {
			Error::Node(format!(
				"the node stalled: no block for {} s, {} of {total} {} transactions included",
				options.stall_timeout.as_secs(),
				included,
				phase.name()
			))
		};
		tokio::select! {
			head = tokio::time::timeout(options.stall_timeout, best.next()) => {
				let head = head.map_err(|_| stalled())?.ok_or_else(|| Error::node("the node closed the subscription"))?.map_err(Error::node)?;
				for number in last_number + 1..=head.number {
					let hash = rpc.chain_get_block_hash(Some(number.into())).await.map_err(Error::node)?.ok_or_else(|| Error::node(format!("no block {number}")))?;
					let block = rpc.chain_get_block(Some(hash)).await.map_err(Error::node)?.ok_or_else(|| Error::node(format!("no block {number}")))?;
					let now = Instant::now();
					let (ref_time, timestamp) = block_state(&rpc, hash).await?;
					let mut block_seen = SeenBlock { number, transactions: 0, ref_time, length: 0, interval_ms: timestamp.saturating_sub(last_timestamp), submitted: Vec::new() };
					last_timestamp = timestamp;
					let mut tracked = tracked.lock().expect("not poisoned");
					for extrinsic in &block.block.extrinsics {
						let bytes = &extrinsic.0;
						block_seen.length += bytes.len() as u64;
						if let Some(mut t) = tracked.remove(&H256(blake2_256(bytes))) {
							block_seen.transactions += 1;
							let submitted = t.submitted.unwrap_or(now);
							inclusion.push(now.saturating_duration_since(submitted));
							block_seen.submitted.push(submitted);
							if let Some(tell) = t.included.take() {
								let _ = tell.send(());
							}
						}
					}
					drop(tracked);
					included += block_seen.transactions;
					if block_seen.transactions > 0 {
						idle_blocks = 0;
						seen.push(block_seen);
					} else if included < total {
						idle_blocks += 1;
						if idle_blocks >= IDLE_BLOCKS {
							return Err(Error::Node(format!(
								"the node stalled: {IDLE_BLOCKS} blocks without any of the {} {} transactions not yet included",
								total - included,
								phase.name()
							)));
						}
					}
				}
				last_number = last_number.max(head.number);
				new_block.notify_waiters();
				observer.progress(included);
			}
			head = finalized.next() => {
				let head = head.ok_or_else(|| Error::node("the node closed the subscription"))?.map_err(Error::node)?;
				let now = Instant::now();
				for block in seen.iter().filter(|b| b.number > final_number && b.number <= head.number) {
					finality.extend(block.submitted.iter().map(|s| now.saturating_duration_since(*s)));
				}
				final_number = final_number.max(head.number);
			}
			Some(done) = submitters.join_next() => {
				done.map_err(Error::node)??;
			}
		}
	}
	observer.finish();
	let elapsed = started.elapsed();
	let node_cpu_cores = cpu_before
		.zip(probe.cpu_time())
		.map(|(before, after)| after.saturating_sub(before).as_secs_f64() / elapsed.as_secs_f64());

	// The full blocks between the phase's first and last: at least 90 % of the normal weight or
	// length used (all of the blocks between, if none is full).
	let between = match seen.len() {
		0..=2 => &seen[..],
		n => &seen[1..n - 1],
	};
	let is_full = |b: &&SeenBlock| {
		b.ref_time as f64 >= 0.9 * limits.ref_time as f64
			|| b.length as f64 >= 0.9 * f64::from(limits.length)
	};
	let full: Vec<&SeenBlock> = between.iter().filter(is_full).collect();
	let measured: Vec<&SeenBlock> = if full.is_empty() { between.iter().collect() } else { full };
	let count = measured.len().max(1) as f64;
	let transactions: u64 = measured.iter().map(|b| b.transactions).sum();
	let seconds = measured.iter().map(|b| b.interval_ms).sum::<u64>() as f64 / 1e3;
	let per_second = if seconds > 0.0 { transactions as f64 / seconds } else { 0.0 };
	Ok(PhaseReport {
		phase,
		transactions: total,
		readings_per_transaction: readings,
		weight: cost.weight.ref_time(),
		length: cost.length,
		predicted_per_block: cost.per_block,
		per_block: transactions as f64 / count,
		per_second,
		readings_per_second: per_second * f64::from(readings),
		weight_fullness: measured
			.iter()
			.map(|b| b.ref_time as f64 / limits.ref_time as f64)
			.sum::<f64>()
			/ count,
		length_fullness: measured
			.iter()
			.map(|b| b.length as f64 / f64::from(limits.length))
			.sum::<f64>()
			/ count,
		inclusion_ms: Percentiles::of(inclusion),
		finality_ms: Percentiles::of(finality),
		weight_per_build_time: {
			let ratios: Vec<f64> = measured
				.iter()
				.filter_map(|b| {
					let built = probe.built(b.number)?;
					(built.build_ms > 0).then(|| b.ref_time as f64 / 1e9 / built.build_ms as f64)
				})
				.collect();
			(!ratios.is_empty()).then(|| ratios.iter().sum::<f64>() / ratios.len() as f64)
		},
		node_rss_mib: probe.rss_bytes().map(|b| b as f64 / (1024.0 * 1024.0)),
		node_cpu_cores,
		blocks: measured
			.iter()
			.map(|b| BlockReport {
				number: b.number,
				transactions: b.transactions,
				ref_time: b.ref_time,
				length: b.length,
				interval_ms: b.interval_ms,
				built: probe.built(b.number),
			})
			.collect(),
	})
}

/// The verify phase: `options.verify_clients` connections, each asking in turn about the
/// `readings` (round-robin) until `options.verify_requests` are answered.
async fn verify(
	url: &str,
	client: &Client,
	readings: &[Anchored],
	options: &Options,
	observer: &dyn Observer,
) -> Result<VerifyReport, Error> {
	let (Some(first), Some(last)) = (readings.first(), readings.last()) else {
		return Err(Error::Input("the verify phase needs the anchor phase before it".into()));
	};
	// Provable once final (and in the off-chain index): wait for both ends of the list.
	let rpc = client.legacy();
	let mut finalized = rpc.chain_subscribe_finalized_heads().await.map_err(Error::node)?;
	loop {
		let raw = client.raw_rpc();
		let mut ready = true;
		for reading in [first, last] {
			ready &= is_anchored(&raw, reading).await?;
		}
		if ready {
			break;
		}
		tokio::time::timeout(options.stall_timeout, finalized.next()).await.map_err(|_| {
			Error::Node("the node stalled: the anchored readings never became provable".into())
		})?;
	}
	let clients = options.verify_clients.max(1);
	let connections = connect_all(url, clients).await?;
	let readings: Arc<[Anchored]> = readings.into();
	let per_client = options.verify_requests.div_ceil(clients as u64);
	observer.start("verify", per_client * clients as u64);
	let answered = Arc::new(std::sync::atomic::AtomicU64::new(0));
	let started = Instant::now();
	let mut tasks = tokio::task::JoinSet::new();
	for (index, rpc) in connections.into_iter().enumerate() {
		let readings = readings.clone();
		let answered = answered.clone();
		tasks.spawn(async move {
			let mut latencies = Vec::with_capacity(per_client as usize);
			for i in 0..per_client {
				let reading = &readings[(index + i as usize * clients) % readings.len()];
				let asked = Instant::now();
				if !is_anchored(&rpc, reading).await? {
					return Err(Error::Node(format!(
						"iotchain_verifyReading does not find seq {} of device {:?} anchored",
						reading.seq, reading.device
					)));
				}
				latencies.push(asked.elapsed());
				answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
			}
			Ok::<_, Error>(latencies)
		});
	}
	let mut latencies = Vec::new();
	let mut ticker = tokio::time::interval(Duration::from_millis(200));
	loop {
		tokio::select! {
			done = tasks.join_next() => match done {
				Some(done) => latencies.extend(done.map_err(Error::node)??),
				None => break,
			},
			_ = ticker.tick() => observer.progress(answered.load(std::sync::atomic::Ordering::Relaxed)),
		}
	}
	let elapsed = started.elapsed().as_secs_f64();
	observer.finish();
	let requests = latencies.len() as u64;
	Ok(VerifyReport {
		requests,
		clients,
		per_second: requests as f64 / elapsed,
		latency_ms: Percentiles::of(latencies),
	})
}

/// Whether the node's `iotchain_verifyReading` says `reading` is anchored.
async fn is_anchored(rpc: &RpcClient, reading: &Anchored) -> Result<bool, Error> {
	let answer: serde_json::Value = rpc
		.request(
			"iotchain_verifyReading",
			rpc_params![
				reading.device,
				ANCHOR_STREAM,
				reading.seq,
				reading.digest,
				Option::<()>::None
			],
		)
		.await
		.map_err(Error::node)?;
	Ok(answer.get("type").and_then(|t| t.as_str()) == Some("anchored"))
}

/// An `iotchain-node --dev` of the benchmark's own, on a fresh base path in a temporary
/// directory, stopped (and its directory removed) when dropped.
pub struct LocalNode {
	child: std::process::Child,
	url: String,
	built: Arc<Mutex<HashMap<u64, BlockBuilt>>>,
	_base: tempfile::TempDir,
}

impl LocalNode {
	/// Starts `binary` (`iotchain-node`) with a pool large enough for the phases, and waits
	/// until its RPC answers (at most `timeout`).
	pub async fn start(binary: &std::path::Path, timeout: Duration) -> Result<Self, Error> {
		use std::io::BufRead;
		let base =
			tempfile::tempdir().map_err(|e| Error::Input(format!("a temporary directory: {e}")))?;
		let port = free_port()?;
		let mut child = std::process::Command::new(binary)
			.args(["--dev", "--no-telemetry", "--no-mdns", "--no-prometheus", "--port", "0"])
			.args(["--rpc-port", &port.to_string(), "--rpc-max-connections", "1000"])
			.args(["--pool-limit", "1000000", "--pool-kbytes", "2097152"])
			.arg("--base-path")
			.arg(base.path())
			.stdin(std::process::Stdio::null())
			.stdout(std::process::Stdio::null())
			.stderr(std::process::Stdio::piped())
			.spawn()
			.map_err(|e| Error::Input(format!("cannot start {}: {e}", binary.display())))?;
		let built = Arc::new(Mutex::new(HashMap::new()));
		if let Some(stderr) = child.stderr.take() {
			let built = built.clone();
			std::thread::spawn(move || {
				for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
					if let Some((number, block)) = parse_prepared(&line) {
						built.lock().expect("not poisoned").insert(number, block);
					}
				}
			});
		}
		let url = format!("ws://127.0.0.1:{port}");
		let mut node = Self { child, url, built, _base: base };
		let deadline = Instant::now() + timeout;
		loop {
			if let Ok(Some(status)) = node.child.try_wait() {
				return Err(Error::Node(format!("{} exited at start: {status}", binary.display())));
			}
			if Client::connect(&node.url).await.is_ok() {
				return Ok(node);
			}
			if Instant::now() > deadline {
				let _ = node.child.kill();
				return Err(Error::Node(format!(
					"{} did not answer within {timeout:?}",
					binary.display()
				)));
			}
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
	}

	/// Its RPC endpoint.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The node's process, for [`run`].
	pub fn probe(&self) -> ProcessProbe {
		ProcessProbe { pid: self.child.id(), built: Some(self.built.clone()) }
	}
}

impl Drop for LocalNode {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

fn free_port() -> Result<u16, Error> {
	let listener = std::net::TcpListener::bind("127.0.0.1:0")
		.map_err(|e| Error::Input(format!("no free port: {e}")))?;
	listener.local_addr().map(|a| a.port()).map_err(|e| Error::Input(format!("no free port: {e}")))
}

/// `(number, what was logged)` of a node's "Prepared block for proposing at N (M ms) …
/// end: REASON; …" line.
fn parse_prepared(line: &str) -> Option<(u64, BlockBuilt)> {
	let rest = line.split("Prepared block for proposing at ").nth(1)?;
	let (number, rest) = rest.split_once(" (")?;
	let (ms, rest) = rest.split_once(" ms)")?;
	let reason = rest.split("end: ").nth(1)?.split(';').next()?;
	Some((
		number.trim().parse().ok()?,
		BlockBuilt { build_ms: ms.trim().parse().ok()?, end_reason: reason.trim().to_string() },
	))
}

/// A node process on this machine, read from `/proc/<pid>` (Linux).
pub struct ProcessProbe {
	pid: u32,
	built: Option<Arc<Mutex<HashMap<u64, BlockBuilt>>>>,
}

impl ProcessProbe {
	/// The process `pid` (a node not started by the benchmark: nothing of its log is known).
	pub fn of(pid: u32) -> Self {
		Self { pid, built: None }
	}
}

/// No process known: nothing measured of it.
impl NodeProbe for () {
	fn rss_bytes(&self) -> Option<u64> {
		None
	}
	fn cpu_time(&self) -> Option<Duration> {
		None
	}
	fn built(&self, _: u64) -> Option<BlockBuilt> {
		None
	}
}

impl NodeProbe for ProcessProbe {
	fn rss_bytes(&self) -> Option<u64> {
		let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
		let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
		let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
		Some(kib * 1024)
	}

	fn cpu_time(&self) -> Option<Duration> {
		let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
		// Fields after the command (which may hold spaces), from field 3 on: utime is the 14th
		// field and stime the 15th, in clock ticks (100 a second on Linux).
		let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
		let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
		Some(Duration::from_millis(ticks * 10))
	}

	fn built(&self, number: u64) -> Option<BlockBuilt> {
		self.built.as_ref()?.lock().ok()?.get(&number).cloned()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn parses_the_proposers_log_line() {
		let line = "2026-12-06 21:40:00 🎁 Prepared block for proposing at 12 (604 ms) hash: \
			0xab…; parent_hash: 0xcd…; end: HitBlockWeightLimit; extrinsics_count: 2003";
		assert_eq!(
			parse_prepared(line),
			Some((12, BlockBuilt { build_ms: 604, end_reason: "HitBlockWeightLimit".into() }))
		);
		assert_eq!(parse_prepared("Imported #12"), None);
	}

	#[test]
	fn percentiles_are_ranks_of_the_sorted_samples() {
		let ms = |v: u64| Duration::from_millis(v);
		let p = Percentiles::of((1..=100).rev().map(ms).collect());
		assert_eq!((p.p50, p.p99), (50.0, 99.0));
		let one = Percentiles::of(vec![ms(7)]);
		assert_eq!((one.p50, one.p99), (7.0, 7.0));
		let none = Percentiles::of(Vec::new());
		assert_eq!((none.p50, none.p99), (0.0, 0.0));
	}

	#[test]
	fn rounds_fill_the_blocks_plus_two() {
		// 5 blocks of 1 000 with 1 250 devices: 7 000 transactions, 6 rounds.
		assert_eq!(rounds(5, 1_000, 1_250), 6);
		assert_eq!(rounds(0, 1, 1_000), 1);
	}
}
