//! What each `iotctl` command does.

use crate::{
	cli::{
		AccessCommand, AnchorCommand, AnchorSubcommand, AnchorerArgs, Cli, Command, DataArgs,
		DeviceCommand, GrantArgs, KeyCommand, PermissionArg, RevokeArgs, SignerArgs, VerifyArgs,
		WatchArgs,
	},
	output, EXIT_NO,
};
use iotchain_client::{
	chain::{Client, DeviceInfo, View, Wait},
	data::{self, Batch, ProofFile, Reading},
	keys::{self, Key, KeyFile},
	proof::{AnchorProofFile, BatchProofJson, OfflineFailure, ReadingClaim, Verification},
	runtime::{self, runtime_types, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	state::{StateStore, StreamState},
	Error,
};
use iotchain_primitives::{device_id_of, DeviceId, Permission, Seq, StreamId};
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
		output::print(
			self.json,
			|| output::outcome(what, &outcome),
			serde_json::to_value(&outcome).unwrap_or_default(),
		);
		Ok(outcome)
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
	}
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
	});
	if show_secret {
		doc["secretUri"] = json!(file.secret_uri);
	}
	output::print(
		ctx.json,
		|| {
			let mut text = format!(
				"scheme:     {}\npublic key: {}\naddress:    {}\ndevice id:  {device_id:?}",
				file.scheme, file.public_key, file.address
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

/// The bytes of `text` for a call argument bounded to `max` bytes; `what` names it in the error.
fn bounded(what: &str, text: &str, max: u32) -> Result<Vec<u8>, Error> {
	if text.len() > max as usize {
		return Err(Error::Input(format!(
			"{what} is {} bytes long; at most {max} are allowed",
			text.len()
		)));
	}
	Ok(text.as_bytes().to_vec())
}

async fn metadata(
	client: &Client,
	model: &str,
	manufacturer: &str,
	serial: &str,
	label: &str,
) -> Result<runtime_types::pallet_devices::types::DeviceMetadata, Error> {
	let max = client.constant(runtime::constants().devices().string_limit()).await?;
	Ok(runtime_types::pallet_devices::types::DeviceMetadata {
		model: BoundedVec(bounded("--model", model, max)?),
		manufacturer: BoundedVec(bounded("--manufacturer", manufacturer, max)?),
		serial: BoundedVec(bounded("--serial", serial, max)?),
		label: BoundedVec(bounded("--label", label, max)?),
	})
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
			let id = device_id_of(&device_key.account_id().0);
			let firmware = firmware.as_deref().map(data::parse_h256).transpose()?;
			let metadata = metadata(&client, &model, &manufacturer, &serial, &label).await?;
			let proof = client.registration_proof(&owner.account_id(), &device_key);
			let call = tx.register(device_key.account_id(), proof, metadata, firmware);
			ctx.submit(&client, &format!("device {id:?} registered"), &call, &owner).await?;
		},
		DeviceCommand::Show { device } => {
			let id = device_id(&device.id)?;
			let Some(info) = client.device(id).await? else {
				return Err(Error::Input(format!("no device is registered under {id:?}")));
			};
			let doc = device_json(id, &info);
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
			let signer = signer.key()?;
			let id = device_id(&device.id)?;
			let new_key = KeyFile::read(&new_key)?.1;
			let Some(info) = client.device(id).await? else {
				return Err(Error::Input(format!("no device is registered under {id:?}")));
			};
			let proof = client.rotation_proof(id, &info.key, &new_key);
			let call = tx.rotate_key(id, new_key.account_id(), proof);
			ctx.submit(&client, "key rotated", &call, &signer).await?;
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
	}
	Ok(0)
}

fn device_json(id: DeviceId, info: &DeviceInfo) -> serde_json::Value {
	use runtime_types::iotchain_primitives::device::DeviceStatus;
	let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
	let status = match &info.status {
		DeviceStatus::Active => json!("active"),
		DeviceStatus::Suspended { by } => json!({ "suspended": { "by": suspended_by(by) } }),
		DeviceStatus::Compromised { since } => json!({ "compromised": { "since": since } }),
		DeviceStatus::Retired => json!("retired"),
	};
	json!({
		"id": format!("{id:?}"),
		"owner": keys::ss58(&info.owner),
		"key": keys::ss58(&info.key),
		"status": status,
		"model": text(&info.metadata.model.0),
		"manufacturer": text(&info.metadata.manufacturer.0),
		"serial": text(&info.metadata.serial.0),
		"label": text(&info.metadata.label.0),
		"firmware": info.firmware.map(|f| format!("{f:?}")),
		"registeredAt": info.registered_at,
		"ownerSince": info.owner_since,
		"deposit": info.deposit.to_string(),
		"transferOffer": info.transfer_offer.as_ref().map(|offer| json!({
			"to": keys::ss58(&offer.to),
			"expiresAt": offer.expires_at,
		})),
		"compromises": info.compromises.0.iter()
			.map(|w| json!({ "since": w.since, "until": w.until }))
			.collect::<Vec<_>>(),
	})
}

fn suspended_by(by: &runtime_types::iotchain_primitives::device::SuspendedBy) -> &'static str {
	use runtime_types::iotchain_primitives::device::SuspendedBy;
	match by {
		SuspendedBy::Owner => "owner",
		SuspendedBy::Manager => "manager",
		SuspendedBy::Transfer => "transfer",
	}
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

/// Who anchors, and for which device.
struct Anchorer {
	signer: Key,
	device: DeviceId,
	/// Whether the signer is the device itself (`anchors.anchor`) rather than its owner or a
	/// writer (`anchors.anchorFor`).
	is_device: bool,
}

impl AnchorerArgs {
	async fn resolve(&self, client: &Client) -> Result<Anchorer, Error> {
		if let Some(path) = &self.device_key {
			let signer = KeyFile::read(path)?.1;
			let device = client.device_by_key(&signer.account_id()).await?.ok_or_else(|| {
				Error::Input(format!(
					"{} is not the key of any registered device",
					keys::ss58(&signer.account_id())
				))
			})?;
			return Ok(Anchorer { signer, device, is_device: true });
		}
		let device = self.device.as_deref().ok_or_else(|| {
			Error::Input("pass --device-key FILE, or --device ID with --suri/--key".into())
		})?;
		Ok(Anchorer { signer: self.signer.key()?, device: device_id(device)?, is_device: false })
	}

	fn stream(&self) -> Result<StreamId, Error> {
		self.stream.ok_or_else(|| Error::Input("pass --stream".into()))
	}

	/// The `--uri`'s bytes, checked against the chain's `MaxUriLen`.
	async fn uri(&self, client: &Client) -> Result<Option<Vec<u8>>, Error> {
		let Some(uri) = &self.uri else { return Ok(None) };
		let max = client.constant(runtime::constants().anchors().max_uri_len()).await?;
		bounded("--uri", uri, max).map(Some)
	}

	/// The stream's state: the local file, or the chain's head when there is none (or when
	/// asked to resync).
	async fn stream_state(
		&self,
		ctx: &Ctx,
		client: &Client,
		device: &DeviceId,
	) -> Result<StreamState, Error> {
		if !self.resync {
			if let Some(state) = ctx.state.load(device, self.stream()?)? {
				return Ok(state);
			}
		}
		Ok(match client.anchor_head(*device, self.stream()?).await? {
			Some(head) => StreamState { last_seq: head.seq, head: head.head },
			None => StreamState::default(),
		})
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
	let stream = args.stream()?;
	let client = ctx.client().await?;
	let anchorer = args.resolve(&client).await?;
	let state = args.stream_state(ctx, &client, &anchorer.device).await?;
	let seq = state.next_seq()?;
	let uri = args.uri(&client).await?.map(BoundedVec);
	let outcome = if anchorer.is_device {
		let call = runtime::tx().anchors().anchor(stream, seq, digest, uri);
		submit_anchor(ctx, ctx.wait, &client, &call, &anchorer, stream, seq).await?
	} else {
		let call = runtime::tx().anchors().anchor_for(anchorer.device, stream, seq, digest, uri);
		submit_anchor(ctx, ctx.wait, &client, &call, &anchorer, stream, seq).await?
	};
	let state = state.advance(seq, &digest, seq);
	ctx.state.save(&anchorer.device, stream, &state)?;
	output::print(
		ctx.json,
		|| {
			format!(
				"{}\nreading {seq} of stream {} anchored: digest {digest:?}, head {:?}",
				output::outcome("anchor", &outcome),
				stream,
				state.head
			)
		},
		json!({
			"device": format!("{:?}", anchorer.device),
			"stream": stream,
			"seq": seq,
			"digest": format!("{digest:?}"),
			"head": format!("{:?}", state.head),
			"outcome": outcome,
		}),
	);
	Ok(0)
}

/// Submits an anchoring call of `stream` from `seq`. If the chain refuses it, the error says why
/// when it can tell: the device is not active, or the stream's head is already at or past `seq`
/// (the local state is stale: another tool anchored, or the state file was restored from a
/// backup) and how to recover. A device's own free anchors are refused before inclusion, so
/// these come as "cannot pay fees" from the pool rather than as pallet errors.
async fn submit_anchor(
	ctx: &Ctx,
	wait: Wait,
	client: &Client,
	call: &impl Payload,
	anchorer: &Anchorer,
	stream: StreamId,
	seq: Seq,
) -> Result<iotchain_client::chain::Outcome, Error> {
	let error = match client.submit(call, &anchorer.signer, wait).await {
		Ok(outcome) => return Ok(outcome),
		Err(error) if error.is_refusal() => error,
		Err(error) => return Err(error),
	};
	use runtime_types::iotchain_primitives::device::{DeviceStatus, SuspendedBy};
	let status = match client.device(anchorer.device).await {
		Ok(Some(info)) => info.status,
		Ok(None) => DeviceStatus::Retired,
		Err(_) => return Err(error),
	};
	let not_active = match status {
		DeviceStatus::Active => None,
		DeviceStatus::Suspended { by: SuspendedBy::Transfer } => {
			Some("suspended since it changed hands: its owner must rotate its key or resume it")
		},
		DeviceStatus::Suspended { by: SuspendedBy::Owner } => {
			Some("suspended by its owner, who must resume it first")
		},
		DeviceStatus::Suspended { by: SuspendedBy::Manager } => {
			Some("suspended by a manager: its owner or a manager must resume it first")
		},
		DeviceStatus::Compromised { .. } => {
			Some("reported compromised: its owner must rotate its key first")
		},
		DeviceStatus::Retired => Some("not registered (or retired)"),
	};
	if let Some(why) = not_active {
		return Err(match error {
			Error::Refused(reason) => Error::Refused(format!("{reason}; the device is {why}")),
			other => other,
		});
	}
	let chain_seq = match client.anchor_head(anchorer.device, stream).await {
		Ok(Some(head)) if head.seq >= seq => head.seq,
		_ => {
			return Err(match error {
				// The pool holds one free anchor per device (see pallet-anchors' docs).
				Error::Refused(reason)
					if anchorer.is_device && reason.to_lowercase().contains("priority") =>
				{
					Error::Refused(format!(
						"{reason}; the device already has a free anchor waiting in the pool: \
						 submit the next one when that one is in a block"
					))
				},
				other => other,
			});
		},
	};
	let hint = format!(
		"seq {seq} from the local state in {} is stale: the chain's head of stream {stream} is at \
		 seq {chain_seq}; run again with --resync to continue from there",
		ctx.state.dir().display()
	);
	Err(match error {
		Error::Dispatch { pallet, error, docs } => {
			Error::Dispatch { pallet, error, docs: format!("{docs} ({hint})") }
		},
		Error::Refused(reason) => Error::Refused(format!("{reason}; {hint}")),
		other => other,
	})
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

	let stream = args.stream()?;
	let client = ctx.client().await?;
	let anchorer = args.resolve(&client).await?;
	let max = client.constant(runtime::constants().anchors().max_batch_size()).await?;
	let mut state = args.stream_state(ctx, &client, &anchorer.device).await?;
	let chunks: Vec<Vec<Reading>> =
		readings.chunks(max.max(1) as usize).map(<[Reading]>::to_vec).collect();
	let bar = output::progress(ctx.json, readings.len() as u64, "anchoring");
	let uri = args.uri(&client).await?;
	let mut batches = Vec::new();
	let last_chunk = chunks.len().saturating_sub(1);
	for (index, chunk) in chunks.into_iter().enumerate() {
		let first_seq = state.next_seq()?;
		let batch = Batch::new(anchorer.device, stream, first_seq, chunk)
			.ok_or_else(|| Error::Input("an empty batch".into()))?;
		// A device anchoring its own batch names no device; the owner or a writer does.
		let device = (!anchorer.is_device).then_some(anchorer.device);
		let call = runtime::tx().anchors().anchor_batch(
			device,
			stream,
			first_seq,
			batch.count(),
			batch.root,
			uri.clone().map(BoundedVec),
		);
		// A device has one free anchor waiting in the pool at a time: every chunk but the last
		// waits for its block even with --no-wait.
		let wait = match ctx.wait {
			Wait::Submitted if anchorer.is_device && index < last_chunk => Wait::InBlock,
			wait => wait,
		};
		let outcome =
			submit_anchor(ctx, wait, &client, &call, &anchorer, stream, first_seq).await?;
		state = state.advance(first_seq, &batch.root, batch.last_seq());
		ctx.state.save(&anchorer.device, stream, &state)?;
		for proof in batch.proofs() {
			let file = proofs_dir.join(format!("{}.proof.json", sanitize(&proof.source)));
			proof.write(&file)?;
		}
		bar.inc(u64::from(batch.count()));
		batches.push(json!({
			"firstSeq": first_seq,
			"count": batch.count(),
			"root": format!("{:?}", batch.root),
			"block": outcome.block.map(|b| format!("{b:?}")),
		}));
	}
	bar.finish_and_clear();
	let count = readings.len();
	output::print(
		ctx.json,
		|| {
			format!(
				"{count} readings anchored in {} batch(es) on stream {}; head {:?}; proofs in {}",
				batches.len(),
				stream,
				state.head,
				proofs_dir.display()
			)
		},
		json!({
			"device": format!("{:?}", anchorer.device),
			"stream": stream,
			"readings": count,
			"batches": batches,
			"head": format!("{:?}", state.head),
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
	let merkle_proof = match &proof {
		Some(file) => Some(file.merkle_proof().ok_or_else(|| {
			Error::Input(format!(
				"the proof file holds more than {} sibling hashes",
				iotchain_primitives::MAX_MERKLE_PROOF_ITEMS
			))
		})?),
		None => None,
	};
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
			batch_proof: merkle_proof.as_ref().map(BatchProofJson::from),
		};
		AnchorProofFile { reading, anchor_proof: answer.clone() }.write(path)?;
	}
	let (verified, doc, text) = match verification {
		Verification::Anchored { block, timestamp, submitter, suspect } => (
			!(suspect && args.reject_suspect),
			json!({
				"result": "anchored", "block": block, "timestamp": timestamp, "time": time(timestamp),
				"submitter": keys::ss58(&submitter), "suspect": suspect,
			}),
			format!(
				"verified: reading {seq} of stream {stream} anchored in block {block} at {} by {}{}",
				time(timestamp),
				keys::ss58(&submitter),
				if suspect { "; SUSPECT: anchored while the device's key was reported compromised" } else { "" }
			),
		),
		Verification::NotAnchored => (
			false,
			json!({ "result": "notAnchored" }),
			format!(
				"not verified: nothing is anchored at seq {seq} of stream {stream} in a final block \
				 (an anchor in block N is provable once block N + 1 is final)"
			),
		),
		Verification::Mismatch => (
			false,
			json!({ "result": "mismatch" }),
			format!(
				"not verified: seq {seq} of stream {stream} holds a different fingerprint \
				 (digest {digest:?}): the data was modified"
			),
		),
	};
	let mut doc = doc;
	doc["digest"] = json!(format!("{digest:?}"));
	doc["verified"] = json!(verified);
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
	let (verified, doc, text) = match file.verify(&trusted, digest)? {
		Ok(proven) => (
			true,
			json!({
				"result": "anchored", "block": proven.block, "blockHash": format!("{:?}", proven.block_hash),
				"timestamp": proven.record.timestamp, "time": time(proven.record.timestamp),
				"submitter": keys::ss58(&proven.record.submitter), "finalized": proven.finalized,
			}),
			format!(
				"verified offline: reading {seq} of stream {stream} anchored in block {} at {} by \
				 {}, proven against trusted block {} ({trusted:?}); whether the key was reported \
				 compromised then needs the chain (verify online)",
				proven.block,
				time(proven.record.timestamp),
				keys::ss58(&proven.record.submitter),
				proven.finalized,
			),
		),
		Err(failure) => (
			false,
			json!({ "result": match failure {
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
	let AccessCommand::Check { device, who, stream, permission: arg } = command;
	let client = ctx.client().await?;
	let who: AccountId32 = keys::parse_account(&who)?;
	let decision = client.check_access(device_id(&device)?, &who, stream, permission(arg)).await?;
	let name = format!("{arg:?}").to_lowercase();
	output::print(
		ctx.json,
		|| match (decision.allowed, decision.expires_at) {
			(true, Some(at)) => format!("allowed: {name} until block {at}"),
			(true, None) => format!("allowed: {name}"),
			(false, _) => format!("denied: {name}"),
		},
		json!({ "allowed": decision.allowed, "expiresAt": decision.expires_at }),
	);
	Ok(if decision.allowed { 0 } else { EXIT_NO })
}

async fn watch(ctx: &Ctx, args: WatchArgs) -> Result<u8, Error> {
	let device = args.device.as_deref().map(device_id).transpose()?.map(|d| format!("{d:?}"));
	let client = ctx.client().await?;
	let mut seen = 0u64;
	client
		.watch(|number, events| {
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
		})
		.await?;
	Ok(0)
}
