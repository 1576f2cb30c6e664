//! A real `iotchain-node` for integration tests: started on ports it picks itself, talked to over
//! JSON-RPC like any client would, waited on with bounded waits, and stopped with SIGINT (the way
//! an operator's Ctrl-C does) or killed when a test fails before stopping it.
//!
//! Used by the node's smoke tests and by the SDK's tests against a dev chain.

use std::{
	fs,
	io::{BufRead, BufReader},
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	thread,
	time::{Duration, Instant},
};

use std::sync::atomic::{AtomicUsize, Ordering};

use codec::Decode;
use nix::{sys::signal, unistd::Pid};
use serde_json::{json, Value};

/// Bound on waiting for the node's RPC server or for the chain to reach a height.
pub const CHAIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Bound on waiting for the node to exit after SIGINT.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Numbers the logs of the nodes a test process starts.
static NEXT_LOG: AtomicUsize = AtomicUsize::new(0);

/// A free local TCP port.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("bind port 0").port()
}

/// The `iotchain-node` binary for tests outside the node crate: `$IOTCHAIN_NODE`, else the one
/// in the test's own target directory (`cargo build --release --workspace` builds it; so does
/// `cargo test --workspace`, for the node's tests).
pub fn node_binary() -> PathBuf {
	if let Some(path) = std::env::var_os("IOTCHAIN_NODE") {
		return path.into();
	}
	// A test runs as `<target>/<profile>/deps/<test>-<hash>`.
	let exe = std::env::current_exe().expect("the test's own path");
	let binary = exe
		.parent()
		.and_then(Path::parent)
		.map(|profile| profile.join("iotchain-node"))
		.expect("the test runs inside a target directory");
	assert!(
		binary.is_file(),
		"{} is missing: build it first (cargo build --release -p iotchain-node) or set IOTCHAIN_NODE",
		binary.display()
	);
	binary
}

/// Two nodes of one dev chain on p2p: node 1 authors (`--dev`: Aura and GRANDPA, Alice's
/// keys), node 2 is a full node of the `dev` chain with node 1 as its boot node. Each keeps its
/// data under `dir/node1` or `dir/node2` (so a test can search their files) and logs with
/// `-l log` when given. Both serve RPC on a port of their own.
pub fn start_pair(dir: &Path, log: &[&str]) -> (Node, Node) {
	let common = ["--no-telemetry", "--no-mdns", "--no-prometheus", "--rpc-port", "0"];
	let log: Vec<&str> = log.iter().flat_map(|targets| ["-l", targets]).collect();
	let p2p = free_port().to_string();
	let base1 = dir.join("node1");
	let mut args =
		vec!["--dev", "--port", &p2p, "--base-path", base1.to_str().expect("utf-8 path")];
	args.extend(common);
	args.extend(&log);
	let node1 = Node::spawn(&node_binary(), &args, dir);
	node1.wait_rpc_ready();

	let bootnode = format!("/ip4/127.0.0.1/tcp/{p2p}/p2p/{}", node1.peer_id());
	let base2 = dir.join("node2");
	let mut args = vec![
		"--chain",
		"dev",
		"--port",
		"0",
		"--rpc-methods",
		"unsafe",
		"--bootnodes",
		&bootnode,
		"--base-path",
		base2.to_str().expect("utf-8 path"),
	];
	args.extend(common);
	args.extend(&log);
	let node2 = Node::spawn(&node_binary(), &args, dir);
	node2.wait_rpc_ready();
	(node1, node2)
}

/// A running `iotchain-node`, killed on drop if a test fails before stopping it.
pub struct Node {
	child: Option<Child>,
	rpc_port: u16,
	log: PathBuf,
}

impl Node {
	/// Starts `binary --dev` with `extra` arguments; its log goes to `log_dir`. The node binds
	/// port 0 for RPC and p2p, so nodes started in parallel never collide. Prometheus is off
	/// unless `extra` asks for it.
	pub fn start(binary: &Path, extra: &[&str], log_dir: &Path) -> Node {
		let mut args =
			vec!["--dev", "--no-telemetry", "--no-mdns", "--rpc-port", "0", "--port", "0"];
		if !extra.iter().any(|arg| arg.starts_with("--prometheus-port")) {
			args.push("--no-prometheus");
		}
		args.extend(extra);
		Self::spawn(binary, &args, log_dir)
	}

	/// Starts `binary` with exactly `args` (which should include `--rpc-port 0`); its log goes to
	/// `log_dir`. The RPC port is read from the log, bounded by [`CHAIN_TIMEOUT`].
	pub fn spawn(binary: &Path, args: &[&str], log_dir: &Path) -> Node {
		let log = log_dir.join(format!("node-{}.log", NEXT_LOG.fetch_add(1, Ordering::Relaxed)));
		let log_file = fs::File::create(&log).expect("create node log");
		let child = Command::new(binary)
			.args(args)
			.stdout(Stdio::null())
			.stderr(log_file)
			.spawn()
			.unwrap_or_else(|e| panic!("spawn {}: {e}", binary.display()));
		let mut node = Node { child: Some(child), rpc_port: 0, log };
		let deadline = Instant::now() + CHAIN_TIMEOUT;
		loop {
			let log = node.log();
			let port = log
				.lines()
				.find_map(|line| line.split("Running JSON-RPC server: addr=").nth(1))
				.and_then(|addrs| addrs.split(',').next()?.trim().rsplit(':').next()?.parse().ok());
			if let Some(port) = port {
				node.rpc_port = port;
				break;
			}
			let exited = node.child.as_mut().and_then(|child| child.try_wait().ok().flatten());
			if let Some(status) = exited {
				panic!("{} exited with {status} before serving RPC:\n{log}", binary.display());
			}
			if Instant::now() > deadline {
				panic!("no RPC server after {CHAIN_TIMEOUT:?}\nnode log:\n{}", node.log_tail());
			}
			thread::sleep(Duration::from_millis(200));
		}
		node
	}

