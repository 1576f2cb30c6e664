//! Answers to "is this reading anchored?" (the `AnchorsApi` runtime API).

use crate::*;
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// What the chain says about reading `seq` of `stream` of `device_id` with `digest`.
	///
	/// A reading anchored alone is checked against its record; a reading in a batch needs the
	/// Merkle `proof`, whose `leaf_index` locates the batch (anchored under
	/// `seq - leaf_index`). `suspect` is set when the anchor's block falls in a period the
	/// device's key was reported compromised.
	pub fn verify_reading(
		device_id: DeviceId,
		stream: StreamId,
		seq: Seq,
		digest: H256,
		proof: Option<MerkleProof>,
	) -> Verification<T::AccountId, BlockNumberFor<T>, MomentOf<T>> {
		let key_seq = match &proof {
			None => seq,
			Some(proof) => match seq.checked_sub(Seq::from(proof.leaf_index)) {
				Some(first_seq) => first_seq,
				None => return Verification::NotAnchored,
			},
		};
		let Some(record) = Anchors::<T>::get((device_id, stream, key_seq)) else {
			return Verification::NotAnchored;
		};
		let matches = match (record.kind, proof) {
			(AnchorKind::Reading, None) => record.digest == digest,
			(AnchorKind::Batch { count }, Some(proof)) => {
				proof.number_of_leaves == count && proof.verify(&record.digest, seq, &digest)
			},
			_ => false,
		};
		if !matches {
			return Verification::Mismatch;
		}
		Verification::Anchored {
			block: record.block,
			timestamp: record.timestamp,
			suspect: T::Registry::is_suspect(&device_id, record.block),
			submitter: record.submitter,
		}
	}

	/// The anchor recorded under `seq` of `stream` of `device_id`.
	pub fn anchor_record(
		device_id: DeviceId,
		stream: StreamId,
		seq: Seq,
	) -> Option<AnchorRecord<T>> {
		Anchors::<T>::get((device_id, stream, seq))
	}

	/// The head of `stream` of `device_id`, if anything was anchored on it.
	pub fn anchor_head(
		device_id: DeviceId,
		stream: StreamId,
	) -> Option<AnchorHead<BlockNumberFor<T>>> {
		Heads::<T>::get(device_id, stream)
	}
}
