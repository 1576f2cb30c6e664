//! `iotchain_*` JSON-RPC methods: the runtime APIs of the device registry, anchoring and access
//! control, with readable JSON, and anchor proofs. State queries take an optional block hash
//! `at` (default: the best block) and only translate: the answers come from the runtime. Anchor
//! queries answer from finalized blocks (`at`, if given, must be finalized): the node builds the
//! proof from its off-chain index and state, and the runtime checks it.
//!
//! The answers are the JSON views of `iotchain_primitives::json`, the shapes `iotctl --json`
//! prints too: hashes, ids and keys are `0x`-prefixed hex; accounts are SS58 strings (generic
//! prefix 42); balances are decimal strings; enums are objects with a `type` field in camelCase.

use std::sync::Arc;

use crate::anchor_index::{AnchorIndex, Record};
use codec::Encode;
use iotchain_primitives::{
	anchor_seq_of, block_anchors_proof,
	json::{
		AccessView, AnchorProofView, AnchorView, CompromiseView, DeviceView, GrantView,
		MerkleProofView, TransferOfferView,
	},
	mmr_root_key, AccessApi, AnchorHead, AnchorProof, AnchorsApi, BlockAnchors, DevicesApi,
	MmrProof, Permission, Seq, StreamId, TrieNode, Verification, MAX_MERKLE_PROOF_ITEMS,
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
use pallet_devices::DeviceInfo;
use polkadot_sdk::{
	sc_client_api::ProofProvider,
	sp_api::{ApiError, ApiExt, ProvideRuntimeApi},
	sp_blockchain::HeaderBackend,
	sp_core::{
		bounded::BoundedVec,
		offchain::{storage::OffchainDb, OffchainDbExt, OffchainStorage},
		H256,
	},
	sp_mmr_primitives::MmrApi,
};

type Hash = <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash;

/// The JSON view of a device, from the registry's record.
fn device_view(id: H256, d: DeviceInfo<Runtime>) -> DeviceView<AccountId> {
	let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
	DeviceView {
		id,
		owner: d.owner,
		key: d.key,
		status: d.status,
		custody: d.custody,
		agreement_key: d.agreement_key.map(H256),
		model: text(&d.metadata.model),
		manufacturer: text(&d.metadata.manufacturer),
		serial: text(&d.metadata.serial),
		label: text(&d.metadata.label),
		firmware: d.firmware,
		registered_at: d.registered_at,
		owner_since: d.owner_since,
		deposit: d.deposit,
		transfer_offer: d
			.transfer_offer
			.map(|offer| TransferOfferView { to: offer.to, expires_at: offer.expires_at }),
		compromises: d
			.compromises
			.iter()
			.map(|w| CompromiseView { since: w.since, until: w.until })
			.collect(),
	}
}

/// The JSON view of a grant, from the access pallet's record.
fn grant_view((grantee, g): (AccountId, Grant<Runtime>)) -> GrantView<AccountId> {
	GrantView {
		grantee,
		permissions: g.permissions.0,
		stream: g.stream,
		expires_at: g.expires_at,
		grantee_key: g.grantee_key.map(H256),
		granted_by: g.granted_by,
		deposit: g.deposit,
	}
}

/// The `iotchain_*` methods.
#[rpc(server, namespace = "iotchain")]
pub trait IotchainApi {
	/// The device registered under `device_id`, or null.
	#[method(name = "device")]
	fn device(&self, device_id: H256, at: Option<Hash>)
		-> RpcResult<Option<DeviceView<AccountId>>>;

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
	) -> RpcResult<Option<AnchorHead<BlockNumber>>>;

	/// The final anchor under `seq` of `stream` of `device_id` (a batch under its first `seq`),
	/// or null: anchors of block `N` are final once block `N + 1` is.
	#[method(name = "anchor")]
	fn anchor(
		&self,
		device_id: H256,
		stream: StreamId,
		#[argument(rename = "seq")] reading_seq: Seq,
	) -> RpcResult<Option<AnchorView<AccountId>>>;

	/// The proof of the anchor under `seq` of `stream` of `device_id` against the finalized
	/// block `at` (default: the last finalized), or null if no such anchor is final there.
	#[method(name = "anchorProof")]
	fn anchor_proof(
		&self,
		device_id: H256,
		stream: StreamId,
		#[argument(rename = "seq")] anchor_seq: Seq,
		at: Option<Hash>,
	) -> RpcResult<Option<AnchorProofView<AccountId>>>;

	/// Whether reading `seq` with `digest` is anchored (with its Merkle `proof` if it is in a
	/// batch), proven against the finalized block `at` (default: the last finalized); `suspect`
	/// as the registry knows it at the best block.
	#[method(name = "verifyReading")]
	fn verify_reading(
		&self,
		device_id: H256,
		stream: StreamId,
		#[argument(rename = "seq")] reading_seq: Seq,
		digest: H256,
		proof: Option<MerkleProofView>,
		at: Option<Hash>,
	) -> RpcResult<Verification<AccountId, BlockNumber, u64>>;

	/// Whether `who` may exercise `permission` on `stream` of `device_id`.
	#[method(name = "checkAccess")]
	fn check_access(
		&self,
		device_id: H256,
		who: AccountId,
		stream: StreamId,
		permission: Permission,
		at: Option<Hash>,
	) -> RpcResult<AccessView>;

	/// The grants on `device_id`: at most `limit` (default and maximum 64) after grantee
	/// `start_after`.
	#[method(name = "grantsOf")]
	fn grants_of(
		&self,
		device_id: H256,
		start_after: Option<AccountId>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<GrantView<AccountId>>>;
}

/// The implementation over a client and the node's off-chain storage.
pub struct Iotchain<C, S> {
	client: Arc<C>,
	/// `None` on a node without off-chain storage: no anchor proofs then.
	anchors: Option<(AnchorIndex<S>, OffchainDb<S>)>,
}

impl<C, S: OffchainStorage + Clone> Iotchain<C, S> {
	pub fn new(client: Arc<C>, offchain_storage: Option<S>) -> Self {
		let anchors = offchain_storage
			.map(|storage| (AnchorIndex::new(storage.clone()), OffchainDb::new(storage)));
		Self { client, anchors }
	}
}

/// JSON-RPC error code of a failed runtime API call.
const RUNTIME_ERROR: i32 = 1;
/// JSON-RPC error code of a block given as `at` that is not finalized.
const NOT_FINAL: i32 = 2;
/// JSON-RPC error code of a proof the node cannot build (no off-chain storage, pruned blocks).
const PROOF_UNAVAILABLE: i32 = 3;

fn runtime_error(e: ApiError) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "Runtime API call failed", Some(e.to_string()))
}

