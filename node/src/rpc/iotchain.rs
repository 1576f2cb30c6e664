//! `iotchain_*` JSON-RPC methods: the runtime APIs of the device registry, anchoring and access
//! control, with readable JSON. Every method takes an optional block hash `at` (default: the
//! best block) and only translates: the answers come from the runtime.
//!
//! JSON conventions: hashes, ids and keys are `0x`-prefixed hex; accounts are SS58 strings
//! (generic prefix 42) on output and SS58 on input; balances are decimal strings (they exceed
//! JavaScript's safe integers); enums are objects with a `type` field in camelCase.

use std::sync::Arc;

use iotchain_primitives::{
	AccessApi, AnchorsApi, DeviceStatus, DevicesApi, MerkleProof, Permission, Seq, StreamId,
	SuspendedBy, Verification, MAX_MERKLE_PROOF_ITEMS,
};
use iotchain_runtime::{opaque::Block, AccountId, BlockNumber, Runtime};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{
		error::{ErrorObject, INVALID_PARAMS_CODE as INVALID_PARAMS},
		ErrorObjectOwned,
	},
};
use pallet_access::Grant;
use pallet_anchors::{AnchorKind, AnchorRecord};
use pallet_devices::DeviceInfo;
use polkadot_sdk::{
	sp_api::{ApiError, ProvideRuntimeApi},
	sp_blockchain::HeaderBackend,
	sp_core::{Bytes, H256},
};
use serde::{Deserialize, Serialize};

type Hash = <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash;

/// A device as `iotchain_device` returns it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DeviceJson {
	pub owner: AccountId,
	pub key: AccountId,
	pub status: StatusJson,
	pub model: String,
	pub manufacturer: String,
	pub serial: String,
	pub label: String,
	pub firmware: Option<H256>,
	pub registered_at: BlockNumber,
	pub owner_since: BlockNumber,
	pub deposit: String,
	pub transfer_offer: Option<TransferOfferJson>,
}

/// A pending transfer of a device.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TransferOfferJson {
	pub to: AccountId,
	pub expires_at: BlockNumber,
}

/// A device's status.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum StatusJson {
	Active,
	/// `by`: `owner`, `manager` or `transfer`.
	Suspended {
		by: SuspendedByJson,
	},
	Compromised {
		since: BlockNumber,
	},
	Retired,
}

/// Who suspended a device.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum SuspendedByJson {
	Owner,
	Manager,
	Transfer,
}

impl From<DeviceStatus<BlockNumber>> for StatusJson {
	fn from(status: DeviceStatus<BlockNumber>) -> Self {
		match status {
			DeviceStatus::Active => StatusJson::Active,
			DeviceStatus::Suspended { by } => StatusJson::Suspended {
				by: match by {
					SuspendedBy::Owner => SuspendedByJson::Owner,
					SuspendedBy::Manager => SuspendedByJson::Manager,
					SuspendedBy::Transfer => SuspendedByJson::Transfer,
				},
			},
			DeviceStatus::Compromised { since } => StatusJson::Compromised { since },
			DeviceStatus::Retired => StatusJson::Retired,
		}
	}
}

impl From<DeviceInfo<Runtime>> for DeviceJson {
	fn from(d: DeviceInfo<Runtime>) -> Self {
		let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
		DeviceJson {
			owner: d.owner,
			key: d.key,
			status: d.status.into(),
			model: text(&d.metadata.model),
			manufacturer: text(&d.metadata.manufacturer),
			serial: text(&d.metadata.serial),
			label: text(&d.metadata.label),
			firmware: d.firmware,
			registered_at: d.registered_at,
			owner_since: d.owner_since,
			deposit: d.deposit.to_string(),
			transfer_offer: d
				.transfer_offer
				.map(|offer| TransferOfferJson { to: offer.to, expires_at: offer.expires_at }),
		}
	}
}

/// A stream's head.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AnchorHeadJson {
	pub seq: Seq,
	pub head: H256,
	pub count: u64,
	pub last_block: BlockNumber,
}

/// One anchor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AnchorJson {
	/// Readings covered: 1 for a single reading.
	pub count: u32,
	/// Whether it is a batch (its digest is then a Merkle root).
	pub batch: bool,
	pub digest: H256,
	pub block: BlockNumber,
	pub timestamp: u64,
	pub submitter: AccountId,
	pub uri: Option<String>,
}

impl From<AnchorRecord<Runtime>> for AnchorJson {
	fn from(r: AnchorRecord<Runtime>) -> Self {
		AnchorJson {
			count: r.kind.readings(),
			batch: matches!(r.kind, AnchorKind::Batch { .. }),
			digest: r.digest,
			block: r.block,
			timestamp: r.timestamp,
			submitter: r.submitter,
			uri: r.uri.map(|uri| String::from_utf8_lossy(&uri).into_owned()),
		}
	}
}

