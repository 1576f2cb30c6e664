//! What each `iotctl` command does.

use crate::{
	cli::{
		AccessCommand, AnchorCommand, AnchorSubcommand, AnchorerArgs, Cli, Command, DataArgs,
		DeviceCommand, FetchArgs, GrantArgs, KeyCommand, MsgCommand, PermissionArg, RevokeArgs,
		SignerArgs, VerifyArgs, WatchArgs,
	},
	output, EXIT_NO,
};
use iotchain_client::{
	anchoring::{Anchorer, StreamWriter},
	chain::{Client, DeviceMetadata, View, Wait},
	data::{self, ProofFile},
	keys::{self, Key, KeyFile},
	messages::{Delivery, Inbox, Message, Recipient, SentBy},
	proof::{AnchorProofFile, OfflineFailure, ReadingClaim, Verification},
	runtime::{self, runtime_types},
	state::StateStore,
	Error,
};
use iotchain_primitives::{
	device_id_of, json::MerkleProofView, Custody, DeviceId, Permission, Seq, StreamId,
};
use polkadot_sdk::sp_core::H256;
use serde_json::json;
use std::{
	io::Read,
	path::{Path, PathBuf},
};
use subxt::{tx::Payload, utils::AccountId32};

/// Everything a command needs besides its own arguments.
struct Ctx {
	url: String,
	json: bool,
	wait: Wait,
	view: View,
	state: StateStore,
}

impl Ctx {
	async fn client(&self) -> Result<Client, Error> {
		Ok(Client::connect(&self.url).await?.with_view(self.view))
	}

	/// Submits `call` signed by `signer`, and prints what happened.
	async fn submit(
		&self,
		client: &Client,
		what: &str,
		call: &impl Payload,
		signer: &Key,
	) -> Result<iotchain_client::chain::Outcome, Error> {
		let outcome = client.submit(call, signer, self.wait).await?;
		self.print_outcome(what, &outcome);
		Ok(outcome)
	}

	/// Prints what became of a transaction.
	fn print_outcome(&self, what: &str, outcome: &iotchain_client::chain::Outcome) {
		output::print(
			self.json,
			|| output::outcome(what, outcome),
			serde_json::to_value(outcome).unwrap_or_default(),
		);
	}
}

/// Runs the command; the exit code on success (1 for a negative answer).
pub async fn run(cli: Cli) -> Result<u8, Error> {
	let ctx = Ctx {
		url: cli.url,
		json: cli.json,
		wait: if cli.no_wait {
			Wait::Submitted
		} else if cli.finalized {
			Wait::Finalized
		} else {
			Wait::InBlock
		},
		view: if cli.finalized { View::Finalized } else { View::Best },
		state: StateStore::new(cli.state_dir.unwrap_or_else(StateStore::default_dir)),
	};
	match cli.command {
		Command::Key(command) => key(&ctx, command),
		Command::Device(command) => device(&ctx, command).await,
		Command::Anchor(command) => anchor(&ctx, command).await,
		Command::Verify(args) => verify(&ctx, args).await,
		Command::Grant(args) => grant(&ctx, args).await,
		Command::Revoke(args) => revoke(&ctx, args).await,
		Command::Access(command) => access(&ctx, command).await,
		Command::Watch(args) => watch(&ctx, args).await,
		Command::Fetch(args) => fetch(&ctx, args).await,
		Command::Msg(command) => msg(&ctx, command).await,
		Command::Bench(args) => crate::bench::run(&ctx.url, ctx.json, args).await,
	}
}

