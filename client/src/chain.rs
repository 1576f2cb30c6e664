//! A connection to an iotchain node: typed transactions built from the runtime's metadata
//! ([`crate::runtime`]), the runtime APIs the node's `iotchain_*` RPC methods also serve, and
//! events.

use crate::proof::{self, AnchorProofView, Verification};
use crate::{
	keys::Key,
	runtime::{self, runtime_types},
	Error,
};
use codec::{Decode, Encode};
use iotchain_primitives::{
	anchor_seq_of, device_id_of, json::AccessView, AnchorHead, AnchorProofError, DeviceId,
	MerkleProof, Permission, RegistrationPayload, RotationPayload, Seq, StreamId,
};
use polkadot_sdk::sp_core::H256;
use serde::Serialize;
use std::{collections::HashMap, sync::Arc};
use subxt::{
	backend::LegacyBackend,
	client::{ClientAtBlock, OnlineClientAtBlockImpl},
	config::{substrate::SubstrateExtrinsicParamsBuilder, RpcConfigFor},
	error::DispatchError,
	events::Event,
	ext::scale_value::{Composite, Primitive, Value, ValueDef},
	rpcs::{client::RpcParams, methods::LegacyRpcMethods, rpc_params, RpcClient},
	tx::{Payload, TransactionStatus},
	utils::{AccountId32, MultiSignature},
	Metadata, OnlineClient, SubstrateConfig,
};

/// iotchain's subxt configuration: the Substrate defaults fit its runtime (32-byte accounts,
/// `MultiSignature`, blake2-256 hashing, the standard transaction extensions).
pub type IotConfig = SubstrateConfig;

/// A device record as the runtime's `DevicesApi` returns it.
pub type DeviceInfo = runtime_types::pallet_devices::types::DeviceInfo;

/// A grant as the runtime's `AccessApi` returns it.
pub type Grant = runtime_types::pallet_access::types::Grant;

/// A device's descriptive metadata; each field at most the runtime's `StringLimit` bytes of
/// UTF-8, and every byte counts towards the registration deposit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceMetadata {
	/// The model.
	pub model: String,
	/// The manufacturer.
	pub manufacturer: String,
	/// The serial number.
	pub serial: String,
	/// A label of the owner's choosing.
	pub label: String,
}

impl DeviceMetadata {
	/// The metadata as the registry's call takes it; each field at most `max` bytes.
	fn bounded(
		&self,
		max: u32,
	) -> Result<runtime_types::pallet_devices::types::DeviceMetadata, Error> {
		use runtime_types::bounded_collections::bounded_vec::BoundedVec;
		let field = |name: &str, text: &str| {
			Error::check_len(name, text.len(), max)?;
			Ok(BoundedVec(text.as_bytes().to_vec()))
		};
		Ok(runtime_types::pallet_devices::types::DeviceMetadata {
			model: field("the model", &self.model)?,
			manufacturer: field("the manufacturer", &self.manufacturer)?,
			serial: field("the serial", &self.serial)?,
			label: field("the label", &self.label)?,
		})
	}
}

/// A device, as the node's RPC and `iotctl --json` show it.
pub type DeviceView = iotchain_primitives::json::DeviceView<AccountId32>;

/// A grant, as the node's RPC and `iotctl --json` show it.
pub type GrantView = iotchain_primitives::json::GrantView<AccountId32>;

/// A signature as the registry's calls take it (the runtime's `MultiSignature`).
pub type DeviceSignature = runtime_types::sp_runtime::MultiSignature;

type AtBlock = ClientAtBlock<IotConfig, OnlineClientAtBlockImpl<IotConfig>>;

/// How long to follow a submitted transaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Wait {
	/// Until the transaction pool accepted it.
	Submitted,
	/// Until it is in a block (the default).
	#[default]
	InBlock,
	/// Until that block is finalized.
	Finalized,
}

/// Which state queries read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
	/// The best block: includes what was just submitted.
	#[default]
	Best,
	/// The last finalized block: what can no longer be reverted.
	Finalized,
}

