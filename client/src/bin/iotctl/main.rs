//! `iotctl`: the iotchain command-line tool for devices and their owners.

mod bench;
mod cli;
mod commands;
mod output;

use clap::Parser;
use iotchain_client::Error;
use std::process::ExitCode;

/// Exit code of a negative answer: not verified, not allowed.
pub const EXIT_NO: u8 = 1;
/// Exit code of bad input: a bad id, key file, proof file, data file.
pub const EXIT_INPUT: u8 = 2;
/// Exit code of a transaction the chain refused or that failed.
pub const EXIT_REFUSED: u8 = 3;
/// Exit code of an unreachable or failing node.
pub const EXIT_NODE: u8 = 4;

#[tokio::main]
async fn main() -> ExitCode {
	let cli = cli::Cli::parse();
	let json = cli.json;
	match commands::run(cli).await {
		Ok(code) => ExitCode::from(code),
		Err(error) => {
			let code = match &error {
				Error::Input(_) | Error::Key(_) | Error::State(_) => EXIT_INPUT,
				Error::Refused(_)
				| Error::Dispatch { .. }
				| Error::Failed(_)
				| Error::Anchor { .. }
				| Error::Gateway { .. } => EXIT_REFUSED,
				Error::Connect { .. } | Error::Node(_) => EXIT_NODE,
			};
			output::error(json, &error);
			ExitCode::from(code)
		},
	}
}