async fn msg(ctx: &Ctx, command: MsgCommand) -> Result<u8, Error> {
	let client = ctx.client().await?;
	match command {
		MsgCommand::Send { signer, to, channel, from, file, stdin, value, ttl } => {
			let to = if to.starts_with("0x") {
				Recipient::Device(device_id(&to)?)
			} else {
				Recipient::Account(keys::parse_account(&to)?)
			};
			let from = from.as_deref().map(device_id).transpose()?;
			let data = DataArgs { file, stdin, value }.bytes()?;
			let sent = client.send_message(&signer.key()?, from, to, channel, &data, ttl).await?;
			output::print(
				ctx.json,
				|| {
					format!(
						"message {:?} sent from device {:?} ({})",
						sent.id, sent.from, sent.status
					)
				},
				json!(sent),
			);
		},
		MsgCommand::Recv { signer, channel, follow } => {
			let mut inbox = Inbox::open(&client, &signer.key()?, channel).await?;
			while let Some(delivery) = inbox.next().await? {
				match delivery {
					Delivery::Message(message) => print_message(ctx, &message),
					Delivery::Rejected { id, reason } => {
						if ctx.json {
							eprintln!("{}", json!({ "rejected": id, "reason": reason }));
						} else {
							eprintln!("skipped {id:?}: {reason}");
						}
					},
					Delivery::CaughtUp if !follow => break,
					Delivery::CaughtUp => {},
				}
			}
		},
	}
	Ok(0)
}

fn print_message(ctx: &Ctx, message: &Message) {
	let text = std::str::from_utf8(&message.data).ok();
	let mut doc = json!(message);
	doc["text"] = json!(text);
	doc["dataHex"] = json!(format!("0x{}", hex::encode(&message.data)));
	let who = match message.sent_by {
		SentBy::Device => "its key",
		SentBy::Owner => "its owner",
	};
	output::print(
		ctx.json,
		|| {
			format!(
				"{} from device {:?} (signed by {who}) on channel {}: {}",
				time(message.sent_at_ms),
				message.from,
				message.channel,
				text.map_or_else(|| format!("0x{}", hex::encode(&message.data)), String::from),
			)
		},
		doc,
	);
}

async fn fetch(ctx: &Ctx, args: FetchArgs) -> Result<u8, Error> {
	let key = args.signer.key()?;
	let device = device_id(&args.device.id)?;
	let reading =
		iotchain_client::gateway::fetch_reading(&args.gateway, &key, device, args.stream, args.seq)
			.await?;
	let text = format!(
		"reading {} of stream {} (topic {}, received at {}): {}",
		reading.seq,
		args.stream,
		reading.topic,
		time(reading.received_ms),
		reading.payload.as_deref().unwrap_or(&reading.payload_hex),
	);
	output::print(ctx.json, || text, json!(reading));
	Ok(0)
}

fn key(ctx: &Ctx, command: KeyCommand) -> Result<u8, Error> {
	let (file, key, show_secret) = match command {
		KeyCommand::Generate { scheme, out, show_secret } => {
			if out.is_none() && !show_secret {
				return Err(Error::Input(
					"nowhere to keep the secret: pass --out FILE (or --show-secret to print it)"
						.into(),
				));
			}
			let (key, phrase) = Key::generate(scheme);
			let file = KeyFile::new(&key, phrase);
			if let Some(out) = out {
				file.write(&out)?;
			}
			(file, key, show_secret)
		},
		KeyCommand::Inspect { file, show_secret } => {
			let (file, key) = KeyFile::read(&file)?;
			(file, key, show_secret)
		},
	};
	// The id the key's device is registered under when this is its first key.
	let device_id = device_id_of(&key.account_id().0);
	let mut doc = json!({
		"scheme": file.scheme,
		"publicKey": file.public_key,
		"address": file.address,
		"deviceId": format!("{device_id:?}"),
		"agreementKey": format!("0x{}", hex::encode(key.agreement_key())),
	});
	if show_secret {
		doc["secretUri"] = json!(file.secret_uri);
	}
	output::print(
		ctx.json,
		|| {
			let mut text = format!(
				"scheme:     {}\npublic key: {}\naddress:    {}\ndevice id:  {device_id:?}\n\
				 agreement:  0x{}",
				file.scheme,
				file.public_key,
				file.address,
				hex::encode(key.agreement_key()),
			);
			if show_secret {
				text.push_str(&format!("\nsecret:     {}", file.secret_uri));
			}
			text
		},
		doc,
	);
	Ok(0)
}