/// An event, decoded with the runtime's metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRecord {
	/// The pallet, e.g. `Anchors`.
	pub pallet: String,
	/// The event, e.g. `Anchored`.
	pub name: String,
	/// Its fields; byte arrays as `0x`-hex.
	pub fields: serde_json::Value,
}

impl EventRecord {
	/// The record of `event`, with the fields that are accounts in SS58 (as Polkadot.js shows
	/// them), found by their declared types in `metadata`.
	fn of(event: &Event<'_, IotConfig>, metadata: &Metadata) -> Result<Self, Error> {
		let mut fields =
			to_json(&event.decode_fields_unchecked_as::<Value>().map_err(Error::node)?);
		let variant = metadata
			.pallet_by_name(event.pallet_name())
			.and_then(|pallet| pallet.event_variant_by_index(event.event_index()));
		if let (Some(variant), serde_json::Value::Object(map)) = (variant, &mut fields) {
			for field in &variant.fields {
				let (Some(name), Some(type_name)) = (&field.name, &field.type_name) else {
					continue;
				};
				if let (true, Some(serde_json::Value::String(text))) =
					(type_name.contains("AccountId"), map.get_mut(name))
				{
					if let Ok(account) = crate::keys::parse_account(text) {
						*text = crate::keys::ss58(&account);
					}
				}
			}
		}
		Ok(Self {
			pallet: event.pallet_name().to_string(),
			name: event.event_name().to_string(),
			fields,
		})
	}
}

/// What became of a submitted transaction.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
	/// The transaction's hash.
	pub extrinsic: H256,
	/// The block it was included in (`None` with [`Wait::Submitted`]).
	pub block: Option<H256>,
	/// Its events (empty with [`Wait::Submitted`]).
	pub events: Vec<EventRecord>,
}

impl Outcome {
	/// Whether the transaction emitted `pallet.name`.
	pub fn has_event(&self, pallet: &str, name: &str) -> bool {
		self.events.iter().any(|e| e.pallet == pallet && e.name == name)
	}
}

/// The registry's `calls` in one `utility.batchAll`: all of them, or none.
fn devices_batch(calls: Vec<runtime_types::pallet_devices::pallet::Call>) -> impl Payload {
	use runtime_types::iotchain_runtime::RuntimeCall;
	runtime::tx().utility().batch_all(calls.into_iter().map(RuntimeCall::Devices).collect())
}

/// A connection to a node.
#[derive(Clone)]
pub struct Client {
	api: OnlineClient<IotConfig>,
	rpc: LegacyRpcMethods<RpcConfigFor<IotConfig>>,
	raw: RpcClient,
	view: View,
	/// The next nonce of each signer that submitted through this client (or a clone), held
	/// locked from choosing a nonce until the pool has the transaction: concurrent submissions
	/// get consecutive nonces even while the pool's count of a signer's transactions lags.
	nonces: Arc<tokio::sync::Mutex<HashMap<[u8; 32], u64>>>,
}

impl Client {
	/// Connects to the node at `url` (`ws://` or `wss://`).
	pub async fn connect(url: &str) -> Result<Self, Error> {
		let connect_error = |e: &dyn std::fmt::Display| Error::Connect {
			url: url.to_string(),
			reason: e.to_string(),
		};
		let rpc = RpcClient::from_insecure_url(url).await.map_err(|e| connect_error(&e))?;
		// The legacy RPC methods: every block the node has imported can be read at once
		// (through `chainHead_v1`, only the blocks its subscription has reported so far, which
		// lags a busy node).
		let backend = LegacyBackend::<IotConfig>::builder().build(rpc.clone());
		let api = OnlineClient::<IotConfig>::from_backend(Arc::new(backend))
			.await
			.map_err(|e| connect_error(&e))?;
		Ok(Self {
			api,
			rpc: LegacyRpcMethods::new(rpc.clone()),
			raw: rpc,
			view: View::Best,
			nonces: Default::default(),
		})
	}

	/// The same connection, reading state at `view`.
	pub fn with_view(mut self, view: View) -> Self {
		self.view = view;
		self
	}

	/// The subxt client, for anything this SDK does not wrap.
	pub fn api(&self) -> &OnlineClient<IotConfig> {
		&self.api
	}