fn unavailable(why: impl ToString) -> ErrorObjectOwned {
	ErrorObject::owned(PROOF_UNAVAILABLE, "Anchor proof unavailable", Some(why.to_string()))
}

impl<C, S> Iotchain<C, S>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<Hash>) -> Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}

	/// The finalized block `at` (default: the last finalized), or `NOT_FINAL`.
	fn finalized(&self, at: Option<Hash>) -> RpcResult<(BlockNumber, Hash)> {
		let info = self.client.info();
		let Some(hash) = at else { return Ok((info.finalized_number, info.finalized_hash)) };
		let not_final = || ErrorObject::owned(NOT_FINAL, "Block is not finalized", Some(hash));
		let number = self.client.number(hash).ok().flatten().ok_or_else(not_final)?;
		let canonical = self.client.hash(number).ok().flatten();
		if number > info.finalized_number || canonical != Some(hash) {
			return Err(not_final());
		}
		Ok((number, hash))
	}
}

impl<C, S> Iotchain<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + ProofProvider<Block>,
	C::Api: MmrApi<Block, H256, BlockNumber>,
	S: OffchainStorage + Clone + 'static,
{
	/// The anchor under `seq` of `stream` of `device`, if it is final at `finalized`: its block,
	/// the block's records and its index among them.
	fn final_anchor(
		&self,
		device: &H256,
		stream: StreamId,
		seq: Seq,
		finalized: BlockNumber,
	) -> RpcResult<Option<(BlockNumber, Vec<Record>, usize)>> {
		let (index, _) = self.anchors.as_ref().ok_or_else(|| unavailable(NO_STORAGE))?;
		let Some(block) = index.block_of(device, stream, seq) else { return Ok(None) };
		// Block `N`'s anchors are in the MMR leaf of block `N + 1`.
		if block >= finalized {
			return Ok(None);
		}
		let hash = self.client.hash(block).ok().flatten().ok_or_else(|| unavailable(PRUNED))?;
		let records = index.records(&hash).ok_or_else(|| unavailable(PRUNED))?;
		let position = records
			.iter()
			.position(|r| r.device_id == *device && r.stream == stream && r.seq == seq)
			.ok_or_else(|| unavailable("the index and the block's records disagree"))?;
		Ok(Some((block, records, position)))
	}

	/// The proof of the anchor under `seq` of `stream` of `device` against `finalized`.
	fn build_proof(
		&self,
		device: &H256,
		stream: StreamId,
		seq: Seq,
		(finalized, finalized_hash): (BlockNumber, Hash),
	) -> RpcResult<Option<(AnchorProof<AccountId, u64>, BlockNumber)>> {
		let Some((block, mut records, position)) =
			self.final_anchor(device, stream, seq, finalized)?
		else {
			return Ok(None);
		};
		// A block holds at most `MaxAnchorsPerBlock` records: the position fits a `u32`.
		let block_proof = block_anchors_proof(&records, position as u32)
			.ok_or_else(|| unavailable("the record is not in its block"))?;
		let record = records.swap_remove(position);

		let (_, offchain_db) = self.anchors.as_ref().ok_or_else(|| unavailable(NO_STORAGE))?;
		let mut api = self.client.runtime_api();
		api.register_extension(OffchainDbExt::new(offchain_db.clone()));
		let (leaves, leaf_proof) = api
			.generate_proof(finalized_hash, vec![block + 1], Some(finalized))
			.map_err(runtime_error)?
			.map_err(|e| unavailable(format!("MMR proof: {e:?}")))?;
		let leaf = leaves
			.into_iter()
			.next()
			.and_then(|leaf| leaf.into_opaque_leaf().try_decode::<BlockAnchors>())
			.ok_or_else(|| unavailable("MMR leaf does not decode"))?;
		let mmr_proof = MmrProof::from_leaf_proof(leaf_proof)
			.ok_or_else(|| unavailable("MMR proof is not for one leaf"))?;

		let header =
			self.client.header(finalized_hash).ok().flatten().ok_or_else(|| unavailable(PRUNED))?;
		let key = mmr_root_key();
		let storage_proof = self
			.client
			.read_proof(finalized_hash, &mut std::iter::once(&key[..]))
			.map_err(|e| unavailable(format!("state of the finalized block: {e}")))?;
		let nodes = storage_proof
			.into_iter_nodes()
			.map(TrieNode::try_from)
			.collect::<Result<Vec<_>, _>>()
			.ok()
			.and_then(|nodes| BoundedVec::try_from(nodes).ok())
			.ok_or_else(|| unavailable("storage proof too large"))?;

		let proof = AnchorProof { record, block_proof, leaf, mmr_proof, header, root_proof: nodes };
		Ok(Some((proof, block)))
	}
}