impl SignerArgs {
	fn key(&self) -> Result<Key, Error> {
		match (&self.suri, &self.key) {
			(Some(suri), _) => Key::from_suri(self.suri_scheme, suri),
			(None, Some(path)) => Ok(KeyFile::read(path)?.1),
			(None, None) => Err(Error::Input(
				"who signs? pass --suri SURI (or IOTCTL_SURI) or --key FILE".into(),
			)),
		}
	}
}

fn device_id(s: &str) -> Result<DeviceId, Error> {
	data::parse_device_id(s)
}

async fn device(ctx: &Ctx, command: DeviceCommand) -> Result<u8, Error> {
	let client = ctx.client().await?;
	let tx = runtime::tx().devices();
	match command {
		DeviceCommand::Register {
			signer,
			device_key,
			model,
			manufacturer,
			serial,
			label,
			firmware,
		} => {
			let owner = signer.key()?;
			let device_key = KeyFile::read(&device_key)?.1;
			let firmware = firmware.as_deref().map(data::parse_h256).transpose()?;
			let metadata = DeviceMetadata { model, manufacturer, serial, label };
			let (id, outcome) =
				client.register_device(&owner, &device_key, &metadata, firmware, ctx.wait).await?;
			ctx.print_outcome(&format!("device {id:?} registered"), &outcome);
		},
		DeviceCommand::Show { device } => {
			let id = device_id(&device.id)?;
			let Some(view) = client.device_view(id).await? else {
				return Err(Error::Input(format!("no device is registered under {id:?}")));
			};
			let doc = json!(view);
			output::print(
				ctx.json,
				|| serde_json::to_string_pretty(&doc).unwrap_or_default(),
				doc.clone(),
			);
		},
		DeviceCommand::List { owner, limit, start_after } => {
			let owner = keys::parse_account(&owner)?;
			let start_after = start_after.as_deref().map(device_id).transpose()?;
			let ids = client.devices_of(&owner, start_after, limit).await?;
			let ids: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
			output::print(ctx.json, || ids.join("\n"), json!(ids));
		},
		DeviceCommand::Rotate { signer, device, new_key } => {
			let new_key = KeyFile::read(&new_key)?.1;
			let outcome = client
				.rotate_device_key(&signer.key()?, device_id(&device.id)?, &new_key, ctx.wait)
				.await?;
			ctx.print_outcome("key rotated", &outcome);
		},
		DeviceCommand::Transfer { signer, device, to } => {
			let call = tx.transfer_ownership(device_id(&device.id)?, keys::parse_account(&to)?);
			ctx.submit(&client, "transfer offered", &call, &signer.key()?).await?;
		},
		DeviceCommand::Accept { signer, device } => {
			let call = tx.accept_ownership(device_id(&device.id)?);
			ctx.submit(&client, "ownership accepted", &call, &signer.key()?).await?;
		},
		DeviceCommand::CancelTransfer { signer, device } => {
			let call = tx.cancel_transfer(device_id(&device.id)?);
			ctx.submit(&client, "transfer cancelled", &call, &signer.key()?).await?;
		},
		DeviceCommand::Suspend { signer, device } => {
			let call = tx.suspend(device_id(&device.id)?);
			ctx.submit(&client, "device suspended", &call, &signer.key()?).await?;
		},
		DeviceCommand::Resume { signer, device } => {
			let call = tx.resume(device_id(&device.id)?);
			ctx.submit(&client, "device resumed", &call, &signer.key()?).await?;
		},
		DeviceCommand::Compromised { signer, device, since } => {
			let since = match since {
				Some(since) => since,
				None => u32::try_from(client.block_number().await?)
					.map_err(|_| Error::Node("block number beyond u32".into()))?,
			};
			let call = tx.report_compromised(device_id(&device.id)?, since);
			ctx.submit(&client, "compromise reported", &call, &signer.key()?).await?;
		},
		DeviceCommand::Retire { signer, device } => {
			let call = tx.retire(device_id(&device.id)?);
			ctx.submit(&client, "device retired", &call, &signer.key()?).await?;
		},
		DeviceCommand::Firmware { signer, device, hash, image } => {
			let firmware = match (hash, image) {
				(Some(hash), _) => data::parse_h256(&hash)?,
				(None, Some(image)) => data::digest(&read_file(&image)?),
				(None, None) => return Err(Error::Input("pass --hash or --image".into())),
			};
			let call = tx.set_firmware(device_id(&device.id)?, firmware);
			ctx.submit(&client, "firmware declared", &call, &signer.key()?).await?;
		},
		DeviceCommand::AgreementKey { signer, device, device_key, public, clear: _ } => {
			let key = match (device_key, public) {
				(Some(path), _) => Some(KeyFile::read(&path)?.1.agreement_key()),
				(None, Some(public)) => Some(data::parse_h256(&public)?.0),
				(None, None) => None,
			};
			let outcome = client
				.set_agreement_key(&signer.key()?, device_id(&device.id)?, key, ctx.wait)
				.await?;
			let what = if key.is_some() {
				"key-agreement key declared"
			} else {
				"key-agreement key cleared"
			};
			ctx.print_outcome(what, &outcome);
		},
		DeviceCommand::Custody { signer, device, gateway, own_key: _ } => {
			use runtime_types::iotchain_primitives::device::Custody as ChainCustody;
			let custody = match gateway {
				Some(gateway) => ChainCustody::Gateway { account: keys::parse_account(&gateway)? },
				None => ChainCustody::Device,
			};
			let call = tx.set_custody(device_id(&device.id)?, custody);
			ctx.submit(&client, "custody declared", &call, &signer.key()?).await?;
		},
	}
	Ok(0)
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
	std::fs::read(path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))
}

