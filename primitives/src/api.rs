//! The runtime APIs clients call (through the node's RPC or `state_call`).

use crate::{AnchorHead, DeviceId, MerkleProof, Seq, StreamId, Verification};
use codec::Codec;
use polkadot_sdk::{sp_api, sp_core::H256};

sp_api::decl_runtime_apis! {
	/// Verification of anchored data.
	pub trait AnchorsApi<AccountId, BlockNumber, Moment>
	where
		AccountId: Codec,
		BlockNumber: Codec,
		Moment: Codec,
	{
		/// What the chain says about reading `seq` of `stream` of `device` with `digest`. A
		/// reading anchored in a batch needs its Merkle `proof`.
		fn verify_reading(
			device: DeviceId,
			stream: StreamId,
			seq: Seq,
			digest: H256,
			proof: Option<MerkleProof>,
		) -> Verification<AccountId, BlockNumber, Moment>;

		/// The head of `stream` of `device`, if anything was anchored on it.
		fn anchor_head(device: DeviceId, stream: StreamId) -> Option<AnchorHead<BlockNumber>>;
	}
}
