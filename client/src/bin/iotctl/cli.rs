//! `iotctl`'s command line.

use clap::{Args, Parser, Subcommand};
use iotchain_client::keys::Scheme;
use std::path::PathBuf;

/// Talk to an iotchain node as a device or its owner: register devices, anchor fingerprints of
/// their data, verify readings, grant and revoke access.
///
/// Exit codes: 0 done (or verified / allowed), 1 not verified / not allowed, 2 bad input,
/// 3 refused by the chain, 4 node unreachable or failing.
#[derive(Parser, Debug)]
#[command(name = "iotctl", version, propagate_version = true)]
pub struct Cli {
	/// The node's WebSocket RPC endpoint.
	#[arg(long, global = true, env = "IOTCTL_URL", default_value = "ws://127.0.0.1:9944")]
	pub url: String,

	/// Print machine-readable JSON (one document per result) instead of text; no progress bars.
	#[arg(long, global = true)]
	pub json: bool,

	/// Wait until transactions are finalized, and read finalized state only.
	#[arg(long, global = true, conflicts_with = "no_wait")]
	pub finalized: bool,

	/// Submit transactions without waiting for a block.
	#[arg(long, global = true)]
	pub no_wait: bool,

	/// Where the per-stream sequence state of devices is kept.
	#[arg(long, global = true, env = "IOTCTL_STATE_DIR")]
	pub state_dir: Option<PathBuf>,

	#[command(subcommand)]
	pub command: Command,
}

// Parsed once per run.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
	/// Create and inspect key files.
	#[command(subcommand)]
	Key(KeyCommand),
	/// Register and manage devices.
	#[command(subcommand)]
	Device(DeviceCommand),
	/// Anchor the fingerprint of a reading (or, with a subcommand, a batch; the stream's head).
	Anchor(AnchorCommand),
	/// Check a reading against what the chain recorded: exit 0 if verified, 1 if not.
	Verify(VerifyArgs),
	/// Grant an account permissions on a device's data.
	Grant(GrantArgs),
	/// Revoke an account's grant on a device (and every grant it made).
	Revoke(RevokeArgs),
	/// Query access rights.
	#[command(subcommand)]
	Access(AccessCommand),
	/// Follow finalized blocks and print device, anchor and access events.
	Watch(WatchArgs),
	/// Fetch a raw reading from a gateway's HTTP API, as the signing account (it needs `Read`
	/// on the stream). Prints the reading; verify it with `verify --proof`.
	Fetch(FetchArgs),
	/// Send and receive encrypted device-to-device messages through the nodes' statement store.
	#[command(subcommand)]
	Msg(MsgCommand),
	/// Load benchmark: transactions the chain admits per block and per second for remarks
	/// (the baseline), anchors and batches, measured from its blocks, and `verifyReading`
	/// requests per second. Starts its own `iotchain-node --dev` unless --external. Exit 4 if
	/// the node stalls.
	Bench(BenchArgs),
}

/// What `iotctl bench` measures, and against which node.
#[derive(Args, Debug)]
pub struct BenchArgs {
	/// Benchmark the node at --url (it must author blocks, and its pool must hold a phase's
	/// transactions) instead of starting one.
	#[arg(long)]
	pub external: bool,
	/// The node binary to start (default: `iotchain-node` beside iotctl, else on PATH); not
	/// used with --external.
	#[arg(long, env = "IOTCHAIN_NODE")]
	pub node: Option<PathBuf>,
	/// With --external: the node's process id on this machine, to report its memory and CPU.
	#[arg(long, requires = "external")]
	pub node_pid: Option<u32>,
	/// The phases, in order (verify needs anchor before it).
	#[arg(long, value_delimiter = ',', default_value = "remark,anchor,batch,verify")]
	pub phases: Vec<PhaseArg>,
	/// Full blocks measured per transaction phase.
	#[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
	pub blocks: u32,
	/// Devices registered, the senders of every phase (default: 2.25 times what a block of the
	/// heaviest anchor phase holds; a device has one free anchor in the pool at a time).
	#[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
	pub devices: Option<u32>,
	/// Readings under each Merkle root of the batch phase.
	#[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..))]
	pub batch_readings: u32,
	/// Connections the transactions are submitted over.
	#[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=256))]
	pub connections: u64,
	/// Concurrent clients of the verify phase, each on its own connection.
	#[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
	pub verify_clients: u64,
	/// Requests of the verify phase, in all.
	#[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
	pub verify_requests: u64,
	/// The secret URI of the funded account that registers and funds the devices.
	#[arg(long, default_value = "//Alice")]
	pub owner: String,
	/// Seconds without a new block before the node counts as stalled.
	#[arg(long, default_value_t = 60)]
	pub stall_timeout: u64,
}

