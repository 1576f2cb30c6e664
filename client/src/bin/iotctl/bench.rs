//! `iotctl bench`: the load benchmark, its progress bars and its table.

use crate::cli::{BenchArgs, PhaseArg};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use iotchain_client::{
	bench::{
		self, LocalNode, NodeProbe, Observer, Options, Phase, PhaseReport, ProcessProbe, Report,
	},
	keys::{Key, Scheme},
	Error,
};
use std::{collections::BTreeMap, io::IsTerminal, path::PathBuf, sync::Mutex, time::Duration};

/// How long a node the benchmark starts may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(120);

pub async fn run(url: &str, json: bool, args: BenchArgs) -> Result<u8, Error> {
	let options = Options {
		phases: args
			.phases
			.iter()
			.map(|phase| match phase {
				PhaseArg::Remark => Phase::Remark,
				PhaseArg::Anchor => Phase::Anchor,
				PhaseArg::Batch => Phase::Batch,
				PhaseArg::Verify => Phase::Verify,
			})
			.collect(),
		blocks: args.blocks,
		devices: args.devices,
		batch_readings: args.batch_readings,
		connections: args.connections as usize,
		verify_clients: args.verify_clients as usize,
		verify_requests: args.verify_requests,
		owner: Key::from_suri(Scheme::Sr25519, &args.owner)?,
		stall_timeout: Duration::from_secs(args.stall_timeout.max(1)),
	};
	let verify_at = options.phases.iter().position(|p| *p == Phase::Verify);
	let anchor_at = options.phases.iter().position(|p| *p == Phase::Anchor);
	if verify_at.is_some_and(|v| anchor_at.is_none_or(|a| a > v)) {
		return Err(Error::Input("--phases: verify needs anchor before it".into()));
	}
	let bars = Bars::new(json);
	let report = if args.external {
		let probe: Box<dyn NodeProbe> = match args.node_pid {
			Some(pid) => Box::new(ProcessProbe::of(pid)),
			None => Box::new(()),
		};
		bench::run(url, &options, probe.as_ref(), &bars).await?
	} else {
		let binary = args.node.unwrap_or_else(node_binary);
		let node = LocalNode::start(&binary, START_TIMEOUT).await?;
		bench::run(node.url(), &options, &node.probe(), &bars).await?
	};
	if json {
		println!("{}", serde_json::to_string(&report).unwrap_or_default());
	} else {
		print!("{}", table(&report));
	}
	Ok(0)
}

/// `iotchain-node` beside this executable (as cargo builds them), else the one on PATH.
fn node_binary() -> PathBuf {
	std::env::current_exe()
		.ok()
		.and_then(|exe| Some(exe.parent()?.join("iotchain-node")))
		.filter(|path| path.is_file())
		.unwrap_or_else(|| PathBuf::from("iotchain-node"))
}

/// A progress bar per stage on standard error, when it is a terminal and JSON output is off.
struct Bars {
	visible: bool,
	current: Mutex<Option<ProgressBar>>,
}

impl Bars {
	fn new(json: bool) -> Self {
		Self { visible: !json && std::io::stderr().is_terminal(), current: Mutex::new(None) }
	}
}

impl Observer for Bars {
	fn start(&self, stage: &str, total: u64) {
		let bar = if self.visible {
			ProgressBar::new(total)
		} else {
			ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
		};
		if let Ok(style) =
			ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({elapsed})")
		{
			bar.set_style(style.progress_chars("=> "));
		}
		bar.set_message(stage.to_string());
		if let Ok(mut current) = self.current.lock() {
			*current = Some(bar);
		}
	}

	fn progress(&self, done: u64) {
		if let Ok(current) = self.current.lock() {
			if let Some(bar) = current.as_ref() {
				bar.set_position(done);
			}
		}
	}

	fn finish(&self) {
		if let Ok(mut current) = self.current.lock() {
			if let Some(bar) = current.take() {
				bar.finish_and_clear();
			}
		}
	}
}

/// The report as text: one row per phase, then the verify phase and the ratios.
fn table(report: &Report) -> String {
	let mut out = format!(
		"node: {} (spec {}); {} devices; a block holds {:.3} s of normal weight and {} bytes\n\n",
		report.node,
		report.spec_version,
		report.devices,
		report.limits.ref_time as f64 / 1e12,
		report.limits.length,
	);
	out.push_str(&format!(
		"{:<7} {:>9} {:>9} {:>9} {:>12} {:>7} {:>7} {:>15} {:>15} {:>9} {:>12} {:>8} {:>5}  {}\n",
		"phase",
		"per block",
		"predicted",
		"per s",
		"readings/s",
		"weight",
		"length",
		"incl. p50/p99",
		"final p50/p99",
		"build ms",
		"weight/build",
		"RSS MiB",
		"CPU",
		"proposer stopped"
	));
	for phase in &report.phases {
		out.push_str(&row(phase));
	}
	if let Some(verify) = &report.verify {
		out.push_str(&format!(
			"\nverify: {} requests from {} clients: {:.0} requests/s, latency p50 {:.2} ms, p99 {:.2} ms\n",
			verify.requests,
			verify.clients,
			verify.per_second,
			verify.latency_ms.p50,
			verify.latency_ms.p99
		));
	}
	let ratios = &report.ratios;
	if let Some(ratio) = ratios.anchor_per_remark {
		out.push_str(&format!("\nanchors per block / remarks per block: {ratio:.2}\n"));
	}
	if let Some(ratio) = ratios.batch_per_remark {
		out.push_str(&format!("batches per block / remarks per block: {ratio:.2}\n"));
	}
	if let Some(readings) = ratios.batch_readings_per_second {
		out.push_str(&format!("readings committed per second in batches: {readings:.0}\n"));
	}
	out
}

fn row(phase: &PhaseReport) -> String {
	let mut reasons = BTreeMap::<&str, usize>::new();
	let mut build_ms = Vec::new();
	for built in phase.blocks.iter().filter_map(|b| b.built.as_ref()) {
		*reasons.entry(built.end_reason.as_str()).or_default() += 1;
		build_ms.push(built.build_ms);
	}
	let reasons = if reasons.is_empty() {
		"-".to_string()
	} else {
		reasons.iter().map(|(r, n)| format!("{r} ×{n}")).collect::<Vec<_>>().join(", ")
	};
	let build = if build_ms.is_empty() {
		"-".to_string()
	} else {
		format!("{:.0}", build_ms.iter().sum::<u64>() as f64 / build_ms.len() as f64)
	};
	let opt = |v: Option<f64>, precision: usize| {
		v.map_or("-".to_string(), |v| format!("{v:.precision$}"))
	};
	format!(
		"{:<7} {:>9.0} {:>9} {:>9.0} {:>12.0} {:>6.0}% {:>6.0}% {:>15} {:>15} {:>9} {:>12} {:>8} {:>5}  {}\n",
		phase.phase.name(),
		phase.per_block,
		phase.predicted_per_block,
		phase.per_second,
		phase.readings_per_second,
		phase.weight_fullness * 100.0,
		phase.length_fullness * 100.0,
		format!("{:.0}/{:.0} ms", phase.inclusion_ms.p50, phase.inclusion_ms.p99),
		format!("{:.0}/{:.0} ms", phase.finality_ms.p50, phase.finality_ms.p99),
		build,
		opt(phase.weight_per_build_time, 2),
		opt(phase.node_rss_mib, 0),
		opt(phase.node_cpu_cores, 2),
		reasons
	)
}