impl DataArgs {
	fn bytes(&self) -> Result<Vec<u8>, Error> {
		match (&self.file, self.stdin, &self.value) {
			(Some(path), _, _) => read_file(path),
			(None, true, _) => {
				let mut bytes = Vec::new();
				std::io::stdin()
					.read_to_end(&mut bytes)
					.map_err(|e| Error::Input(format!("standard input: {e}")))?;
				Ok(bytes)
			},
			(None, false, Some(value)) => Ok(value.as_bytes().to_vec()),
			(None, false, None) => Err(Error::Input("pass --file, --stdin or --value".into())),
		}
	}
}

impl AnchorerArgs {
	/// The writer of the stream the arguments name, from the local state (or the chain's head,
	/// with --resync or without a state).
	async fn writer(&self, ctx: &Ctx, client: Client) -> Result<StreamWriter, Error> {
		let stream = self.stream.ok_or_else(|| Error::Input("pass --stream".into()))?;
		let anchorer = match (&self.device_key, &self.device) {
			(Some(path), _) => Anchorer::device(&client, KeyFile::read(path)?.1).await?,
			(None, Some(device)) => Anchorer::on_behalf_of(device_id(device)?, self.signer.key()?),
			(None, None) => {
				return Err(Error::Input(
					"pass --device-key FILE, or --device ID with --suri/--key".into(),
				))
			},
		};
		let uri = self.uri.as_ref().map(|uri| uri.as_bytes().to_vec());
		let mut writer = StreamWriter::open(client, anchorer, stream, Some(ctx.state.clone()))
			.await?
			.with_wait(ctx.wait)
			.with_uri(uri)
			.await?;
		if self.resync {
			writer.resync().await?;
		}
		Ok(writer)
	}
}