	/// The chain's genesis hash, part of every registration and rotation proof.
	pub fn genesis_hash(&self) -> H256 {
		self.api.genesis_hash()
	}

	async fn at(&self, view: View) -> Result<AtBlock, Error> {
		match view {
			View::Finalized => self.api.at_current_block().await.map_err(Error::node),
			View::Best => {
				let best = self
					.rpc
					.chain_get_block_hash(None)
					.await
					.map_err(Error::node)?
					.ok_or_else(|| Error::Node("the node has no best block".into()))?;
				self.api.at_block(best).await.map_err(Error::node)
			},
		}
	}

	/// The number of the block with `hash`.
	pub async fn block_number_of(&self, hash: H256) -> Result<u64, Error> {
		Ok(self.api.at_block(hash).await.map_err(Error::node)?.block_number())
	}

	/// The block number state is read at.
	pub async fn block_number(&self) -> Result<u64, Error> {
		Ok(self.at(self.view).await?.block_number())
	}

	/// Signs `call` with `signer`, submits it and follows it as far as `wait` says. A call that
	/// fails in its block is an [`Error::Dispatch`] naming the pallet's error.
	pub async fn submit<Call: Payload>(
		&self,
		call: &Call,
		signer: &Key,
		wait: Wait,
	) -> Result<Outcome, Error> {
		// The pool's next nonce, so that transactions submitted back to back (or without
		// waiting) follow each other, or the next after this client's last one if the pool
		// does not count that one yet.
		let who = signer.account_id();
		let mut nonces = self.nonces.lock().await;
		let pool_next = self.rpc.system_account_next_index(&who).await.map_err(Error::node)?;
		let nonce = nonces.get(&who.0).map_or(pool_next, |&next| next.max(pool_next));
		let params = SubstrateExtrinsicParamsBuilder::<IotConfig>::new().nonce(nonce).build();
		let refused = |e: &dyn std::fmt::Display| Error::Refused(e.to_string());
		let tx = self
			.at(View::Best)
			.await?
			.tx()
			.create_signed(call, signer, params)
			.await
			.map_err(|e| refused(&e))?;
		let extrinsic = tx.hash();
		let submitted = if wait == Wait::Submitted {
			tx.submit().await.map(|_| None)
		} else {
			tx.submit_and_watch().await.map(Some)
		};
		// A refused transaction used no nonce: the next one asks the pool again.
		match &submitted {
			Ok(_) => nonces.insert(who.0, nonce + 1),
			Err(_) => nonces.remove(&who.0),
		};
		drop(nonces);
		let Some(mut progress) = submitted.map_err(|e| refusal(&e))? else {
			return Ok(Outcome { extrinsic, block: None, events: Vec::new() });
		};
		while let Some(status) = progress.next().await {
			let in_block = match status.map_err(Error::node)? {
				TransactionStatus::InBestBlock(in_block) if wait == Wait::InBlock => in_block,
				TransactionStatus::InFinalizedBlock(in_block) => in_block,
				TransactionStatus::Error { message }
				| TransactionStatus::Invalid { message }
				| TransactionStatus::Dropped { message } => {
					// Its nonce may be free again: the next transaction asks the pool.
					self.nonces.lock().await.remove(&who.0);
					return Err(Error::Refused(message));
				},
				_ => continue,
			};
			let events = in_block.fetch_events().await.map_err(Error::node)?;
			let metadata = in_block.at().await.map_err(Error::node)?.metadata();
			let mut records = Vec::new();
			for event in events.iter() {
				let event = event.map_err(Error::node)?;
				if event.pallet_name() == "System" && event.event_name() == "ExtrinsicFailed" {
					let error = DispatchError::decode_from(event.field_bytes(), metadata)
						.map_err(Error::node)?;
					return Err(dispatch_error(error));
				}
				records.push(EventRecord::of(&event, &metadata)?);
			}
			return Ok(Outcome { extrinsic, block: Some(in_block.block_hash()), events: records });
		}
		Err(Error::Refused("the node stopped reporting the transaction's progress".into()))
	}

