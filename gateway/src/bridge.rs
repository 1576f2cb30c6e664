//! The running gateway: MQTT intake (durable before ack) and the anchoring loop.
//!
//! - **Intake.** The gateway subscribes to every route's topic filter with QoS 1, on a
//!   persistent session (`clean_session = false`: the broker keeps what arrives while the
//!   gateway is away) and with manual acknowledgements. Messages are collected for a few
//!   milliseconds, stored in one transaction (each gets its stream's next seq), and only then
//!   acknowledged: a crash before the commit means the broker delivers them again; a crash
//!   after it and before the ack means a redelivery (DUP, same packet id) that the store
//!   recognizes and does not store twice.
//! - **Anchoring.** Each stream's pending readings are anchored as one Merkle root (through
//!   `iotchain_client::anchoring::StreamWriter`, `anchors.anchorBatch` on behalf of the device,
//!   with the gateway's WRITE grant) once `batch.size` are pending or the oldest has waited
//!   `batch.max_delay_ms`. A refusal (a revoked grant, a suspended device) is logged and the
//!   readings stay pending; they are tried again later.

use crate::{
	chain::ChainLink,
	config::{route_of, Config, Route},
	http,
	metrics::Metrics,
	store::{Reconciled, Store, StoredReading},
	Error,
};
use iotchain_client::{
	anchoring::{Anchorer, StreamWriter},
	chain::Client,
	data::{Batch, Reading},
	keys::Key,
};
use iotchain_primitives::{DeviceId, StreamId};
use polkadot_sdk::sp_core::H256;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use std::{
	collections::BTreeMap,
	future::Future,
	sync::Arc,
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::Notify;
use tracing::{error, info, warn};

/// The most messages stored (and acknowledged) together.
const INTAKE_BATCH: usize = 512;
/// How long the intake waits for more messages before storing what it has.
const INTAKE_WAIT: Duration = Duration::from_millis(5);
/// The first wait before reconnecting to the broker or the chain; it doubles up to the maximum.
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// The wait before the next reconnection: from [`MIN_BACKOFF`], doubling after each failure up
/// to [`MAX_BACKOFF`], back to the minimum after a success.
struct Backoff(Duration);

impl Backoff {
	fn new() -> Self {
		Self(MIN_BACKOFF)
	}

	fn reset(&mut self) {
		self.0 = MIN_BACKOFF;
	}

	/// Waits the current time; the next wait is twice as long.
	async fn wait(&mut self) {
		tokio::time::sleep(self.0).await;
		self.0 = (self.0 * 2).min(MAX_BACKOFF);
	}
}

/// What the intake, the anchoring loop and the HTTP API share.
struct Shared {
	store: Arc<Store>,
	metrics: Arc<Metrics>,
	/// Every (device, stream) a route feeds.
	streams: Vec<(DeviceId, StreamId)>,
	/// Wakes the anchoring loop when readings were stored.
	stored: Notify,
}

impl Shared {
	/// Sets the pending gauge from the store.
	fn count_pending(&self) -> Result<(), Error> {
		let pending = self.store.pending_count(&self.streams)?;
		self.metrics.pending.set(i64::try_from(pending).unwrap_or(i64::MAX));
		Ok(())
	}
}

/// Runs the gateway until `stop` completes, counting into `metrics`. MQTT intake goes on while
/// the chain is unreachable: readings are stored and wait to be anchored.
pub async fn run(
	config: Config,
	metrics: Arc<Metrics>,
	stop: impl Future<Output = ()>,
) -> Result<(), Error> {
	let routes = config.routes()?;
	let key = config.key()?;
	let mut streams: Vec<_> = routes.iter().map(|r| (r.device, r.stream)).collect();
	streams.sort();
	streams.dedup();
	let shared = Arc::new(Shared {
		store: Arc::new(Store::open(&config.store)?),
		metrics,
		streams,
		stored: Notify::new(),
	});
	shared.count_pending()?;
	let chain = Arc::new(ChainLink::new(config.chain.url.clone()));
	settle_new_streams(&key, &shared, &chain).await?;
	let serving = async {
		match &config.http {
			Some(settings) => {
				let api = http::Api::new(
					shared.store.clone(),
					chain.clone(),
					shared.metrics.clone(),
					key.account_id().0,
				);
				http::serve(settings.listen, Arc::new(api)).await
			},
			None => std::future::pending().await,
		}
	};
	let policy = (config.batch.size as usize, Duration::from_millis(config.batch.max_delay_ms));
	tokio::select! {
		result = intake(&config, &routes, &shared) => result,
		result = anchoring(&key, &shared, &chain, policy) => result,
		result = serving => result,
		_ = stop => {
			info!("stopping");
			Ok(())
		},
	}
}

/// Connects to the chain, settles every stream against it, and anchors until the connection
/// fails; then does it again, after a wait that doubles with each failure.
async fn anchoring(
	key: &Key,
	shared: &Shared,
	chain: &ChainLink,
	policy: (usize, Duration),
) -> Result<(), Error> {
	let mut backoff = Backoff::new();
	loop {
		let lost = match open_writers(key, shared, chain).await {
			Ok((client, writers)) => {
				backoff.reset();
				anchor_loop(shared, &client, writers, policy).await?
			},
			Err(Error::Client(e)) => e,
			Err(fatal) => return Err(fatal),
		};
		chain.reset();
		shared.metrics.error("chain");
		warn!(error = %lost, retry_in = ?backoff.0, "the chain cannot be reached: readings stay pending");
		backoff.wait().await;
	}
}

/// Streams new to the store start after the chain's head: the chain is asked (until it answers)
/// before their first reading is taken. Known streams take readings at once, chain or not.
async fn settle_new_streams(key: &Key, shared: &Shared, chain: &ChainLink) -> Result<(), Error> {
	let mut backoff = Backoff::new();
	loop {
		let mut known = true;
		for &(device, stream) in &shared.streams {
			known &= shared.store.stream(device, stream)?.is_some();
		}
		if known {
			return Ok(());
		}
		match open_writers(key, shared, chain).await {
			Ok(_) => return Ok(()),
			Err(Error::Client(e)) => {
				chain.reset();
				shared.metrics.error("chain");
				warn!(error = %e, retry_in = ?backoff.0, "the chain cannot be reached: new streams wait for it");
				backoff.wait().await;
			},
			Err(fatal) => return Err(fatal),
		}
	}
}

/// A writer per stream, each settled against the chain's head.
async fn open_writers(
	key: &Key,
	shared: &Shared,
	chain: &ChainLink,
) -> Result<(Client, BTreeMap<(DeviceId, StreamId), StreamWriter>), Error> {
	let client = chain.client().await?;
	let mut writers = BTreeMap::new();
	for &(device, stream) in &shared.streams {
		let anchorer = Anchorer::on_behalf_of(device, key.clone());
		let writer = StreamWriter::open(client.clone(), anchorer, stream, None).await?;
		report(device, stream, shared.store.reconcile(device, stream, writer.state())?);
		writers.insert((device, stream), writer);
	}
	shared.count_pending()?;
	info!(streams = writers.len(), "connected to the chain");
	Ok((client, writers))
}

fn report(device: DeviceId, stream: StreamId, outcome: Reconciled) {
	match outcome {
		Reconciled::InStep => {},
		Reconciled::Started => info!(?device, stream, "new stream: starting after the chain's head"),
		Reconciled::BatchLanded { first_seq } =>
			info!(?device, stream, first_seq, "an interrupted batch is on chain: recorded"),
		Reconciled::BatchDropped { first_seq } =>
			warn!(?device, stream, first_seq, "an interrupted batch is not on chain: its readings are pending again"),
		Reconciled::Resynced { chain_seq, renumbered } => warn!(
			?device,
			stream,
			chain_seq,
			renumbered,
			"another writer anchored on this stream: resynced to the chain, pending readings renumbered after it"
		),
	}
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Receives, stores, then acknowledges; reconnects with backoff.
async fn intake(config: &Config, routes: &[Route], shared: &Shared) -> Result<(), Error> {
	let broker = &config.broker;
	let mut options = MqttOptions::new(&broker.client_id, &broker.host, broker.port);
	options.set_keep_alive(Duration::from_secs(30));
	options.set_clean_session(false);
	options.set_manual_acks(true);
	if let (Some(user), Some(password)) = (&broker.username, &broker.password) {
		options.set_credentials(user, password);
	}
	let (mqtt, mut events) = AsyncClient::new(options, 4 * INTAKE_BATCH);
	// Acknowledgements wait for room in the client's request queue on a task of their own,
	// so that this loop keeps polling (which empties that queue). The task ends with this loop.
	let (acks, mut to_ack) = tokio::sync::mpsc::unbounded_channel::<Vec<Publish>>();
	let acker = mqtt.clone();
	tokio::spawn(async move {
		while let Some(stored) = to_ack.recv().await {
			for publish in stored {
				if acker.ack(&publish).await.is_err() {
					return;
				}
			}
		}
	});
	let mut buffer: Vec<Publish> = Vec::new();
	let mut backoff = Backoff::new();
	// Subscriptions asked for and not yet granted.
	let mut subscribing = 0;
	loop {
		let event = if buffer.is_empty() {
			events.poll().await
		} else {
			match tokio::time::timeout(INTAKE_WAIT, events.poll()).await {
				Ok(event) => event,
				Err(_) => {
					store_and_ack(routes, shared, &acks, &mut buffer)?;
					continue;
				},
			}
		};
		match event {
			Ok(Event::Incoming(Packet::Publish(publish))) => {
				buffer.push(publish);
				if buffer.len() >= INTAKE_BATCH {
					store_and_ack(routes, shared, &acks, &mut buffer)?;
				}
			},
			Ok(Event::Incoming(Packet::ConnAck(ack))) => {
				info!(host = %broker.host, port = broker.port, session_present = ack.session_present, "connected to the broker");
				backoff.reset();
				if ack.session_present {
					shared.metrics.broker_connected.set(1);
				} else {
					for route in routes {
						mqtt.subscribe(route.topic.clone(), QoS::AtLeastOnce)
							.await
							.map_err(|e| Error::Store(format!("subscribe: {e}")))?;
					}
					subscribing = routes.len();
				}
			},
			Ok(Event::Incoming(Packet::SubAck(ack))) => {
				info!(pkid = ack.pkid, "subscribed");
				subscribing = subscribing.saturating_sub(1);
				if subscribing == 0 {
					shared.metrics.broker_connected.set(1);
				}
			},
			Ok(_) => {},
			Err(e) => {
				// Messages received but not stored are not acknowledged: the broker sends them
				// again after the reconnection. Drop them here rather than ack on a dead link.
				buffer.clear();
				shared.metrics.broker_connected.set(0);
				shared.metrics.error("broker");
				warn!(error = %e, retry_in = ?backoff.0, "broker connection lost");
				backoff.wait().await;
			},
		}
	}
}

/// Stores the buffered messages in one transaction, then has them acknowledged.
fn store_and_ack(
	routes: &[Route],
	shared: &Shared,
	acks: &tokio::sync::mpsc::UnboundedSender<Vec<Publish>>,
	buffer: &mut Vec<Publish>,
) -> Result<(), Error> {
	let received_ms = now_ms();
	let mut readings = Vec::with_capacity(buffer.len());
	for publish in buffer.iter() {
		let topic = publish.topic.clone();
		match route_of(routes, &topic) {
			Some(route) => readings.push((
				route.device,
				route.stream,
				(publish.pkid != 0).then_some((publish.pkid, publish.dup)),
				StoredReading::new(topic, publish.payload.to_vec(), received_ms),
			)),
			None => warn!(topic, "a message on a topic no route takes: acknowledged, not stored"),
		}
	}
	let timer = shared.metrics.store_seconds.start_timer();
	let seqs = shared.store.append(readings)?;
	timer.observe_duration();
	let duplicates = seqs.iter().filter(|s| s.is_none()).count();
	shared.metrics.received.inc_by((seqs.len() - duplicates) as u64);
	shared.count_pending()?;
	shared.stored.notify_one();
	if duplicates > 0 {
		info!(duplicates, "redelivered messages already stored: acknowledged again");
	}
	// Once stored, a message lost before its acknowledgement is only delivered again.
	let _ = acks.send(std::mem::take(buffer));
	Ok(())
}

/// Anchors each stream's pending readings when the batch policy (`size`, `max_delay`) says
/// so, until the chain cannot be reached: returns why. The batches of all streams due are
/// submitted together, so that they go into the same block.
async fn anchor_loop(
	shared: &Shared,
	client: &Client,
	mut writers: BTreeMap<(DeviceId, StreamId), StreamWriter>,
	(size, max_delay): (usize, Duration),
) -> Result<iotchain_client::Error, Error> {
	let tick = (max_delay / 4).max(Duration::from_millis(50));
	loop {
		let mut due = Vec::new();
		for ((device, stream), writer) in writers.iter_mut() {
			let max = size.min(writer.max_batch_size() as usize);
			let pending = shared.store.pending(*device, *stream, max)?;
			let Some((_, oldest)) = pending.first() else { continue };
			let waited = Duration::from_millis(now_ms().saturating_sub(oldest.received_ms));
			if pending.len() < size && waited < max_delay {
				continue;
			}
			let (device, stream) = (*device, *stream);
			due.push(async move {
				(device, stream, anchor_pending(shared, client, writer, pending).await)
			});
		}
		let mut failed = false;
		for (device, stream, result) in futures::future::join_all(due).await {
			if let Err(e) = result {
				failed = true;
				shared.metrics.error("anchor");
				error!(?device, stream, error = %e, "anchoring refused or failed: the readings stay pending");
			}
		}
		// A refusal leaves the link up; a dead link ends this loop.
		if failed {
			if let Err(lost) = client.block_number().await {
				return Ok(lost);
			}
		}
		tokio::select! {
			_ = shared.stored.notified() => {},
			_ = tokio::time::sleep(tick) => {},
		}
	}
}

async fn anchor_pending(
	shared: &Shared,
	client: &Client,
	writer: &mut StreamWriter,
	pending: Vec<(u64, StoredReading)>,
) -> Result<(), Error> {
	let store = &shared.store;
	let (device, stream) = (writer.device(), writer.stream());
	let first_seq = pending.first().map(|(seq, _)| *seq).unwrap_or_default();
	if writer.state().next_seq()? != first_seq {
		// The chain moved (another writer, or a batch whose outcome was lost): settle first.
		let state = writer.resync().await?;
		report(device, stream, store.reconcile(device, stream, state)?);
		shared.count_pending()?;
		return Ok(());
	}
	let readings: Vec<Reading> = pending
		.iter()
		.map(|(_, r)| Reading { source: r.source(), digest: H256(r.digest) })
		.collect();
	let batch = Batch::new(device, stream, first_seq, readings.clone())
		.ok_or_else(|| Error::Store("an empty batch".into()))?;
	store.begin_batch(device, stream, first_seq, batch.count(), batch.root)?;
	let timer = shared.metrics.anchor_seconds.start_timer();
	let anchored = writer.anchor_batch(readings).await;
	timer.observe_duration();
	match anchored {
		Ok(anchored) => {
			for done in &anchored {
				store.finish_batch(device, stream, done.batch.first_seq, done.head)?;
			}
			shared.count_pending()?;
			for done in anchored {
				shared.metrics.anchored.inc_by(u64::from(done.batch.count()));
				if let Some(block) = done.outcome.block {
					if let Ok(number) = client.block_number_of(block).await {
						shared.metrics.last_anchored_block.set(number as i64);
					}
				}
				info!(
					?device,
					stream,
					first_seq = done.batch.first_seq,
					count = done.batch.count(),
					"anchored"
				);
			}
			Ok(())
		},
		Err(e) => {
			// Whether the batch landed is for the chain to say: settle it on the next round.
			if let Ok(state) = writer.resync().await {
				report(device, stream, store.reconcile(device, stream, state)?);
				shared.count_pending()?;
			}
			Err(e.into())
		},
	}
}