/// A Merkle proof, as `iotctl` writes it next to a reading of a batch.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerkleProofJson {
	pub leaf_index: u32,
	pub number_of_leaves: u32,
	pub items: Vec<H256>,
}

/// The answer of `iotchain_verifyReading`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum VerificationJson {
	#[serde(rename_all = "camelCase")]
	Anchored {
		block: BlockNumber,
		timestamp: u64,
		submitter: AccountId,
		suspect: bool,
	},
	NotAnchored,
	Mismatch,
}

impl From<Verification<AccountId, BlockNumber, u64>> for VerificationJson {
	fn from(v: Verification<AccountId, BlockNumber, u64>) -> Self {
		match v {
			Verification::Anchored { block, timestamp, submitter, suspect } => {
				VerificationJson::Anchored { block, timestamp, submitter, suspect }
			},
			Verification::NotAnchored => VerificationJson::NotAnchored,
			Verification::Mismatch => VerificationJson::Mismatch,
		}
	}
}

/// A permission, as a lowercase string: `"read"`, `"write"` or `"manage"`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum PermissionJson {
	Read,
	Write,
	Manage,
}

impl From<PermissionJson> for Permission {
	fn from(p: PermissionJson) -> Self {
		match p {
			PermissionJson::Read => Permission::Read,
			PermissionJson::Write => Permission::Write,
			PermissionJson::Manage => Permission::Manage,
		}
	}
}

/// The answer of `iotchain_checkAccess`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccessJson {
	pub allowed: bool,
	pub expires_at: Option<BlockNumber>,
	/// The grantee's X25519 public key, hex.
	pub grantee_key: Option<Bytes>,
}

/// One grant, as `iotchain_grantsOf` returns it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GrantJson {
	pub grantee: AccountId,
	/// Bit flags: read 1, write 2, manage 4.
	pub permissions: u8,
	pub stream: Option<StreamId>,
	pub expires_at: Option<BlockNumber>,
	pub grantee_key: Option<Bytes>,
	pub granted_by: AccountId,
	pub deposit: String,
}

impl From<(AccountId, Grant<Runtime>)> for GrantJson {
	fn from((grantee, g): (AccountId, Grant<Runtime>)) -> Self {
		GrantJson {
			grantee,
			permissions: g.permissions.0,
			stream: g.stream,
			expires_at: g.expires_at,
			grantee_key: g.grantee_key.map(|k| k.to_vec().into()),
			granted_by: g.granted_by,
			deposit: g.deposit.to_string(),
		}
	}
}

/// The `iotchain_*` methods.
#[rpc(server, namespace = "iotchain")]
pub trait IotchainApi {
	/// The device registered under `device_id`, or null.
	#[method(name = "device")]
	fn device(&self, device_id: H256, at: Option<Hash>) -> RpcResult<Option<DeviceJson>>;

	/// The id of the device whose current key is `key`, or null.
	#[method(name = "deviceByKey")]
	fn device_by_key(&self, key: AccountId, at: Option<Hash>) -> RpcResult<Option<H256>>;