async fn anchor(ctx: &Ctx, command: AnchorCommand) -> Result<u8, Error> {
	match (command.batch_or_head, command.one) {
		(Some(AnchorSubcommand::Batch { anchorer, dir, jsonl, proofs }), _) => {
			anchor_batch(ctx, anchorer, dir, jsonl, proofs).await
		},
		(Some(AnchorSubcommand::Head { device, stream }), _) => {
			let client = ctx.client().await?;
			let id = device_id(&device.id)?;
			let head = client.anchor_head(id, stream).await?;
			let doc = match &head {
				Some(h) => json!({
					"seq": h.seq, "head": format!("{:?}", h.head), "count": h.count,
					"lastBlock": h.last_block,
				}),
				None => json!(null),
			};
			output::print(
				ctx.json,
				|| match head {
					Some(h) => format!(
						"seq {} head {:?} ({} anchors, last in block {})",
						h.seq, h.head, h.count, h.last_block
					),
					None => "nothing anchored on this stream".into(),
				},
				doc,
			);
			Ok(0)
		},
		(None, one) => anchor_one(ctx, one.data(), one.anchorer).await,
	}
}

async fn anchor_one(ctx: &Ctx, data: DataArgs, args: AnchorerArgs) -> Result<u8, Error> {
	let digest = data::digest(&data.bytes()?);
	let mut writer = args.writer(ctx, ctx.client().await?).await?;
	let anchored = writer.anchor(digest).await?;
	let (seq, stream, head) = (anchored.seq, writer.stream(), anchored.head);
	output::print(
		ctx.json,
		|| {
			format!(
				"{}\nreading {seq} of stream {stream} anchored: digest {digest:?}, head {head:?}",
				output::outcome("anchor", &anchored.outcome),
			)
		},
		json!({
			"device": format!("{:?}", writer.device()),
			"stream": stream,
			"seq": seq,
			"digest": format!("{digest:?}"),
			"head": format!("{head:?}"),
			"outcome": anchored.outcome,
		}),
	);
	Ok(0)
}

async fn anchor_batch(
	ctx: &Ctx,
	args: AnchorerArgs,
	dir: Option<PathBuf>,
	jsonl: Option<PathBuf>,
	proofs: Option<PathBuf>,
) -> Result<u8, Error> {
	let (readings, source) = match (dir, jsonl) {
		(Some(dir), _) => {
			let count = std::fs::read_dir(&dir)
				.map_err(|e| Error::Input(format!("directory {}: {e}", dir.display())))?
				.count();
			let bar = output::progress(ctx.json, count as u64, "hashing");
			let readings = data::readings_of_dir(&dir, || bar.inc(1))?;
			bar.finish_and_clear();
			(readings, dir)
		},
		(None, Some(jsonl)) => (data::readings_of_jsonl(&jsonl)?, jsonl),
		(None, None) => return Err(Error::Input("pass --dir or --jsonl".into())),
	};
	if readings.is_empty() {
		return Err(Error::Input(format!("{} holds no readings", source.display())));
	}
	let proofs_dir = proofs.unwrap_or_else(|| {
		let mut name = source.file_name().unwrap_or_default().to_os_string();
		name.push(".proofs");
		source.with_file_name(name)
	});
	std::fs::create_dir_all(&proofs_dir)
		.map_err(|e| Error::Input(format!("{}: {e}", proofs_dir.display())))?;

	let mut writer = args.writer(ctx, ctx.client().await?).await?;
	let count = readings.len();
	let bar = output::progress(ctx.json, count as u64, "anchoring");
	let batches = writer
		.anchor_batch_with(readings, |anchored| {
			for proof in anchored.batch.proofs() {
				proof.write(&proofs_dir.join(format!("{}.proof.json", sanitize(&proof.source))))?;
			}
			bar.inc(u64::from(anchored.batch.count()));
			Ok(())
		})
		.await?;
	bar.finish_and_clear();
	let (stream, head) = (writer.stream(), writer.state().head);
	output::print(
		ctx.json,
		|| {
			format!(
				"{count} readings anchored in {} batch(es) on stream {stream}; head {head:?}; proofs in {}",
				batches.len(),
				proofs_dir.display()
			)
		},
		json!({
			"device": format!("{:?}", writer.device()),
			"stream": stream,
			"readings": count,
			"batches": batches.iter().map(|b| json!({
				"firstSeq": b.batch.first_seq,
				"count": b.batch.count(),
				"root": format!("{:?}", b.batch.root),
				"block": b.outcome.block.map(|b| format!("{b:?}")),
			})).collect::<Vec<_>>(),
			"head": format!("{head:?}"),
			"proofs": proofs_dir,
		}),
	);
	Ok(0)
}

