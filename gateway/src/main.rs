//! `iotchain-gateway`: anchors the readings of key-less sensors, received over MQTT, on
//! iotchain in Merkle batches, keeping every reading and its proof. See the README's gateway
//! section and `gateway/example.toml`.
//!
//!   iotchain-gateway run --config gateway.toml [--embedded-broker]
//!   iotchain-gateway proof --config gateway.toml DEVICE STREAM SEQ   (a proof file for
//!                                                                    `iotctl verify --proof`)
//!   iotchain-gateway readings --config gateway.toml DEVICE STREAM    (the stored readings)
//!   iotchain-gateway bench --config gateway.toml [--rate N --duration S] (readings/s, end to end)

mod bench;
mod bridge;
mod broker;
mod chain;
mod config;
mod http;
mod metrics;
mod store;

use clap::{Parser, Subcommand};
use iotchain_client::gateway::ReadingView;
use polkadot_sdk::sp_core::H256;
use std::{path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

/// What can go wrong, each with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// The configuration file is missing or wrong.
	#[error("configuration: {0}")]
	Config(String),
	/// The store cannot be read or written, or disagrees with the chain.
	#[error("store: {0}")]
	Store(String),
	/// What was asked for is not there (yet).
	#[error("{0}")]
	NotFound(String),
	/// The chain or the client library failed.
	#[error(transparent)]
	Client(#[from] iotchain_client::Error),
}

impl Error {
	fn exit_code(&self) -> u8 {
		match self {
			Error::Config(_) => 2,
			Error::NotFound(_) => 1,
			Error::Store(_) | Error::Client(_) => 3,
		}
	}
}

#[derive(Parser)]
#[command(name = "iotchain-gateway", version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Subscribe to the routed topics and anchor what arrives, until Ctrl-C.
	Run {
		#[arg(long)]
		config: PathBuf,
		/// Run an MQTT broker in this process, listening at `[broker]`'s host and port (for
		/// demos: its sessions live in memory).
		#[arg(long)]
		embedded_broker: bool,
	},
	/// Load the gateway of `--config` (run here) with MQTT readings and report readings/s from
	/// publish to anchored with proofs stored, against the broker's own throughput. Its routes'
	/// devices must hold the gateway's WRITE grant (`scripts/bench-gateway.sh` sets it all up).
	Bench {
		#[arg(long)]
		config: PathBuf,
		/// Run an MQTT broker in this process, as `run --embedded-broker` does.
		#[arg(long)]
		embedded_broker: bool,
		/// Readings per second offered.
		#[arg(long, default_value_t = 20_000)]
		rate: u64,
		/// Seconds of load.
		#[arg(long, default_value_t = 60)]
		duration: u64,
		/// MQTT connections publishing.
		#[arg(long, default_value_t = 4)]
		publishers: usize,
		/// Seconds the broker's baseline is measured.
		#[arg(long, default_value_t = 10)]
		baseline: u64,
		/// The longest wait, in seconds, for the last readings to be anchored.
		#[arg(long, default_value_t = 300)]
		drain_timeout: u64,
	},
	/// Print the proof file of an anchored reading (JSON, as `iotctl verify --proof` reads it).
	Proof {
		#[arg(long)]
		config: PathBuf,
		/// The device id (0x-hex).
		device: String,
		stream: u32,
		seq: u64,
	},
	/// Print a stream's stored readings, one JSON object per line: seq, topic, payload (as
	/// text, when it is UTF-8), payloadHex, receivedMs, digest and whether it is anchored yet.
	Readings {
		#[arg(long)]
		config: PathBuf,
		/// The device id (0x-hex).
		device: String,
		stream: u32,
	},
}

async fn run(cli: Cli) -> Result<(), Error> {
	match cli.command {
		Command::Run { config, embedded_broker } => {
			let config = config::Config::read(&config)?;
			if embedded_broker {
				broker::start(&config.broker)?;
			}
			let stop = async {
				let _ = tokio::signal::ctrl_c().await;
			};
			bridge::run(config, Arc::new(metrics::Metrics::new()), stop).await
		},
		Command::Bench {
			config,
			embedded_broker,
			rate,
			duration,
			publishers,
			baseline,
			drain_timeout,
		} => {
			let config = config::Config::read(&config)?;
			if embedded_broker {
				broker::start(&config.broker)?;
			}
			let options = bench::Options {
				duration: Duration::from_secs(duration),
				rate,
				publishers,
				baseline: Duration::from_secs(baseline),
				drain_timeout: Duration::from_secs(drain_timeout),
			};
			bench::run(config, options).await
		},
		Command::Proof { config, device, stream, seq } => {
			let config = config::Config::read(&config)?;
			let device = iotchain_client::data::parse_device_id(&device)?;
			let proof = store::Store::open(&config.store)?.proof(device, stream, seq)?;
			let json = serde_json::to_string_pretty(&proof)
				.map_err(|e| Error::Store(format!("proof file: {e}")))?;
			println!("{json}");
			Ok(())
		},
		Command::Readings { config, device, stream } => {
			let config = config::Config::read(&config)?;
			let device = iotchain_client::data::parse_device_id(&device)?;
			let store = store::Store::open(&config.store)?;
			let anchored_through =
				store.stream(device, stream)?.map(|r| r.anchored_through).unwrap_or_default();
			for (seq, reading) in store.readings(device, stream)? {
				let view = ReadingView::new(
					seq,
					reading.topic,
					&reading.payload,
					reading.received_ms,
					H256(reading.digest),
					seq <= anchored_through,
				);
				let line = serde_json::to_string(&view)
					.map_err(|e| Error::Store(format!("a reading: {e}")))?;
				println!("{line}");
			}
			Ok(())
		},
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "iotchain_gateway=info".into()),
		)
		.with_writer(std::io::stderr)
		.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
		.init();
	match run(Cli::parse()).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("iotchain-gateway: {error}");
			ExitCode::from(error.exit_code())
		},
	}
}