	/// The proof of possession `device_key` makes for registering its device to `owner` on this
	/// chain (the device id is [`iotchain_primitives::device_id_of`] the key).
	pub fn registration_proof(&self, owner: &AccountId32, device_key: &Key) -> DeviceSignature {
		let payload = RegistrationPayload {
			genesis_hash: self.genesis_hash(),
			owner: owner.0,
			key: device_key.account_id().0,
		};
		device_signature(device_key.sign_bytes(&payload.signing_bytes()))
	}

	/// Registers the device whose key is `device_key` to `owner` (who signs and pays the
	/// deposit), with its proof of possession and its key-agreement key (derived from
	/// `device_key`, see [`Key::agreement_key`]) in one `utility.batchAll`; the metadata is
	/// checked against the runtime's `StringLimit` first. Returns the device's id.
	pub async fn register_device(
		&self,
		owner: &Key,
		device_key: &Key,
		metadata: &DeviceMetadata,
		firmware: Option<H256>,
		wait: Wait,
	) -> Result<(DeviceId, Outcome), Error> {
		use runtime_types::pallet_devices::pallet::Call;
		let max = self.constant(runtime::constants().devices().string_limit()).await?;
		let metadata = metadata.bounded(max)?;
		let proof = self.registration_proof(&owner.account_id(), device_key);
		let device_id = device_id_of(&device_key.account_id().0);
		let calls = vec![
			Call::register { key: device_key.account_id(), proof, metadata, firmware },
			Call::set_agreement_key { device_id, key: Some(device_key.agreement_key()) },
		];
		let outcome = self.submit(&devices_batch(calls), owner, wait).await?;
		Ok((device_id, outcome))
	}

	/// Replaces the key of `device_id` with `new_key` (signed by `signer`, its owner or the
	/// active device), with the new key's proof of possession, and declares the new key's
	/// key-agreement key (the rotation clears the old one): in one `utility.batchAll` by the
	/// owner; by the device, the new key declares it in a second transaction.
	pub async fn rotate_device_key(
		&self,
		signer: &Key,
		device_id: DeviceId,
		new_key: &Key,
		wait: Wait,
	) -> Result<Outcome, Error> {
		use runtime_types::pallet_devices::pallet::Call;
		let info = self
			.device(device_id)
			.await?
			.ok_or_else(|| Error::Input(format!("no device is registered under {device_id:?}")))?;
		let proof = self.rotation_proof(device_id, &info.key, new_key);
		let agreement_key = Some(new_key.agreement_key());
		if signer.account_id() == info.key {
			let rotate = runtime::tx().devices().rotate_key(device_id, new_key.account_id(), proof);
			let wait_for_rotation = if wait == Wait::Submitted { Wait::InBlock } else { wait };
			self.submit(&rotate, signer, wait_for_rotation).await?;
			self.set_agreement_key(new_key, device_id, agreement_key, wait).await
		} else {
			let calls = vec![
				Call::rotate_key { device_id, new_key: new_key.account_id(), proof },
				Call::set_agreement_key { device_id, key: agreement_key },
			];
			self.submit(&devices_batch(calls), signer, wait).await
		}
	}

	/// The proof `new_key` makes for replacing `old_key` of `device_id` on this chain.
	pub fn rotation_proof(
		&self,
		device_id: DeviceId,
		old_key: &AccountId32,
		new_key: &Key,
	) -> DeviceSignature {
		let payload = RotationPayload {
			genesis_hash: self.genesis_hash(),
			device_id,
			old_key: old_key.0,
			new_key: new_key.account_id().0,
		};
		device_signature(new_key.sign_bytes(&payload.signing_bytes()))
	}

	async fn call<P: subxt::runtime_apis::Payload>(
		&self,
		payload: P,
	) -> Result<P::ReturnType, Error> {
		self.at(self.view).await?.runtime_apis().call(payload).await.map_err(Error::node)
	}

	/// A device's record.
	pub async fn device(&self, device_id: DeviceId) -> Result<Option<DeviceInfo>, Error> {
		self.call(runtime::runtime_apis().devices_api().device(device_id)).await
	}

	/// A device's JSON view, as the node's `iotchain_device` gives it (read at this client's
	/// [`View`]).
	pub async fn device_view(&self, device_id: DeviceId) -> Result<Option<DeviceView>, Error> {
		self.query_at("iotchain_device", rpc_params![device_id]).await
	}