/// A phase of `iotctl bench`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseArg {
	/// `system.remark`, 32 bytes (the baseline).
	Remark,
	/// `anchors.anchor`, signed by the device.
	Anchor,
	/// `anchors.anchorBatch` of --batch-readings readings, signed by the device.
	Batch,
	/// `iotchain_verifyReading` requests for readings of the anchor phase.
	Verify,
}

#[derive(Subcommand, Debug)]
pub enum MsgCommand {
	/// Send a message, signed by a device's key (or its owner, with --from), encrypted to the
	/// recipient: a device's key-agreement key, or a reader's grantee key (the reader must hold
	/// `Read` on stream CHANNEL of the sending device).
	Send {
		#[command(flatten)]
		signer: SignerArgs,
		/// The recipient: a device id (0x-hex) or an account (SS58).
		#[arg(long)]
		to: String,
		/// The channel (for messages to a reader: the stream its grant covers).
		#[arg(long)]
		channel: u32,
		/// The device the message is from, when its owner signs (default: the signer's device).
		#[arg(long)]
		from: Option<String>,
		/// A file holding the message.
		#[arg(long, conflicts_with_all = ["stdin", "value"])]
		file: Option<PathBuf>,
		/// Read the message from standard input.
		#[arg(long, conflicts_with = "value")]
		stdin: bool,
		/// The message itself, as text.
		#[arg(long)]
		value: Option<String>,
		/// How long the nodes keep it, in seconds.
		#[arg(long, default_value_t = iotchain_client::messages::DEFAULT_TTL_SECS)]
		ttl: u32,
	},
	/// Print the messages to the signer (its device if it is a device's key, else its account)
	/// on a channel: decrypted, with senders checked against the chain. Refused statements are
	/// reported on standard error.
	Recv {
		#[command(flatten)]
		signer: SignerArgs,
		/// The channel.
		#[arg(long)]
		channel: u32,
		/// Keep printing messages as they arrive (until interrupted).
		#[arg(long)]
		follow: bool,
	},
}

/// Which reading, from which gateway.
#[derive(Args, Debug)]
pub struct FetchArgs {
	#[command(flatten)]
	pub signer: SignerArgs,
	/// The gateway's HTTP API, e.g. `http://127.0.0.1:8090`.
	#[arg(long)]
	pub gateway: String,
	#[command(flatten)]
	pub device: DeviceIdArg,
	#[arg(long)]
	pub stream: u32,
	#[arg(long)]
	pub seq: u64,
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
	/// Generate a new key; with `--out`, write it to a key file readable by you only.
	Generate {
		/// The signature scheme.
		#[arg(long, default_value = "sr25519")]
		scheme: Scheme,
		/// The key file to write (never overwritten).
		#[arg(long)]
		out: Option<PathBuf>,
		/// Also print the secret phrase.
		#[arg(long)]
		show_secret: bool,
	},
	/// Show a key file's scheme, public key and address.
	Inspect {
		/// The key file.
		file: PathBuf,
		/// Also print the secret phrase.
		#[arg(long)]
		show_secret: bool,
	},
}