/// A reading's source as a file name.
fn sanitize(source: &str) -> String {
	source
		.chars()
		.map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
		.collect()
}

/// The digest of the reading given by --file, --stdin, --value or --digest, if any.
fn reading_digest(args: &VerifyArgs) -> Result<Option<H256>, Error> {
	match (&args.file, args.stdin, &args.value, &args.digest) {
		(_, _, _, Some(digest)) => data::parse_h256(digest).map(Some),
		(None, false, None, None) => Ok(None),
		(file, stdin, value, None) => {
			let bytes = DataArgs { file: file.clone(), stdin, value: value.clone() }.bytes()?;
			Ok(Some(data::digest(&bytes)))
		},
	}
}

async fn verify(ctx: &Ctx, args: VerifyArgs) -> Result<u8, Error> {
	if let Some(path) = &args.offline {
		return verify_offline(ctx, &args, path);
	}
	let proof = args.proof.as_deref().map(ProofFile::read).transpose()?;
	let merkle_proof = proof.as_ref().map(ProofFile::merkle_proof).transpose()?;
	let device = match (&args.device, &proof) {
		(Some(device), _) => device_id(device)?,
		(None, Some(proof)) => proof.device,
		(None, None) => return Err(Error::Input("pass --device".into())),
	};
	let stream: StreamId = args
		.stream
		.or(proof.as_ref().map(|p| p.stream))
		.ok_or_else(|| Error::Input("pass --stream".into()))?;
	let seq: Seq = args
		.seq
		.or(proof.as_ref().map(|p| p.seq))
		.ok_or_else(|| Error::Input("pass --seq".into()))?;
	let digest = reading_digest(&args)?.ok_or_else(|| {
		Error::Input("pass the reading: --file, --stdin, --value or --digest".into())
	})?;
	let client = ctx.client().await?;
	let (verification, answer) =
		client.verify_reading(device, stream, seq, digest, merkle_proof.clone()).await?;
	if let (Some(path), Some(answer)) = (&args.proof_out, &answer) {
		let reading = ReadingClaim {
			seq,
			digest,
			batch_proof: merkle_proof.as_ref().map(MerkleProofView::from),
		};
		AnchorProofFile { reading, anchor_proof: answer.clone() }.write(path)?;
	}
	// The JSON is the verification's view (as `iotchain_verifyReading` gives it) and more.
	let mut doc = json!(verification);
	let (verified, text) = match verification {
		Verification::Anchored { block, timestamp, submitter, custody, suspect } => {
			doc["time"] = json!(time(timestamp));
			(
				!(suspect && args.reject_suspect),
				format!(
					"verified: reading {seq} of stream {stream} anchored in block {block} at {} by {}{}",
					time(timestamp),
					provenance(&device, &submitter, &custody),
					if suspect {
						"; SUSPECT: anchored while the device's key was reported compromised"
					} else {
						""
					}
				),
			)
		},
		Verification::NotAnchored => (
			false,
			format!(
				"not verified: nothing is anchored at seq {seq} of stream {stream} in a final block \
				 (an anchor in block N is provable once block N + 1 is final)"
			),
		),
		Verification::Mismatch => (
			false,
			format!(
				"not verified: seq {seq} of stream {stream} holds a different fingerprint \
				 (digest {digest:?}): the data was modified"
			),
		),
	};
	doc["digest"] = json!(format!("{digest:?}"));
	doc["verified"] = json!(verified);
	doc["anchor"] = json!(answer.as_ref().map(|answer| &answer.anchor));
	if let Some(answer) = &answer {
		doc["finalized"] = json!(answer.finalized);
		doc["finalizedHash"] = json!(format!("{:?}", answer.finalized_hash));
	}
	if let Some(path) = &args.proof_out {
		doc["proofOut"] = json!(answer.as_ref().map(|_| path.display().to_string()));
	}
	output::print(ctx.json, || text, doc);
	Ok(if verified { 0 } else { EXIT_NO })
}

