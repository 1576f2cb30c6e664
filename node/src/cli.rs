//! Command line of `iotchain-node`: the standard Substrate node commands.

use polkadot_sdk::sc_cli;

/// The iotchain node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// With `--dev`: seal a block every MS milliseconds and finalize it at once, instead of
	/// authoring in 6 s Aura slots finalized by GRANDPA. Same runtime and RPC; for tests and
	/// tinkering. Each block's timestamp is one slot after its parent's (or the wall clock, if
	/// later), so with blocks faster than slots the chain's clock runs ahead of the wall clock.
	#[arg(long, value_name = "MS", requires = "dev", value_parser = clap::value_parser!(u64).range(1..))]
	pub dev_block_time: Option<u64>,
}

/// Maintenance commands; without one, the node runs.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
	/// Key management CLI utilities.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (used by zombienet and for multi-validator networks).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification of a built-in chain or a spec file.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Print information about the database (best and finalized block).
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Benchmark the runtime's pallets, the database or blocks (only in a node built with
	/// `--features runtime-benchmarks`; see `scripts/benchmark-weights.sh`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(Box<polkadot_sdk::frame_benchmarking_cli::BenchmarkCmd>),
}
