//! `iotchain-gateway bench`: readings per second from MQTT publish to anchored on chain with
//! their proofs stored, against the broker's own QoS 1 throughput measured in the same run.
//!
//! 1. **Baseline**: publishers send QoS 1 messages as fast as the broker takes them to a plain
//!    subscriber (a topic no route takes): nothing is stored or anchored.
//! 2. **Gateway**: the gateway of the configuration runs in this process; the publishers send
//!    `rate` readings per second for `duration`, round-robin over one topic per route. A line a
//!    second shows published (acknowledged by the broker), stored, anchored and pending.
//! 3. **Drain**: after the last publish, until every reading is anchored.
//! 4. **Checks**: every published reading was stored once and anchored once (the chain's head
//!    of each stream equals the store's), and the last reading of each stream has its proof.
//!
//! The report says where the time went: the store's commits before the acknowledgements, the
//! wait from submitting a batch to its block, and the CPU time of the node, the broker and this
//! process (gateway and publishers) against the machine's.

use crate::{
	bridge,
	config::{route_of, Config, Route},
	metrics::Metrics,
	store::Store,
	Error,
};
use iotchain_client::chain::Client;
use iotchain_primitives::{DeviceId, StreamId};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::{
	collections::BTreeSet,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

/// What to run.
pub struct Options {
	/// How long the gateway is loaded.
	pub duration: Duration,
	/// Readings per second offered.
	pub rate: u64,
	/// MQTT connections publishing.
	pub publishers: usize,
	/// How long the broker's baseline is measured.
	pub baseline: Duration,
	/// The longest wait for the last readings to be anchored.
	pub drain_timeout: Duration,
}

/// The topic the baseline publishes to: no route may take it.
const BASELINE_TOPIC: &str = "iotchain-bench/baseline";
/// How often the progress is printed.
const SAMPLE: Duration = Duration::from_secs(1);

pub async fn run(config: Config, options: Options) -> Result<(), Error> {
	let routes = config.routes()?;
	if route_of(&routes, BASELINE_TOPIC).is_some() {
		return Err(Error::Config(format!(
			"a route takes {BASELINE_TOPIC:?}: the baseline needs it"
		)));
	}
	let topics: Vec<String> = routes.iter().map(|r| topic_of(&r.topic)).collect();
	let streams: BTreeSet<(DeviceId, StreamId)> = topics
		.iter()
		.filter_map(|t| route_of(&routes, t))
		.map(|r: &Route| (r.device, r.stream))
		.collect();
	println!(
		"iotchain-gateway bench: {} streams, {} publishers, {} readings/s offered for {} s",
		streams.len(),
		options.publishers,
		options.rate,
		options.duration.as_secs()
	);

	let baseline = measure_baseline(&config, &options).await?;
	println!(
		"baseline: the broker passes {baseline:.0} QoS 1 messages/s from {} publishers to one \
		 subscriber (nothing stored)",
		options.publishers
	);

	// The gateway, in this process.
	let metrics = Arc::new(Metrics::new());
	let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
	let store_path = config.store.clone();
	let chain_url = config.chain.url.clone();
	let broker = Publishers::of(&config, options.publishers);
	let mut gateway = tokio::spawn(bridge::run(config, metrics.clone(), async {
		let _ = stopped.await;
	}));
	let ready = Instant::now() + Duration::from_secs(60);
	while metrics.broker_connected.get() != 1 {
		if gateway.is_finished() {
			return Err(gateway_ended(&mut gateway).await);
		}
		if Instant::now() > ready {
			return Err(Error::Store("the gateway did not subscribe within 60 s".into()));
		}
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
	let pending_before = metrics.pending.get().max(0) as u64;
	let usage_before = Usage::now();

	// Load.
	let start = Instant::now();
	let load = broker.start(topics, Some(options.rate), options.duration);
	let mut max_pending = 0;
	let mut anchored_in_window = 0;
	while !load.finished() {
		tokio::time::sleep(SAMPLE).await;
		if gateway.is_finished() {
			return Err(gateway_ended(&mut gateway).await);
		}
		max_pending = max_pending.max(metrics.pending.get());
		if start.elapsed() <= options.duration {
			anchored_in_window = metrics.anchored.get();
		}
		progress(start, load.acked(), &metrics);
	}
	let (published, publishing) = load.finish(Duration::from_secs(60)).await?;

	// Drain.
	let drain_deadline = Instant::now() + options.drain_timeout;
	let expected = published + pending_before;
	while metrics.received.get() < published || metrics.anchored.get() < expected {
		if gateway.is_finished() {
			return Err(gateway_ended(&mut gateway).await);
		}
		if Instant::now() > drain_deadline {
			progress(start, published, &metrics);
			return Err(Error::Store(format!(
				"not drained within {} s of the last publish: {} of {published} stored, {} of \
				 {expected} anchored",
				options.drain_timeout.as_secs(),
				metrics.received.get(),
				metrics.anchored.get()
			)));
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	let total = start.elapsed();
	progress(start, published, &metrics);
	let usage = Usage::now().since(&usage_before);
	let _ = stop.send(());
	let _ = gateway.await;

	// Checks: nothing lost, nothing twice, proofs stored.
	let store = Store::open(&store_path)?;
	let client = Client::connect(&chain_url).await?;
	for &(device, stream) in &streams {
		let record = store
			.stream(device, stream)?
			.ok_or_else(|| Error::Store(format!("stream {stream} is not in the store")))?;
		let head = client.anchor_head(device, stream).await?;
		let (seq, chain_head) = head.map(|h| (h.seq, h.head.0)).unwrap_or_default();
		if (seq, chain_head) != (record.anchored_through, record.head) {
			return Err(Error::Store(format!(
				"stream {stream} of {device:?}: the chain is at seq {seq}, the store at {}",
				record.anchored_through
			)));
		}
		if record.anchored_through > 0 {
			store.proof(device, stream, record.anchored_through)?;
		}
	}
	let stored = metrics.received.get();
	let anchored = metrics.anchored.get();
	if stored != published || anchored != expected {
		return Err(Error::Store(format!(
			"published {published}, stored {stored}, anchored {anchored} (expected {expected})"
		)));
	}

	let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
	let end_to_end = rate(published, total);
	println!();
	println!(
		"published (broker acknowledged): {published} in {:.1} s = {:.0}/s",
		publishing.as_secs_f64(),
		rate(published, publishing)
	);
	println!(
		"anchored while publishing: {anchored_in_window} = {:.0}/s; largest backlog {max_pending}",
		rate(anchored_in_window, options.duration.min(publishing))
	);
	println!(
		"all {published} stored once and anchored once, {:.1} s after the first publish \
		 ({:.1} s after the last); chain heads equal the store's; proofs stored",
		total.as_secs_f64(),
		(total.saturating_sub(publishing)).as_secs_f64()
	);
	println!(
		"END TO END: {end_to_end:.0} readings/s = {:.3} x the broker's baseline",
		end_to_end / baseline
	);
	let mean = |h: &prometheus::Histogram| {
		if h.get_sample_count() == 0 {
			0.0
		} else {
			h.get_sample_sum() / h.get_sample_count() as f64
		}
	};
	println!(
		"store: {} commits, {:.2} ms each on average, {:.1} s in all",
		metrics.store_seconds.get_sample_count(),
		mean(&metrics.store_seconds) * 1e3,
		metrics.store_seconds.get_sample_sum()
	);
	println!(
		"anchoring: {} batches ({:.0} readings each), {:.2} s from submission to block on average",
		metrics.anchor_seconds.get_sample_count(),
		anchored as f64 / metrics.anchor_seconds.get_sample_count().max(1) as f64,
		mean(&metrics.anchor_seconds)
	);
	usage.print();
	Ok(())
}

/// A topic `filter` matches: each wildcard level becomes `bench`.
fn topic_of(filter: &str) -> String {
	filter
		.split('/')
		.map(|level| if level == "+" || level == "#" { "bench" } else { level })
		.collect::<Vec<_>>()
		.join("/")
}

async fn gateway_ended(gateway: &mut tokio::task::JoinHandle<Result<(), Error>>) -> Error {
	match gateway.await {
		Ok(Err(e)) => e,
		Ok(Ok(())) => Error::Store("the gateway stopped".into()),
		Err(e) => Error::Store(format!("the gateway failed: {e}")),
	}
}

fn progress(start: Instant, published: u64, metrics: &Metrics) {
	println!(
		"{:>5.1} s  published {:>9}  stored {:>9}  anchored {:>9}  pending {:>7}  block {}",
		start.elapsed().as_secs_f64(),
		published,
		metrics.received.get(),
		metrics.anchored.get(),
		metrics.pending.get(),
		metrics.last_anchored_block.get()
	);
}

/// The broker's throughput alone: publishers to a subscriber, for `options.baseline`.
async fn measure_baseline(config: &Config, options: &Options) -> Result<f64, Error> {
	let publishers = Publishers::of(config, options.publishers);
	let received = Arc::new(AtomicU64::new(0));
	let (subscriber, mut events) = AsyncClient::new(
		publishers.options(format!("iotchain-bench-sub-{}", std::process::id())),
		1024,
	);
	subscriber
		.subscribe(BASELINE_TOPIC, QoS::AtLeastOnce)
		.await
		.map_err(|e| Error::Store(format!("subscribe: {e}")))?;
	let counting = {
		let received = received.clone();
		tokio::spawn(async move {
			loop {
				match events.poll().await {
					Ok(Event::Incoming(Packet::Publish(_))) => {
						received.fetch_add(1, Ordering::Relaxed);
					},
					Ok(Event::Incoming(Packet::SubAck(_))) => {
						received.store(0, Ordering::Relaxed);
					},
					Ok(_) => {},
					Err(e) => return Error::Store(format!("the baseline subscriber: {e}")),
				}
			}
		})
	};
	// Warm up (connections, subscription) before counting.
	tokio::time::sleep(Duration::from_millis(500)).await;
	let load = publishers.start(vec![BASELINE_TOPIC.into()], None, options.baseline);
	let from = received.load(Ordering::Relaxed);
	let start = Instant::now();
	tokio::time::sleep(options.baseline).await;
	let count = received.load(Ordering::Relaxed) - from;
	let elapsed = start.elapsed();
	load.stop();
	counting.abort();
	let _ = subscriber.disconnect().await;
	if count == 0 {
		return Err(Error::Store("the baseline subscriber received nothing".into()));
	}
	Ok(count as f64 / elapsed.as_secs_f64())
}

/// Publishing connections to the configured broker.
struct Publishers {
	host: String,
	port: u16,
	credentials: Option<(String, String)>,
	count: usize,
}

impl Publishers {
	fn of(config: &Config, count: usize) -> Self {
		let broker = &config.broker;
		Self {
			host: broker.host.clone(),
			port: broker.port,
			credentials: broker.username.clone().zip(broker.password.clone()),
			count: count.max(1),
		}
	}

	fn options(&self, id: String) -> MqttOptions {
		let mut options = MqttOptions::new(id, &self.host, self.port);
		options.set_keep_alive(Duration::from_secs(30));
		options.set_inflight(INFLIGHT);
		if let Some((user, password)) = &self.credentials {
			options.set_credentials(user, password);
		}
		options
	}

	/// Publishes on `topics` in turn, `rate` messages/s in all (or as fast as the broker
	/// acknowledges), for `duration`.
	fn start(&self, topics: Vec<String>, rate: Option<u64>, duration: Duration) -> Load {
		let load = Load {
			acked: Arc::new(AtomicU64::new(0)),
			sent: Arc::new(AtomicU64::new(0)),
			stop: Arc::new(AtomicBool::new(false)),
			tasks: Vec::new(),
			started: Instant::now(),
			duration,
		};
		let topics = Arc::new(topics);
		let tasks = (0..self.count)
			.map(|i| {
				let id = format!("iotchain-bench-{}-{i}-{:?}", std::process::id(), load.started);
				let (mqtt, events) = AsyncClient::new(self.options(id), INFLIGHT as usize);
				let publisher = Publisher {
					index: i,
					of: self.count,
					share: rate.map(|r| r as f64 / self.count as f64),
					topics: topics.clone(),
					acked: load.acked.clone(),
					sent: load.sent.clone(),
					stop: load.stop.clone(),
					started: load.started,
					duration,
				};
				tokio::spawn(publisher.run(mqtt, events))
			})
			.collect();
		Load { tasks, ..load }
	}
}

/// The most QoS 1 messages a publisher has unacknowledged.
const INFLIGHT: u16 = 1000;

/// One publishing connection.
struct Publisher {
	index: usize,
	of: usize,
	/// Messages per second, or as fast as acknowledged.
	share: Option<f64>,
	topics: Arc<Vec<String>>,
	acked: Arc<AtomicU64>,
	sent: Arc<AtomicU64>,
	stop: Arc<AtomicBool>,
	started: Instant,
	duration: Duration,
}

impl Publisher {
	async fn run(self, mqtt: AsyncClient, mut events: rumqttc::EventLoop) -> Result<(), Error> {
		let acked = self.acked.clone();
		let mut polling = tokio::spawn(async move {
			loop {
				match events.poll().await {
					Ok(Event::Incoming(Packet::PubAck(_))) => {
						acked.fetch_add(1, Ordering::Relaxed);
					},
					Ok(_) => {},
					Err(e) => return Error::Store(format!("a publisher's connection: {e}")),
				}
			}
		});
		let mut n: u64 = 0;
		let mut tick = tokio::time::interval(Duration::from_millis(10));
		while self.started.elapsed() < self.duration && !self.stop.load(Ordering::Relaxed) {
			let due = match self.share {
				Some(share) => (share * self.started.elapsed().as_secs_f64()) as u64,
				None => n + 100,
			};
			while n < due {
				let topic = &self.topics[(n as usize * self.of + self.index) % self.topics.len()];
				let payload = format!("{{\"sensor\":{},\"n\":{n},\"v\":21.5}}", self.index);
				tokio::select! {
					sent = mqtt.publish(topic, QoS::AtLeastOnce, false, payload) => {
						sent.map_err(|e| Error::Store(format!("a publisher: {e}")))?;
					},
					failed = &mut polling => {
						return Err(failed.unwrap_or_else(|e| Error::Store(e.to_string())));
					},
				}
				self.sent.fetch_add(1, Ordering::Relaxed);
				n += 1;
			}
			if self.share.is_some() {
				tick.tick().await;
			}
		}
		// Keep taking acknowledgements until told to stop.
		while !self.stop.load(Ordering::Relaxed) {
			if polling.is_finished() {
				return Err((&mut polling).await.unwrap_or_else(|e| Error::Store(e.to_string())));
			}
			tokio::time::sleep(Duration::from_millis(20)).await;
		}
		polling.abort();
		Ok(())
	}
}

/// Publishing under way.
struct Load {
	acked: Arc<AtomicU64>,
	sent: Arc<AtomicU64>,
	stop: Arc<AtomicBool>,
	tasks: Vec<tokio::task::JoinHandle<Result<(), Error>>>,
	started: Instant,
	duration: Duration,
}

impl Load {
	/// Messages the broker acknowledged.
	fn acked(&self) -> u64 {
		self.acked.load(Ordering::Relaxed)
	}

	/// Whether the publishing time is over.
	fn finished(&self) -> bool {
		self.started.elapsed() >= self.duration || self.tasks.iter().any(|t| t.is_finished())
	}

	/// Waits until the broker acknowledged every message sent, then stops: returns how many
	/// there were and how long publishing took, from the first message to the last
	/// acknowledgement.
	async fn finish(self, timeout: Duration) -> Result<(u64, Duration), Error> {
		let deadline = Instant::now() + timeout;
		loop {
			if self.tasks.iter().any(|t| t.is_finished()) {
				self.stop.store(true, Ordering::Relaxed);
				for task in self.tasks {
					task.await.map_err(|e| Error::Store(e.to_string()))??;
				}
				return Err(Error::Store("a publisher stopped early".into()));
			}
			let sent = self.sent.load(Ordering::Relaxed);
			if self.started.elapsed() >= self.duration && self.acked() >= sent {
				let elapsed = self.started.elapsed();
				self.stop.store(true, Ordering::Relaxed);
				for task in self.tasks {
					task.await.map_err(|e| Error::Store(e.to_string()))??;
				}
				return Ok((sent, elapsed));
			}
			if Instant::now() > deadline {
				self.stop.store(true, Ordering::Relaxed);
				return Err(Error::Store(format!(
					"the broker acknowledged {} of {sent} messages",
					self.acked()
				)));
			}
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
	}

	/// Stops publishing now.
	fn stop(self) {
		self.stop.store(true, Ordering::Relaxed);
		for task in self.tasks {
			task.abort();
		}
	}
}

/// CPU time, in clock ticks (USER_HZ, 100 a second), read from `/proc`.
struct Usage {
	/// The machine's, busy and idle.
	busy: u64,
	idle: u64,
	/// The node's (`iotchain-node` processes), the broker's (`mosquitto`), this process's.
	node: u64,
	broker: u64,
	this: u64,
}

impl Usage {
	fn now() -> Self {
		let (busy, idle) = std::fs::read_to_string("/proc/stat")
			.ok()
			.and_then(|s| {
				let fields: Vec<u64> = s
					.lines()
					.next()?
					.split_whitespace()
					.skip(1)
					.filter_map(|f| f.parse().ok())
					.collect();
				// user nice system idle iowait irq softirq steal
				let idle = fields.get(3)? + fields.get(4)?;
				Some((fields.iter().take(8).sum::<u64>() - idle, idle))
			})
			.unwrap_or_default();
		let (mut node, mut broker) = (0, 0);
		for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
			let path = entry.path();
			let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
			match comm.trim() {
				"iotchain-node" => node += process_ticks(&path.join("stat")),
				"mosquitto" => broker += process_ticks(&path.join("stat")),
				_ => {},
			}
		}
		let this = process_ticks(std::path::Path::new("/proc/self/stat"));
		Self { busy, idle, node, broker, this }
	}

	fn since(&self, before: &Usage) -> Usage {
		Usage {
			busy: self.busy.saturating_sub(before.busy),
			idle: self.idle.saturating_sub(before.idle),
			node: self.node.saturating_sub(before.node),
			broker: self.broker.saturating_sub(before.broker),
			this: self.this.saturating_sub(before.this),
		}
	}

	fn print(&self) {
		let total = (self.busy + self.idle).max(1) as f64;
		let share = |ticks: u64| 100.0 * ticks as f64 / total;
		let seconds = |ticks: u64| ticks as f64 / 100.0;
		let other = self.busy.saturating_sub(self.node + self.broker + self.this);
		println!(
			"CPU over the run ({} cores' worth, {:.0} s): node {:.0} s ({:.0} %), broker (mosquitto) \
			 {:.0} s ({:.0} %), this process (gateway, publishers{}) {:.0} s ({:.0} %), other {:.0} s \
			 ({:.0} %), idle {:.0} s ({:.0} %)",
			std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
			seconds(self.busy + self.idle),
			seconds(self.node),
			share(self.node),
			seconds(self.broker),
			share(self.broker),
			if self.broker == 0 { ", embedded broker" } else { "" },
			seconds(self.this),
			share(self.this),
			seconds(other),
			share(other),
			seconds(self.idle),
			share(self.idle),
		);
	}
}

/// utime + stime of the process whose `stat` file is at `path`.
fn process_ticks(path: &std::path::Path) -> u64 {
	let stat = std::fs::read_to_string(path).unwrap_or_default();
	// After the command name (in parentheses, which may hold spaces): state is field 3, utime
	// and stime are fields 14 and 15.
	let Some((_, rest)) = stat.rsplit_once(')') else { return 0 };
	let fields: Vec<&str> = rest.split_whitespace().collect();
	let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
	ticks(11) + ticks(12)
}