/// `verify --offline FILE --trusted-block HASH`: no node.
fn verify_offline(ctx: &Ctx, args: &VerifyArgs, path: &Path) -> Result<u8, Error> {
	let trusted = args
		.trusted_block
		.as_deref()
		.ok_or_else(|| Error::Input("--offline needs --trusted-block HASH".into()))?;
	let trusted = data::parse_h256(trusted)?;
	let file = AnchorProofFile::read(path)?;
	let digest = reading_digest(args)?;
	let (seq, stream) = (file.reading.seq, file.anchor_proof.stream);
	let digest_shown = digest.unwrap_or(file.reading.digest);
	let (verified, doc, text) =
		match file.verify(&trusted, digest)? {
			Ok(proven) => (
				true,
				json!({
					"type": "anchored", "block": proven.block, "blockHash": format!("{:?}", proven.block_hash),
					"timestamp": proven.record.timestamp, "time": time(proven.record.timestamp),
					"submitter": keys::ss58(&proven.record.submitter), "custody": proven.record.custody,
					"finalized": proven.finalized,
				}),
				format!(
				"verified offline: reading {seq} of stream {stream} anchored in block {} at {} by \
				 {}, proven against trusted block {} ({trusted:?}); whether the key was reported \
				 compromised then needs the chain (verify online)",
				proven.block,
				time(proven.record.timestamp),
				provenance(&proven.record.device_id, &proven.record.submitter, &proven.record.custody),
				proven.finalized,
			),
			),
			Err(failure) => (
				false,
				json!({ "type": match failure {
				OfflineFailure::BadProof(_) => "badProof",
				OfflineFailure::OtherStream => "otherStream",
				OfflineFailure::Mismatch => "mismatch",
			}, "reason": failure.to_string() }),
				format!("not verified: {failure}"),
			),
		};
	let mut doc = doc;
	doc["digest"] = json!(format!("{digest_shown:?}"));
	doc["verified"] = json!(verified);
	output::print(ctx.json, || text, doc);
	Ok(if verified { 0 } else { EXIT_NO })
}

/// Who vouches for an anchored reading: the device itself, or the gateway that holds the key of
/// a key-less sensor.
fn provenance(
	device: &DeviceId,
	submitter: &AccountId32,
	custody: &Custody<AccountId32>,
) -> String {
	match custody {
		Custody::Device => format!("{} (the device holds its own key)", keys::ss58(submitter)),
		Custody::Gateway { account } if account == submitter => {
			format!("gateway {} on behalf of key-less sensor {device:?}", keys::ss58(account))
		},
		Custody::Gateway { account } => format!(
			"{} (the key-less sensor's readings come through gateway {})",
			keys::ss58(submitter),
			keys::ss58(account)
		),
	}
}

/// A block timestamp (milliseconds since the Unix epoch) as RFC 3339 UTC time.
fn time(timestamp: u64) -> String {
	i64::try_from(timestamp)
		.ok()
		.and_then(chrono::DateTime::from_timestamp_millis)
		.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
		.unwrap_or_else(|| format!("{timestamp} ms since the epoch"))
}

fn permission(arg: PermissionArg) -> Permission {
	match arg {
		PermissionArg::Read => Permission::Read,
		PermissionArg::Write => Permission::Write,
		PermissionArg::Manage => Permission::Manage,
	}
}