	/// Up to `limit` grants on a device after grantee `start_after`, as the node's
	/// `iotchain_grantsOf` gives them.
	pub async fn grants_of(
		&self,
		device_id: DeviceId,
		start_after: Option<&AccountId32>,
		limit: Option<u32>,
	) -> Result<Vec<GrantView>, Error> {
		self.query_at("iotchain_grantsOf", rpc_params![device_id, start_after, limit]).await
	}

	/// The device whose current key is `key`.
	pub async fn device_by_key(&self, key: &AccountId32) -> Result<Option<DeviceId>, Error> {
		self.call(runtime::runtime_apis().devices_api().device_by_key(*key)).await
	}

	/// Up to `limit` devices of `owner` after `start_after`, in storage order.
	pub async fn devices_of(
		&self,
		owner: &AccountId32,
		start_after: Option<DeviceId>,
		limit: u32,
	) -> Result<Vec<DeviceId>, Error> {
		self.call(runtime::runtime_apis().devices_api().devices_of(*owner, start_after, limit))
			.await
	}

	/// The head of a device's stream, `None` if nothing was anchored on it.
	pub async fn anchor_head(
		&self,
		device_id: DeviceId,
		stream: StreamId,
	) -> Result<Option<AnchorHead<u32>>, Error> {
		let head =
			self.call(runtime::runtime_apis().anchors_api().anchor_head(device_id, stream)).await?;
		Ok(head.map(|h| AnchorHead {
			seq: h.seq,
			head: h.head,
			count: h.count,
			last_block: h.last_block,
		}))
	}

	/// The hash of the node's last finalized block.
	pub async fn finalized_head(&self) -> Result<H256, Error> {
		self.rpc.chain_get_finalized_head().await.map_err(Error::node)
	}

	/// The proof of the anchor under `seq` of a device's stream (a batch under its first
	/// `seq`) against the node's last finalized block; `None` if no such anchor is final yet.
	pub async fn anchor_proof(
		&self,
		device_id: DeviceId,
		stream: StreamId,
		seq: Seq,
	) -> Result<Option<AnchorProofView>, Error> {
		self.raw
			.request("iotchain_anchorProof", rpc_params![device_id, stream, seq])
			.await
			.map_err(Error::node)
	}

	/// What the chain says about reading `seq` of a device's stream with `digest` (and its
	/// Merkle `batch_proof` if it was batched), from the proof of its anchor: checked here
	/// against the node's last finalized block, then by the runtime, which adds whether the
	/// device's key was reported compromised at the time (as the best block knows it). Returns the proof too (`None` when
	/// nothing is anchored there, or not final yet).
	pub async fn verify_reading(
		&self,
		device_id: DeviceId,
		stream: StreamId,
		seq: Seq,
		digest: H256,
		batch_proof: Option<MerkleProof>,
	) -> Result<(Verification, Option<AnchorProofView>), Error> {
		let Some(anchor_seq) = anchor_seq_of(seq, batch_proof.as_ref()) else {
			return Ok((Verification::NotAnchored, None));
		};
		let Some(answer) = self.anchor_proof(device_id, stream, anchor_seq).await? else {
			return Ok((Verification::NotAnchored, None));
		};
		let proof = proof::decode(&answer)?;
		let trusted = answer.finalized_hash;
		let canonical = self
			.rpc
			.chain_get_block_hash(Some(answer.finalized.into()))
			.await
			.map_err(Error::node)?;
		if canonical != Some(trusted) {
			return Err(Error::Node("the proof is against a block that is not final".into()));
		}
		proof
			.verify(&trusted)
			.map_err(|e| Error::Node(format!("the node served a proof that fails: {e:?}")))?;
		let args = (&proof, trusted, seq, digest, batch_proof).encode();
		let bytes = self
			.rpc
			.state_call("AnchorsApi_verify_reading", Some(&args), None)
			.await
			.map_err(Error::node)?;
		let verification = Result::<Verification, AnchorProofError>::decode(&mut &bytes[..])
			.map_err(Error::node)?;
		let verification = verification
			.map_err(|e| Error::Node(format!("the runtime refuses the proof: {e:?}")))?;
		Ok((verification, Some(answer)))
	}