	/// The HTTP JSON-RPC endpoint.
	pub fn rpc_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.rpc_port)
	}

	/// The WebSocket endpoint (the same port), for subscriptions and SDK clients.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// Everything the node logged so far.
	pub fn log(&self) -> String {
		fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// The last lines the node logged, for failure messages.
	pub fn log_tail(&self) -> String {
		let lines: Vec<String> = fs::File::open(&self.log)
			.map(|f| BufReader::new(f).lines().map_while(Result::ok).collect())
			.unwrap_or_default();
		lines[lines.len().saturating_sub(30)..].join("\n")
	}

	/// Calls a JSON-RPC method; `Err` on transport or JSON-RPC errors.
	pub fn try_rpc(&self, method: &str, params: Value) -> Result<Value, String> {
		let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
		let mut response = ureq::post(&self.rpc_url())
			.header("Content-Type", "application/json")
			.send_json(&request)
			.map_err(|e| format!("{method}: {e}"))?;
		let mut body: Value =
			response.body_mut().read_json().map_err(|e| format!("{method}: {e}"))?;
		match body.get("error") {
			Some(error) => Err(format!("{method}: {error}")),
			None => Ok(body["result"].take()),
		}
	}

	/// Calls a JSON-RPC method; panics (with the node's log) on errors.
	pub fn rpc(&self, method: &str, params: Value) -> Value {
		self.try_rpc(method, params)
			.unwrap_or_else(|e| panic!("{e}\nnode log:\n{}", self.log_tail()))
	}

	/// Polls `check` every 500 ms until it returns `Some`, for at most `timeout`.
	pub fn wait_for<T>(
		&self,
		what: &str,
		timeout: Duration,
		mut check: impl FnMut() -> Option<T>,
	) -> T {
		let deadline = Instant::now() + timeout;
		loop {
			if let Some(value) = check() {
				return value;
			}
			if Instant::now() > deadline {
				panic!(
					"timed out after {timeout:?} waiting for {what}\nnode log:\n{}",
					self.log_tail()
				);
			}
			thread::sleep(Duration::from_millis(500));
		}
	}

	/// Waits until the node answers JSON-RPC.
	pub fn wait_rpc_ready(&self) {
		self.wait_for("the RPC server", CHAIN_TIMEOUT, || {
			self.try_rpc("system_health", json!([])).ok()
		});
	}

	fn header_number(header: &Value) -> u32 {
		let hex = header["number"].as_str().expect("header has a number");
		u32::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex block number")
	}

	/// The best block's number.
	pub fn best_number(&self) -> u32 {
		Self::header_number(&self.rpc("chain_getHeader", json!([])))
	}

	/// The finalized block's number and hash.
	pub fn finalized(&self) -> (u32, String) {
		let hash = self.rpc("chain_getFinalizedHead", json!([]));
		let header = self.rpc("chain_getHeader", json!([hash]));
		(Self::header_number(&header), hash.as_str().expect("hash is a string").to_owned())
	}

	/// Waits until best ≥ `best` and finalized ≥ `finalized`.
	pub fn wait_for_blocks(&self, best: u32, finalized: u32) {
		self.wait_for(
			&format!("best block ≥ {best} and finalized block ≥ {finalized}"),
			CHAIN_TIMEOUT,
			|| (self.best_number() >= best && self.finalized().0 >= finalized).then_some(()),
		)
	}

	/// Reads and decodes a storage value at `block` (`None`: the best block).
	pub fn storage<T: Decode>(&self, key: Vec<u8>, block: Option<&str>) -> Option<T> {
		let key = format!("0x{}", hex::encode(key));
		let value = self.rpc("state_getStorage", json!([key, block]));
		value.as_str().map(|v| {
			let bytes = hex::decode(v.trim_start_matches("0x")).expect("storage value is hex");
			T::decode(&mut &bytes[..]).expect("storage value decodes as the runtime's type")
		})
	}

	/// The node's libp2p identity, from its log.
	pub fn peer_id(&self) -> String {
		self.wait_for("the node's peer id", CHAIN_TIMEOUT, || {
			let log = self.log();
			let id = log.split("Local node identity is: ").nth(1)?.split_whitespace().next()?;
			Some(id.to_string())
		})
	}

	/// Kills the node with SIGKILL, a crash: no shutdown at all.
	pub fn kill(mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// Sends SIGINT and waits (bounded) for the node to exit; its exit status and its whole log.
	pub fn stop(mut self) -> (ExitStatus, String) {
		let mut child = self.child.take().expect("node is running");
		let pid = i32::try_from(child.id()).expect("pid fits an i32");
		signal::kill(Pid::from_raw(pid), signal::Signal::SIGINT).expect("SIGINT");
		let deadline = Instant::now() + STOP_TIMEOUT;
		loop {
			if let Some(status) = child.try_wait().expect("wait for node") {
				return (status, self.log());
			}
			if Instant::now() > deadline {
				let _ = child.kill();
				panic!("node did not exit within {STOP_TIMEOUT:?} of SIGINT\n{}", self.log_tail());
			}
			thread::sleep(Duration::from_millis(100));
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}