const NO_STORAGE: &str = "the node has no off-chain storage";
const PRUNED: &str = "the anchor's block or its records are not on this node (pruned?)";

impl<C, S> IotchainApiServer for Iotchain<C, S>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: DevicesApi<Block, AccountId, DeviceInfo<Runtime>>
		+ AnchorsApi<Block, AccountId, BlockNumber, u64>
		+ AccessApi<Block, AccountId, BlockNumber, Grant<Runtime>>
		+ MmrApi<Block, H256, BlockNumber>,
	S: OffchainStorage + Clone + 'static,
{
	fn device(
		&self,
		device_id: H256,
		at: Option<Hash>,
	) -> RpcResult<Option<DeviceView<AccountId>>> {
		let device = self.client.runtime_api().device(self.at(at), device_id);
		Ok(device.map_err(runtime_error)?.map(|info| device_view(device_id, info)))
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
	) -> RpcResult<Option<AnchorHead<BlockNumber>>> {
		self.client.runtime_api().anchor_head(self.at(at), device_id, stream).map_err(runtime_error)
	}

	fn anchor(
		&self,
		device_id: H256,
		stream: StreamId,
		reading_seq: Seq,
	) -> RpcResult<Option<AnchorView<AccountId>>> {
		let finalized = self.client.info().finalized_number;
		let anchor = self.final_anchor(&device_id, stream, reading_seq, finalized)?;
		Ok(anchor.and_then(|(block, records, position)| {
			records.get(position).map(|record| AnchorView::new(record, block))
		}))
	}

	fn anchor_proof(
		&self,
		device_id: H256,
		stream: StreamId,
		anchor_seq: Seq,
		at: Option<Hash>,
	) -> RpcResult<Option<AnchorProofView<AccountId>>> {
		let finalized = self.finalized(at)?;
		let Some((proof, block)) = self.build_proof(&device_id, stream, anchor_seq, finalized)?
		else {
			return Ok(None);
		};
		Ok(Some(AnchorProofView {
			device: device_id,
			stream,
			seq: anchor_seq,
			anchor: AnchorView::new(&proof.record, block),
			block_hash: proof.leaf.block_hash,
			finalized: finalized.0,
			finalized_hash: finalized.1,
			proof: proof.encode().into(),
		}))
	}

	fn verify_reading(
		&self,
		device_id: H256,
		stream: StreamId,
		reading_seq: Seq,
		digest: H256,
		proof: Option<MerkleProofView>,
		at: Option<Hash>,
	) -> RpcResult<Verification<AccountId, BlockNumber, u64>> {
		let batch_proof = proof
			.map(|p| {
				p.to_proof().ok_or_else(|| {
					ErrorObject::owned(
						INVALID_PARAMS,
						format!("a Merkle proof has at most {MAX_MERKLE_PROOF_ITEMS} items"),
						None::<()>,
					)
				})
			})
			.transpose()?;
		let finalized = self.finalized(at)?;
		let Some(anchor_seq) = anchor_seq_of(reading_seq, batch_proof.as_ref()) else {
			return Ok(Verification::NotAnchored);
		};
		let Some((proof, _)) = self.build_proof(&device_id, stream, anchor_seq, finalized)? else {
			return Ok(Verification::NotAnchored);
		};
		// The proof is checked statelessly; whether the key was reported compromised is asked of
		// the registry as the best block knows it.
		let api = self.client.runtime_api();
		let best = self.client.info().best_hash;
		api.verify_reading(best, proof, finalized.1, reading_seq, digest, batch_proof)
			.map_err(runtime_error)?
			.map_err(|e| unavailable(format!("the node's own proof fails: {e:?}")))
	}

	fn check_access(
		&self,
		device_id: H256,
		who: AccountId,
		stream: StreamId,
		permission: Permission,
		at: Option<Hash>,
	) -> RpcResult<AccessView> {
		let api = self.client.runtime_api();
		let decision = api
			.check_access(self.at(at), device_id, who, stream, permission)
			.map_err(runtime_error)?;
		Ok(decision.into())
	}

	fn grants_of(
		&self,
		device_id: H256,
		start_after: Option<AccountId>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<GrantView<AccountId>>> {
		let limit = limit.unwrap_or(u32::MAX);
		let api = self.client.runtime_api();
		let grants =
			api.grants_of(self.at(at), device_id, start_after, limit).map_err(runtime_error)?;
		Ok(grants.into_iter().map(grant_view).collect())
	}
}
