//! The runtime APIs clients call (through the node's RPC or `state_call`).

use crate::{
	AccessDecision, AnchorHead, AnchorProof, AnchorProofError, DeviceId, MerkleProof, Permission,
	ProvenAnchor, Seq, StreamId, Verification,
};
use alloc::vec::Vec;
use codec::Codec;
use polkadot_sdk::{sp_api, sp_core::H256};

sp_api::decl_runtime_apis! {
	/// Stream heads and the verification of anchored data.
	pub trait AnchorsApi<AccountId, BlockNumber, Moment>
	where
		AccountId: Codec,
		BlockNumber: Codec,
		Moment: Codec,
	{
		/// The head of `stream` of `device`, if anything was anchored on it.
		fn anchor_head(device: DeviceId, stream: StreamId) -> Option<AnchorHead<BlockNumber>>;

		/// Checks `proof` from its record up to `trusted_block`, the hash of a finalized block
		/// the caller trusts. Stateless: the answer does not depend on the block it is called
		/// at.
		fn verify_anchor_proof(
			proof: AnchorProof<AccountId, Moment>,
			trusted_block: H256,
		) -> Result<ProvenAnchor<AccountId, Moment>, AnchorProofError>;

		/// What `proof` (checked as by `verify_anchor_proof`) says about reading `seq` with
		/// `digest`, with its Merkle `batch_proof` if it was batched: `Anchored` (and whether
		/// it was anchored while the device's key was reported compromised) or `Mismatch`.
		fn verify_reading(
			proof: AnchorProof<AccountId, Moment>,
			trusted_block: H256,
			seq: Seq,
			digest: H256,
			batch_proof: Option<MerkleProof>,
		) -> Result<Verification<AccountId, BlockNumber, Moment>, AnchorProofError>;
	}
}

sp_api::decl_runtime_apis! {
	/// The device registry.
	pub trait DevicesApi<AccountId, Device>
	where
		AccountId: Codec,
		Device: Codec,
	{
		/// The record of `device`, if registered (and not retired).
		fn device(device: DeviceId) -> Option<Device>;

		/// The device whose current key is `key`.
		fn device_by_key(key: AccountId) -> Option<DeviceId>;

		/// The devices of `owner`, in storage order: at most `limit` (capped at 100), after
		/// `start_after` if given (pass the last id of a page to get the next page).
		fn devices_of(owner: AccountId, start_after: Option<DeviceId>, limit: u32) -> Vec<DeviceId>;
	}
}

sp_api::decl_runtime_apis! {
	/// Access checks for off-chain data services.
	pub trait AccessApi<AccountId, BlockNumber, Grant>
	where
		AccountId: Codec,
		BlockNumber: Codec,
		Grant: Codec,
	{
		/// Whether `who` may exercise `permission` on `stream` of `device` now (the owner always
		/// may), until when, and the grantee's encryption key.
		fn check_access(
			device: DeviceId,
			who: AccountId,
			stream: StreamId,
			permission: Permission,
		) -> AccessDecision<BlockNumber>;

		/// The grants on `device`, in storage order: at most `limit` of them, after grantee
		/// `start_after` if given (pass the last grantee of a page to get the next page).
		fn grants_of(
			device: DeviceId,
			start_after: Option<AccountId>,
			limit: u32,
		) -> Vec<(AccountId, Grant)>;
	}
}