	/// The devices of `owner`: at most `limit` (default and maximum 100) after `start_after`.
	#[method(name = "devicesOf")]
	fn devices_of(
		&self,
		owner: AccountId,
		start_after: Option<H256>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<H256>>;

	/// The head of `stream` of `device_id`, or null.
	#[method(name = "anchorHead")]
	fn anchor_head(
		&self,
		device_id: H256,
		stream: StreamId,
		at: Option<Hash>,
	) -> RpcResult<Option<AnchorHeadJson>>;

	/// The anchor under `seq` of `stream` of `device_id`, or null.
	#[method(name = "anchor")]
	fn anchor(
		&self,
		device_id: H256,
		stream: StreamId,
		#[argument(rename = "seq")] reading_seq: Seq,
		at: Option<Hash>,
	) -> RpcResult<Option<AnchorJson>>;

	/// Whether reading `seq` with `digest` is anchored (with its Merkle `proof` if it is in a
	/// batch).
	#[method(name = "verifyReading")]
	fn verify_reading(
		&self,
		device_id: H256,
		stream: StreamId,
		#[argument(rename = "seq")] reading_seq: Seq,
		digest: H256,
		proof: Option<MerkleProofJson>,
		at: Option<Hash>,
	) -> RpcResult<VerificationJson>;

	/// Whether `who` may exercise `permission` on `stream` of `device_id`.
	#[method(name = "checkAccess")]
	fn check_access(
		&self,
		device_id: H256,
		who: AccountId,
		stream: StreamId,
		permission: PermissionJson,
		at: Option<Hash>,
	) -> RpcResult<AccessJson>;

	/// The grants on `device_id`: at most `limit` (default and maximum 64) after grantee
	/// `start_after`.
	#[method(name = "grantsOf")]
	fn grants_of(
		&self,
		device_id: H256,
		start_after: Option<AccountId>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<GrantJson>>;
}

/// The implementation over a client.
pub struct Iotchain<C> {
	client: Arc<C>,
}

impl<C> Iotchain<C> {
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

/// JSON-RPC error code of a failed runtime API call.
const RUNTIME_ERROR: i32 = 1;

fn runtime_error(e: ApiError) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "Runtime API call failed", Some(e.to_string()))
}

impl<C> Iotchain<C>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<Hash>) -> Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C> IotchainApiServer for Iotchain<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DevicesApi<Block, AccountId, DeviceInfo<Runtime>>
		+ AnchorsApi<Block, AccountId, BlockNumber, u64, AnchorRecord<Runtime>>
		+ AccessApi<Block, AccountId, BlockNumber, Grant<Runtime>>,
{
	fn device(&self, device_id: H256, at: Option<Hash>) -> RpcResult<Option<DeviceJson>> {
		let device = self.client.runtime_api().device(self.at(at), device_id);
		Ok(device.map_err(runtime_error)?.map(Into::into))
	}

	fn device_by_key(&self, key: AccountId, at: Option<Hash>) -> RpcResult<Option<H256>> {
		self.client.runtime_api().device_by_key(self.at(at), key).map_err(runtime_error)
	}

	fn devices_of(
		&self,
		owner: AccountId,
		start_after: Option<H256>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<H256>> {
		let limit = limit.unwrap_or(pallet_devices::MAX_DEVICES_PER_PAGE);
		let api = self.client.runtime_api();
		api.devices_of(self.at(at), owner, start_after, limit).map_err(runtime_error)
	}

	fn anchor_head(
		&self,
		device_id: H256,
		stream: StreamId,
		at: Option<Hash>,
	) -> RpcResult<Option<AnchorHeadJson>> {
		let head = self.client.runtime_api().anchor_head(self.at(at), device_id, stream);
		Ok(head.map_err(runtime_error)?.map(|h| AnchorHeadJson {
			seq: h.seq,
			head: h.head,
			count: h.count,
			last_block: h.last_block,
		}))
	}

	fn anchor(
		&self,
		device_id: H256,
		stream: StreamId,
		reading_seq: Seq,
		at: Option<Hash>,
	) -> RpcResult<Option<AnchorJson>> {
		let anchor = self.client.runtime_api().anchor(self.at(at), device_id, stream, reading_seq);
		Ok(anchor.map_err(runtime_error)?.map(Into::into))
	}

	fn verify_reading(
		&self,
		device_id: H256,
		stream: StreamId,
		reading_seq: Seq,
		digest: H256,
		proof: Option<MerkleProofJson>,
		at: Option<Hash>,
	) -> RpcResult<VerificationJson> {
		let proof = proof
			.map(|p| {
				let items = p.items.try_into().map_err(|_| {
					ErrorObject::owned(
						INVALID_PARAMS,
						format!("a Merkle proof has at most {MAX_MERKLE_PROOF_ITEMS} items"),
						None::<()>,
					)
				})?;
				Ok::<_, ErrorObjectOwned>(MerkleProof {
					leaf_index: p.leaf_index,
					number_of_leaves: p.number_of_leaves,
					items,
				})
			})
			.transpose()?;
		let api = self.client.runtime_api();
		let verification = api
			.verify_reading(self.at(at), device_id, stream, reading_seq, digest, proof)
			.map_err(runtime_error)?;
		Ok(verification.into())
	}

	fn check_access(
		&self,
		device_id: H256,
		who: AccountId,
		stream: StreamId,
		permission: PermissionJson,
		at: Option<Hash>,
	) -> RpcResult<AccessJson> {
		let api = self.client.runtime_api();
		let decision = api
			.check_access(self.at(at), device_id, who, stream, permission.into())
			.map_err(runtime_error)?;
		Ok(AccessJson {
			allowed: decision.allowed,
			expires_at: decision.expires_at,
			grantee_key: decision.grantee_key.map(|k| k.to_vec().into()),
		})
	}

	fn grants_of(
		&self,
		device_id: H256,
		start_after: Option<AccountId>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<GrantJson>> {
		let limit = limit.unwrap_or(u32::MAX);
		let api = self.client.runtime_api();
		let grants =
			api.grants_of(self.at(at), device_id, start_after, limit).map_err(runtime_error)?;
		Ok(grants.into_iter().map(Into::into).collect())
	}
}