/// The account that signs: a secret URI or a key file.
#[derive(Args, Debug, Clone)]
pub struct SignerArgs {
	/// Secret URI of the signing account: a mnemonic, a 0x seed, or a dev account like //Alice.
	#[arg(long, alias = "owner-suri", env = "IOTCTL_SURI", conflicts_with = "key")]
	pub suri: Option<String>,
	/// Scheme of `--suri`.
	#[arg(long = "suri-scheme", default_value = "sr25519")]
	pub suri_scheme: Scheme,
	/// Key file of the signing account.
	#[arg(long)]
	pub key: Option<PathBuf>,
}

/// A device, by id.
#[derive(Args, Debug, Clone)]
pub struct DeviceIdArg {
	/// The device id: 0x-hex of 32 bytes (`device register` and `key inspect` print it: it is
	/// derived from the device's first key).
	#[arg(long = "id", alias = "device")]
	pub id: String,
}

#[derive(Subcommand, Debug)]
pub enum DeviceCommand {
	/// Register a device to the signing owner; the device key proves possession. The device's
	/// id is derived from its key (printed, and shown by `key inspect`).
	Register {
		#[command(flatten)]
		signer: SignerArgs,
		/// The device's key file.
		#[arg(long)]
		device_key: PathBuf,
		/// Device model.
		#[arg(long, default_value = "")]
		model: String,
		/// Manufacturer.
		#[arg(long, default_value = "")]
		manufacturer: String,
		/// The manufacturer's serial number.
		#[arg(long, default_value = "")]
		serial: String,
		/// Your own label for it.
		#[arg(long, default_value = "")]
		label: String,
		/// Hash (0x-hex) of the firmware it runs.
		#[arg(long)]
		firmware: Option<String>,
	},
	/// Show a device's record.
	Show {
		#[command(flatten)]
		device: DeviceIdArg,
	},
	/// List the devices of an owner.
	List {
		/// The owner (SS58 or 0x-hex).
		#[arg(long)]
		owner: String,
		/// At most this many.
		#[arg(long, default_value_t = 100)]
		limit: u32,
		/// Continue after this device id (the last one of the previous page).
		#[arg(long)]
		start_after: Option<String>,
	},
	/// Replace a device's key with a new one (by the owner, or the device while active).
	Rotate {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
		/// The new key's file.
		#[arg(long)]
		new_key: PathBuf,
	},
	/// Offer a device to a new owner, who must accept.
	Transfer {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
		/// The new owner (SS58 or 0x-hex).
		#[arg(long)]
		to: String,
	},
	/// Accept a device offered to you.
	Accept {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
	},
	/// Withdraw an offer of a device.
	CancelTransfer {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
	},
	/// Pause a device: it cannot act until resumed.
	Suspend {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
	},
	/// Resume a suspended device.
	Resume {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
	},
	/// Report a device's key compromised: data anchored since then is marked suspect.
	Compromised {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
		/// The first block the key may have been misused in (default: the current block).
		#[arg(long)]
		since: Option<u32>,
	},
	/// Retire a device for good; its deposit is returned.
	Retire {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
	},
	/// Declare the firmware a device runs.
	Firmware {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
		/// The firmware hash (0x-hex).
		#[arg(long, required_unless_present = "image", conflicts_with = "image")]
		hash: Option<String>,
		/// The firmware image, hashed with blake2-256.
		#[arg(long)]
		image: Option<PathBuf>,
	},
	/// Declare (or clear) the X25519 key messages to a device are encrypted to. `device
	/// register` and `device rotate` declare the one derived from the device's key already.
	AgreementKey {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
		/// The device's key file: declare the key derived from it.
		#[arg(long, required_unless_present_any = ["public", "clear"], conflicts_with_all = ["public", "clear"])]
		device_key: Option<PathBuf>,
		/// The key itself (0x-hex of 32 bytes).
		#[arg(long, conflicts_with = "clear")]
		public: Option<String>,
		/// Clear it: nobody can send the device messages.
		#[arg(long)]
		clear: bool,
	},
	/// Declare who holds a device's key: a gateway that anchors for a key-less sensor, or the
	/// device itself. Verification reports it for every reading anchored from then on.
	Custody {
		#[command(flatten)]
		signer: SignerArgs,
		#[command(flatten)]
		device: DeviceIdArg,
		/// The gateway's account (SS58 or 0x-hex) that holds the key and anchors the readings.
		#[arg(long, required_unless_present = "own_key", conflicts_with = "own_key")]
		gateway: Option<String>,
		/// The device holds its own key and signs for itself (the default at registration).
		#[arg(long)]
		own_key: bool,
	},
}