	/// Whether `who` may exercise `permission` on a device's stream, and until when, as the
	/// node's `iotchain_checkAccess` gives it.
	pub async fn check_access(
		&self,
		device_id: DeviceId,
		who: &AccountId32,
		stream: StreamId,
		permission: Permission,
	) -> Result<AccessView, Error> {
		self.query_at("iotchain_checkAccess", rpc_params![device_id, who, stream, permission]).await
	}

	/// Calls the node's `iotchain_*` query `method` with `params`, then the block this client
	/// reads (the `at` those queries take last).
	async fn query_at<T: serde::de::DeserializeOwned>(
		&self,
		method: &str,
		mut params: RpcParams,
	) -> Result<T, Error> {
		params.push(self.at(self.view).await?.block_hash()).map_err(Error::node)?;
		self.raw.request(method, params).await.map_err(Error::node)
	}

	/// The legacy RPC methods of this connection.
	pub(crate) fn legacy(&self) -> LegacyRpcMethods<RpcConfigFor<IotConfig>> {
		self.rpc.clone()
	}

	/// The raw RPC client of this connection.
	pub(crate) fn raw_rpc(&self) -> RpcClient {
		self.raw.clone()
	}

	/// Calls the node's RPC `method` with `params` (for what has no typed wrapper here).
	pub(crate) async fn raw_request<T: serde::de::DeserializeOwned>(
		&self,
		method: &str,
		params: RpcParams,
	) -> Result<T, Error> {
		self.raw.request(method, params).await.map_err(Error::node)
	}

	/// Subscribes to the node's RPC subscription `method` with `params`.
	pub(crate) async fn raw_subscribe<T: serde::de::DeserializeOwned>(
		&self,
		method: &str,
		params: RpcParams,
		unsubscribe: &str,
	) -> Result<subxt::rpcs::client::RpcSubscription<T>, Error> {
		self.raw.subscribe(method, params, unsubscribe).await.map_err(Error::node)
	}

	/// A pallet constant, e.g. `runtime::constants().anchors().max_batch_size()`.
	pub async fn constant<A: subxt::constants::Address>(
		&self,
		address: A,
	) -> Result<A::Target, Error> {
		self.at(self.view).await?.constants().entry(address).map_err(Error::node)
	}

	/// Follows finalized blocks from the current one: calls `on_start` with its number once
	/// subscribed (every event from there on will be seen), then `on_block` with each block's
	/// number and the events of iotchain's pallets (`Devices`, `Anchors`, `Access`) until it
	/// returns `false`.
	pub async fn watch(
		&self,
		on_start: impl FnOnce(u64),
		mut on_block: impl FnMut(u64, Vec<EventRecord>) -> bool,
	) -> Result<(), Error> {
		// The stream starts with a few recently finalized blocks; follow from the current one.
		let from = self.at(View::Finalized).await?.block_number();
		let mut blocks = self.api.stream_blocks().await.map_err(Error::node)?;
		on_start(from);
		while let Some(block) = blocks.next().await {
			let block = block.map_err(Error::node)?;
			if block.number() < from {
				continue;
			}
			let at = block.at().await.map_err(Error::node)?;
			let metadata = at.metadata();
			let events = at.events().fetch().await.map_err(Error::node)?;
			let mut records = Vec::new();
			for event in events.iter() {
				let event = event.map_err(Error::node)?;
				if !matches!(event.pallet_name(), "Devices" | "Anchors" | "Access") {
					continue;
				}
				records.push(EventRecord::of(&event, &metadata)?);
			}
			if !on_block(block.number(), records) {
				return Ok(());
			}
		}
		Err(Error::Node("the node closed the stream of finalized blocks".into()))
	}
}

/// A proof signature as the registry's calls take it.
fn device_signature(signature: MultiSignature) -> DeviceSignature {
	match signature {
		MultiSignature::Sr25519(s) => DeviceSignature::Sr25519(s),
		MultiSignature::Ed25519(s) => DeviceSignature::Ed25519(s),
		MultiSignature::Ecdsa(s) => DeviceSignature::Ecdsa(s),
	}
}

