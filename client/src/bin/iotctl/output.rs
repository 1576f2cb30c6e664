//! Human or JSON output, and progress bars on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use iotchain_client::{anchoring::Refusal, chain::Outcome, Error};
use std::io::IsTerminal;

/// Prints a result: `human` as text, or `json` as one JSON document.
pub fn print(json_mode: bool, human: impl FnOnce() -> String, json: serde_json::Value) {
	if json_mode {
		println!("{json}");
	} else {
		println!("{}", human());
	}
}

/// Prints a failure to standard error (as `{"error": …}` in JSON mode).
pub fn error(json_mode: bool, error: &Error) {
	// What to do about it, when iotctl has an option for it.
	let hint = match error {
		Error::Anchor { refusal: Refusal::StaleSequence { .. }, .. } => {
			Some("run again with --resync to continue from the chain's head")
		},
		_ => None,
	};
	if json_mode {
		let mut doc = serde_json::json!({ "error": error.to_string() });
		let dispatch = match error {
			Error::Anchor { chain, .. } => chain.as_ref(),
			error => error,
		};
		if let Error::Dispatch { pallet, error, .. } = dispatch {
			doc["dispatchError"] = serde_json::json!(format!("{pallet}.{error}"));
		}
		if let Some(hint) = hint {
			doc["hint"] = serde_json::json!(hint);
		}
		eprintln!("{doc}");
	} else {
		eprintln!("error: {error}");
		if let Some(hint) = hint {
			eprintln!("hint: {hint}");
		}
	}
}

/// A transaction's outcome as text: where it landed and what it emitted.
pub fn outcome(what: &str, outcome: &Outcome) -> String {
	let mut text = match outcome.block {
		Some(block) => format!("{what}: included in block {block:?}"),
		None => format!("{what}: submitted as {:?}", outcome.extrinsic),
	};
	for event in &outcome.events {
		if matches!(event.pallet.as_str(), "Devices" | "Anchors" | "Access") {
			text.push_str(&format!("\n  {}.{} {}", event.pallet, event.name, event.fields));
		}
	}
	text
}

/// A progress bar of `len` steps, drawn on standard error when it is a terminal and JSON output
/// is off; hidden otherwise.
pub fn progress(json_mode: bool, len: u64, message: &'static str) -> ProgressBar {
	if json_mode || !std::io::stderr().is_terminal() {
		return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
	}
	let bar = ProgressBar::new(len).with_message(message);
	if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})") {
		bar.set_style(style.progress_chars("=> "));
	}
	bar
}