/// Where a reading comes from.
#[derive(Debug, Clone, Default)]
pub struct DataArgs {
	/// A file holding the reading.
	pub file: Option<PathBuf>,
	/// Read the reading from standard input.
	pub stdin: bool,
	/// The reading itself, as text.
	pub value: Option<String>,
}

/// Who anchors: the device itself (`--device-key`), or its owner / a writer for `--device`.
#[derive(Args, Debug, Clone)]
pub struct AnchorerArgs {
	/// The device's key file: the device anchors its own data (free within its quota).
	#[arg(long, conflicts_with_all = ["suri", "key", "device"])]
	pub device_key: Option<PathBuf>,
	#[command(flatten)]
	pub signer: SignerArgs,
	/// The device, when the owner or a WRITE holder (e.g. a gateway) anchors for it.
	#[arg(long)]
	pub device: Option<String>,
	/// The stream.
	#[arg(long, required = true)]
	pub stream: Option<u32>,
	/// Where the data is kept (stored on chain with the anchor, at most 128 bytes).
	#[arg(long)]
	pub uri: Option<String>,
	/// Forget the local sequence state and continue from the chain's head.
	#[arg(long)]
	pub resync: bool,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AnchorCommand {
	#[command(subcommand)]
	pub batch_or_head: Option<AnchorSubcommand>,
	#[command(flatten)]
	pub one: AnchorOneArgs,
}

/// One reading, from exactly one of `--file`, `--stdin`, `--value`.
#[derive(Args, Debug)]
pub struct AnchorOneArgs {
	/// A file holding the reading.
	#[arg(long, conflicts_with_all = ["stdin", "value"])]
	pub file: Option<PathBuf>,
	/// Read the reading from standard input.
	#[arg(long, conflicts_with = "value")]
	pub stdin: bool,
	/// The reading itself, as text.
	#[arg(long)]
	pub value: Option<String>,
	#[command(flatten)]
	pub anchorer: AnchorerArgs,
}

impl AnchorOneArgs {
	/// Where the reading comes from.
	pub fn data(&self) -> DataArgs {
		DataArgs { file: self.file.clone(), stdin: self.stdin, value: self.value.clone() }
	}
}

#[derive(Subcommand, Debug)]
pub enum AnchorSubcommand {
	/// Anchor many readings as Merkle batches, writing a proof file per reading.
	Batch {
		#[command(flatten)]
		anchorer: AnchorerArgs,
		/// A directory: each file is one reading, in file-name order.
		#[arg(long, required_unless_present = "jsonl", conflicts_with = "jsonl")]
		dir: Option<PathBuf>,
		/// A JSON Lines file: each line is one reading.
		#[arg(long)]
		jsonl: Option<PathBuf>,
		/// Where to write the proof files (default: `<dir or jsonl>.proofs`).
		#[arg(long)]
		proofs: Option<PathBuf>,
	},
	/// Show the head of a device's stream.
	Head {
		#[command(flatten)]
		device: DeviceIdArg,
		/// The stream.
		#[arg(long)]
		stream: u32,
	},
}

/// Verify a reading: online, from the proof of its anchor that the node serves (checked here
/// against the node's last finalized block, then by the runtime); or offline, from a saved
/// proof file and a finalized block hash you trust, with no node at all.
#[derive(Args, Debug)]
pub struct VerifyArgs {
	/// The device (default: the proof file's).
	#[arg(long, required_unless_present_any = ["proof", "offline"])]
	pub device: Option<String>,
	/// The stream (default: the proof file's).
	#[arg(long, required_unless_present_any = ["proof", "offline"])]
	pub stream: Option<u32>,
	/// The reading's sequence number (default: the proof file's).
	#[arg(long, required_unless_present_any = ["proof", "offline"])]
	pub seq: Option<u64>,
	/// A file holding the reading.
	#[arg(long, group = "reading")]
	pub file: Option<PathBuf>,
	/// Read the reading from standard input.
	#[arg(long, group = "reading")]
	pub stdin: bool,
	/// The reading itself, as text.
	#[arg(long, group = "reading")]
	pub value: Option<String>,
	/// The reading's digest (0x-hex).
	#[arg(long, group = "reading")]
	pub digest: Option<String>,
	/// The Merkle proof file of a reading anchored in a batch (`iotctl anchor batch` writes it).
	#[arg(long, conflicts_with = "offline")]
	pub proof: Option<PathBuf>,
	/// Save the anchor proof (and the reading) to FILE, for `--offline` checks later.
	#[arg(long, value_name = "FILE", conflicts_with = "offline")]
	pub proof_out: Option<PathBuf>,
	/// Check a saved anchor proof file with no node (the reading defaults to the file's).
	#[arg(long, value_name = "FILE", requires = "trusted_block")]
	pub offline: Option<PathBuf>,
	/// With --offline: the hash of a finalized block you trust (from your node, Polkadot.js or
	/// a light client); the proof must be against exactly this block.
	#[arg(long, value_name = "HASH", requires = "offline")]
	pub trusted_block: Option<String>,
	/// Treat readings anchored while the device's key was reported compromised as not verified.
	#[arg(long, conflicts_with = "offline")]
	pub reject_suspect: bool,
}

#[derive(Args, Debug)]
pub struct GrantArgs {
	#[command(flatten)]
	pub signer: SignerArgs,
	/// The device.
	#[arg(long)]
	pub device: String,
	/// The account to grant to (SS58 or 0x-hex).
	#[arg(long)]
	pub to: String,
	/// Comma-separated permissions: read, write, manage.
	#[arg(long, value_delimiter = ',', required = true)]
	pub permissions: Vec<PermissionArg>,
	/// Only this stream (default: every stream).
	#[arg(long)]
	pub stream: Option<u32>,
	/// The block at which the grant expires.
	#[arg(long, conflicts_with = "expires_in")]
	pub expires_at: Option<u32>,
	/// Expire this many blocks from now.
	#[arg(long)]
	pub expires_in: Option<u32>,
	/// A 32-byte key (0x-hex) for the grantee to decrypt the data with, if it is encrypted.
	#[arg(long)]
	pub grantee_key: Option<String>,
}

#[derive(Args, Debug)]
pub struct RevokeArgs {
	#[command(flatten)]
	pub signer: SignerArgs,
	/// The device.
	#[arg(long)]
	pub device: String,
	/// The grantee (SS58 or 0x-hex).
	#[arg(long)]
	pub grantee: String,
}

#[derive(Subcommand, Debug)]
pub enum AccessCommand {
	/// May an account read, write or manage a device's stream? Exit 0 if so, 1 if not.
	Check {
		/// The device.
		#[arg(long)]
		device: String,
		/// The account (SS58 or 0x-hex).
		#[arg(long)]
		who: String,
		/// The stream.
		#[arg(long)]
		stream: u32,
		/// The permission.
		#[arg(long)]
		permission: PermissionArg,
	},
	/// The grants on a device, a page at a time (as `iotchain_grantsOf` gives them).
	List {
		/// The device.
		#[arg(long)]
		device: String,
		/// Continue after this grantee (the last of the previous page).
		#[arg(long)]
		start_after: Option<String>,
		/// At most this many grants.
		#[arg(long)]
		limit: Option<u32>,
	},
}

/// A permission on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PermissionArg {
	/// Read the device's data.
	Read,
	/// Anchor data for the device.
	Write,
	/// Grant and revoke on the owner's behalf, suspend and resume.
	Manage,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
	/// Only events of this device.
	#[arg(long)]
	pub device: Option<String>,
	/// Stop after this many finalized blocks.
	#[arg(long)]
	pub blocks: Option<u64>,
}