async fn grant(ctx: &Ctx, args: GrantArgs) -> Result<u8, Error> {
	let client = ctx.client().await?;
	let bits = args
		.permissions
		.iter()
		.fold(0u8, |bits, p| bits | iotchain_primitives::Permissions::of(permission(*p)).0);
	let expires_at = match (args.expires_at, args.expires_in) {
		(Some(at), _) => Some(at),
		(None, Some(blocks)) => {
			let now = u32::try_from(client.block_number().await?)
				.map_err(|_| Error::Node("block number beyond u32".into()))?;
			Some(
				now.checked_add(blocks)
					.ok_or_else(|| Error::Input("--expires-in overflows".into()))?,
			)
		},
		(None, None) => None,
	};
	let grantee_key =
		args.grantee_key.as_deref().map(|k| data::parse_h256(k).map(|h| h.0)).transpose()?;
	let call = runtime::tx().access().grant(
		device_id(&args.device)?,
		keys::parse_account(&args.to)?,
		runtime_types::iotchain_primitives::access::Permissions(bits),
		args.stream,
		expires_at,
		grantee_key,
	);
	ctx.submit(&client, "granted", &call, &args.signer.key()?).await?;
	Ok(0)
}

async fn revoke(ctx: &Ctx, args: RevokeArgs) -> Result<u8, Error> {
	let client = ctx.client().await?;
	let call = runtime::tx()
		.access()
		.revoke(device_id(&args.device)?, keys::parse_account(&args.grantee)?);
	ctx.submit(&client, "revoked", &call, &args.signer.key()?).await?;
	Ok(0)
}

async fn access(ctx: &Ctx, command: AccessCommand) -> Result<u8, Error> {
	let client = ctx.client().await?;
	match command {
		AccessCommand::Check { device, who, stream, permission: arg } => {
			let who: AccountId32 = keys::parse_account(&who)?;
			let decision =
				client.check_access(device_id(&device)?, &who, stream, permission(arg)).await?;
			let name = format!("{arg:?}").to_lowercase();
			output::print(
				ctx.json,
				|| match (decision.allowed, decision.expires_at) {
					(true, Some(at)) => format!("allowed: {name} until block {at}"),
					(true, None) => format!("allowed: {name}"),
					(false, _) => format!("denied: {name}"),
				},
				json!(decision),
			);
			Ok(if decision.allowed { 0 } else { EXIT_NO })
		},
		AccessCommand::List { device, start_after, limit } => {
			let start_after = start_after.as_deref().map(keys::parse_account).transpose()?;
			let grants = client.grants_of(device_id(&device)?, start_after.as_ref(), limit).await?;
			output::print(
				ctx.json,
				|| {
					grants
						.iter()
						.map(|g| {
							let names: Vec<&str> = [(1, "read"), (2, "write"), (4, "manage")]
								.into_iter()
								.filter(|(bit, _)| g.permissions & bit != 0)
								.map(|(_, name)| name)
								.collect();
							format!(
								"{} {} on {} {}",
								keys::ss58(&g.grantee),
								names.join("+"),
								g.stream.map_or("every stream".into(), |s| format!("stream {s}")),
								g.expires_at.map_or("without expiry".into(), |at| format!(
									"until block {at}"
								)),
							)
						})
						.collect::<Vec<_>>()
						.join("\n")
				},
				json!(grants),
			);
			Ok(0)
		},
	}
}

async fn watch(ctx: &Ctx, args: WatchArgs) -> Result<u8, Error> {
	let device = args.device.as_deref().map(device_id).transpose()?.map(|d| format!("{d:?}"));
	let client = ctx.client().await?;
	let mut seen = 0u64;
	client
		.watch(
			// On standard error, so that the events alone are on standard output.
			|from| eprintln!("following finalized blocks from #{from}"),
			|number, events| {
			for event in events {
				if device.as_ref().is_some_and(|d| event.fields.get("device_id") != Some(&json!(d))) {
					continue;
				}
				output::print(
					ctx.json,
					|| format!("#{number} {}.{} {}", event.pallet, event.name, event.fields),
					json!({ "block": number, "pallet": event.pallet, "event": event.name, "fields": event.fields }),
				);
			}
			seen += 1;
			args.blocks.is_none_or(|blocks| seen < blocks)
		},
		)
		.await?;
	Ok(0)
}
