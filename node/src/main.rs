//! The iotchain node: Aura block production, GRANDPA finality, ParityDB storage and JSON-RPC.

mod anchor_index;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	command::run()
}
