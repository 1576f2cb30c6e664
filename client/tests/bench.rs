//! `iotctl bench`, the load benchmark, run as users run it: it starts its own `iotchain-node
//! --dev`, registers its devices, fills blocks with remarks and anchors, asks the node to verify
//! anchored readings, and prints its figures as JSON. The figures are checked for what the chain
//! guarantees (no block holds more than its weight allows; every transaction and request is
//! accounted for), not for speed: speed is `scripts/bench.sh`'s, recorded in
//! docs/performance.md. About two minutes (6 s blocks).
//!
//! Bad options and an unreachable node end with their exit codes.

use std::{
	process::{Command, Output, Stdio},
	sync::mpsc,
	time::Duration,
};

use iotchain_test_node::node_binary;
use serde_json::Value;

/// Bound on a whole `iotctl bench` run.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// Runs `iotctl` with `args`, killed if it has not ended within [`RUN_TIMEOUT`].
fn iotctl(args: &[&str]) -> Output {
	let child = Command::new(env!("CARGO_BIN_EXE_iotctl"))
		.args(args)
		.env("IOTCHAIN_NODE", node_binary())
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("iotctl starts");
	let pid = child.id();
	let (done, finished) = mpsc::channel();
	std::thread::spawn(move || {
		let _ = done.send(child.wait_with_output());
	});
	match finished.recv_timeout(RUN_TIMEOUT) {
		Ok(output) => output.expect("iotctl's output"),
		Err(_) => {
			let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
			panic!("iotctl {args:?} did not end within {RUN_TIMEOUT:?}");
		},
	}
}

fn phase<'a>(report: &'a Value, name: &str) -> &'a Value {
	report["phases"]
		.as_array()
		.and_then(|phases| phases.iter().find(|p| p["phase"] == name))
		.unwrap_or_else(|| panic!("no {name} phase in {report}"))
}

#[test]
fn bench_fills_blocks_within_their_weight_and_verifies_what_it_anchored() {
	let output = iotctl(&[
		"--json",
		"bench",
		"--phases",
		"remark,anchor,verify",
		"--blocks",
		"1",
		"--verify-clients",
		"4",
		"--verify-requests",
		"400",
	]);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "iotctl bench failed: {stderr}");
	let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");

	let devices = report["devices"].as_u64().expect("devices");
	let limit = report["limits"]["refTime"].as_u64().expect("the block's weight limit");
	for name in ["remark", "anchor"] {
		let phase = phase(&report, name);
		// Every transaction signed was included (the run waits for all of them, finalized).
		let transactions = phase["transactions"].as_u64().expect("transactions");
		assert!(
			transactions >= devices,
			"{name}: {transactions} transactions for {devices} devices"
		);
		let blocks = phase["blocks"].as_array().expect("measured blocks");
		assert!(!blocks.is_empty(), "{name}: no block measured");
		assert!(phase["predictedPerBlock"].as_u64().expect("predicted") > 0, "{name}: {phase}");
		for block in blocks {
			// The chain's limit holds: no block over its normal weight.
			assert!(block["refTime"].as_u64().expect("weight") <= limit, "{name}: {block}");
			assert!(block["transactions"].as_u64().expect("count") > 0, "{name}: {block}");
			// A node the benchmark started reports how it built the block.
			assert!(block["built"]["buildMs"].is_u64(), "{name}: {block}");
		}
		assert!(phase["perBlock"].as_f64().expect("per block") > 0.0, "{name}: {phase}");
		assert!(phase["perSecond"].as_f64().expect("per second") > 0.0, "{name}: {phase}");
		let inclusion = &phase["inclusionMs"];
		let finality = &phase["finalityMs"];
		assert!(inclusion["p50"].as_f64() <= inclusion["p99"].as_f64(), "{name}: {phase}");
		assert!(inclusion["p50"].as_f64() <= finality["p50"].as_f64(), "{name}: {phase}");
		assert!(phase["nodeRssMib"].as_f64().expect("the node's memory") > 0.0, "{name}");
	}

	let verify = &report["verify"];
	assert_eq!(verify["requests"], 400, "{verify}");
	assert_eq!(verify["clients"], 4, "{verify}");
	assert!(verify["perSecond"].as_f64().expect("requests per second") > 0.0, "{verify}");
	let ratio = report["ratios"]["anchorPerRemark"].as_f64().expect("anchor / remark");
	let expected = phase(&report, "anchor")["perBlock"].as_f64().expect("anchors per block")
		/ phase(&report, "remark")["perBlock"].as_f64().expect("remarks per block");
	assert!((ratio - expected).abs() < 1e-9, "{ratio} ≠ {expected}");
}

#[test]
fn bench_refuses_bad_phases_and_an_unreachable_node() {
	// The verify phase asks about readings of the anchor phase: without it, bad input (2).
	let output = iotctl(&["bench", "--phases", "remark,verify"]);
	assert_eq!(output.status.code(), Some(2));
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(stderr.contains("verify needs anchor before it"), "{stderr}");

	// An unknown phase: clap's usage error (2), naming the phases there are.
	let output = iotctl(&["bench", "--phases", "transfer"]);
	assert_eq!(output.status.code(), Some(2));
	assert!(String::from_utf8_lossy(&output.stderr).contains("remark"));

	// No node behind --url: unreachable (4).
	let output = iotctl(&["--url", "ws://127.0.0.1:9", "bench", "--external"]);
	assert_eq!(output.status.code(), Some(4));
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(stderr.contains("cannot reach the node"), "{stderr}");
}
