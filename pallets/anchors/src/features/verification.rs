//! Answers to "is this anchored?" (the `AnchorsApi` runtime API).

use crate::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::UniqueSaturatedInto;

/// An anchor proof as the runtime API takes it.
pub type AnchorProofOf<T> = AnchorProof<<T as frame_system::Config>::AccountId, MomentOf<T>>;

impl<T: Config> Pallet<T> {
	/// Checks `proof` against `trusted_block`, the hash of a finalized block the caller trusts
	/// ([`AnchorProof::verify`]; stateless).
	pub fn verify_anchor_proof(
		proof: AnchorProofOf<T>,
		trusted_block: H256,
	) -> Result<ProvenAnchor<T::AccountId, MomentOf<T>>, AnchorProofError> {
		proof.verify(&trusted_block)
	}

	/// What `proof` says about reading `seq` with `digest` (and its `batch_proof` if it was
	/// batched): `Anchored`, with `suspect` set when the anchor's block falls in a period the
	/// device's key was reported compromised, or `Mismatch` when the proven anchor is not this
	/// reading.
	pub fn verify_reading(
		proof: AnchorProofOf<T>,
		trusted_block: H256,
		seq: Seq,
		digest: H256,
		batch_proof: Option<MerkleProof>,
	) -> Result<Verification<T::AccountId, BlockNumberFor<T>, MomentOf<T>>, AnchorProofError> {
		let proven = proof.verify(&trusted_block)?;
		let record = proven.record;
		if !record.proves(seq, &digest, batch_proof.as_ref()) {
			return Ok(Verification::Mismatch);
		}
		let block: BlockNumberFor<T> = proven.block.into();
		Ok(Verification::Anchored {
			block,
			timestamp: record.timestamp,
			suspect: T::Registry::is_suspect(&record.device_id, block),
			submitter: record.submitter,
			custody: record.custody,
		})
	}

	/// The head of `stream` of `device_id`, if anything was anchored on it.
	pub fn anchor_head(
		device_id: DeviceId,
		stream: StreamId,
	) -> Option<AnchorHead<BlockNumberFor<T>>> {
		Heads::<T>::get(device_id, stream)
	}

	/// The MMR leaf of the previous block (see the pallet docs): its number and hash, and the
	/// commitment to its anchors.
	pub fn parent_leaf() -> iotchain_primitives::BlockAnchors {
		let now: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
		let (root, count) = BlockCommitment::<T>::get().unwrap_or_default();
		iotchain_primitives::BlockAnchors {
			block: now.saturating_sub(1),
			block_hash: frame_system::Pallet::<T>::parent_hash(),
			root,
			count,
		}
	}
}
