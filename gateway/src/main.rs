//! `iotchain-gateway`: anchors the readings of key-less sensors, received over MQTT, on
//! iotchain in Merkle batches, keeping every reading and its proof. See the README's gateway
//! section and `gateway/example.toml`.
//!
//!   iotchain-gateway run --config gateway.toml
//!   iotchain-gateway proof --config gateway.toml DEVICE STREAM SEQ   (a proof file for
//!                                                                    `iotctl verify --proof`)
//!   iotchain-gateway readings --config gateway.toml DEVICE STREAM    (the stored readings)

mod bridge;
mod chain;
mod config;
mod http;
mod metrics;
mod store;

use clap::{Parser, Subcommand};
use iotchain_client::gateway::ReadingView;
use polkadot_sdk::sp_core::H256;
use std::{path::PathBuf, process::ExitCode};

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
		Command::Run { config } => bridge::run(config::Config::read(&config)?).await,
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