/// The pool's refusal of a transaction, with the reason in the JSON-RPC error's data (e.g.
/// `Invalid Transaction (1010): Inability to pay some fees (e.g. account balance too low)`).
fn refusal(error: &subxt::error::ExtrinsicError) -> Error {
	use subxt::error::{BackendError, ExtrinsicError, RpcError};
	if let ExtrinsicError::ErrorSubmittingTransaction(BackendError::Rpc(RpcError::ClientError(
		subxt::rpcs::Error::User(refused),
	))) = error
	{
		if let Some(data) = &refused.data {
			let reason = serde_json::from_str::<String>(data.get())
				.unwrap_or_else(|_| data.get().to_owned());
			return Error::Refused(format!("{refused}: {reason}"));
		}
	}
	Error::Refused(error.to_string())
}

/// A dispatch error as users read it: `anchors.StaleSequence: <docs>`.
fn dispatch_error(error: DispatchError) -> Error {
	if let DispatchError::Module(module) = &error {
		if let Ok(details) = module.details() {
			let name = details.pallet.name();
			let mut pallet = name.to_string();
			if let Some(first) = pallet.get_mut(0..1) {
				first.make_ascii_lowercase();
			}
			return Error::Dispatch {
				pallet,
				error: details.variant.name.clone(),
				docs: details.variant.docs.join(" "),
			};
		}
	}
	Error::Failed(error.to_string())
}

/// A decoded value as JSON: composites of bytes become `0x`-hex, enums `{"type": name, ...}`.
pub fn to_json<T>(value: &Value<T>) -> serde_json::Value {
	use serde_json::Value as J;
	match &value.value {
		ValueDef::Composite(composite) => composite_to_json(composite),
		ValueDef::Variant(variant) if variant.name == "None" && variant.values.is_empty() => {
			serde_json::Value::Null
		},
		ValueDef::Variant(variant) if variant.name == "Some" && variant.values.len() == 1 => {
			variant.values.values().next().map(to_json).unwrap_or_default()
		},
		ValueDef::Variant(variant) => {
			let fields = composite_to_json(&variant.values);
			match fields {
				J::Object(mut map) => {
					map.insert("type".into(), J::String(variant.name.clone()));
					J::Object(map)
				},
				J::Array(items) if items.is_empty() => J::String(variant.name.clone()),
				other => serde_json::json!({ "type": variant.name, "value": other }),
			}
		},
		ValueDef::BitSequence(bits) => J::String(format!("{bits:?}")),
		ValueDef::Primitive(Primitive::Bool(b)) => J::Bool(*b),
		ValueDef::Primitive(Primitive::Char(c)) => J::String(c.to_string()),
		ValueDef::Primitive(Primitive::String(s)) => J::String(s.clone()),
		// Balances and other large numbers as decimal strings, so JSON readers lose nothing.
		ValueDef::Primitive(Primitive::U128(n)) => match u64::try_from(*n) {
			Ok(n) if n < (1 << 53) => J::from(n),
			_ => J::String(n.to_string()),
		},
		ValueDef::Primitive(Primitive::I128(n)) => J::String(n.to_string()),
		ValueDef::Primitive(Primitive::U256(b) | Primitive::I256(b)) => {
			J::String(format!("0x{}", hex::encode(b)))
		},
	}
}

fn composite_to_json<T>(composite: &Composite<T>) -> serde_json::Value {
	match composite {
		Composite::Named(fields) => serde_json::Value::Object(
			fields.iter().map(|(name, value)| (name.clone(), to_json(value))).collect(),
		),
		Composite::Unnamed(values) => {
			let bytes: Option<Vec<u8>> = values
				.iter()
				.map(|v| match v.value {
					ValueDef::Primitive(Primitive::U128(n)) => u8::try_from(n).ok(),
					_ => None,
				})
				.collect();
			match bytes {
				Some(bytes) if bytes.len() >= 20 => {
					serde_json::Value::String(format!("0x{}", hex::encode(bytes)))
				},
				_ => match values.as_slice() {
					[single] => to_json(single),
					values => serde_json::Value::Array(values.iter().map(to_json).collect()),
				},
			}
		},
	}
}
