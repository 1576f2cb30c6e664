//! Data anchoring: the per-stream hash chain, Merkle batches of readings, and what verification
//! answers. Runtime and clients compute these with the same code.

use crate::{Custody, DeviceId};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	binary_merkle_tree::{self, Leaf},
	sp_core::{bounded::BoundedVec, ConstU32, H256},
	sp_crypto_hashing::blake2_256,
	sp_runtime::traits::BlakeTwo256,
};
use scale_info::TypeInfo;

/// An application-defined data stream of a device (temperature, GPS, …).
pub type StreamId = u32;

/// A reading's sequence number, assigned by the device. Each stream starts at 1.
pub type Seq = u64;

/// The head of a stream before its first anchor.
pub const GENESIS_HEAD: H256 = H256::zero();

/// One step of a stream's hash chain: `blake2_256(prev ‖ seq ‖ digest)`, with `seq` as 8
/// little-endian bytes. For a batch, `seq` is its first sequence number and `digest` its Merkle
/// root.
pub fn next_head(prev: &H256, seq: Seq, digest: &H256) -> H256 {
	H256(blake2_256(&(prev, seq, digest).encode()))
}

/// The head of a chain that starts at [`GENESIS_HEAD`] and goes through `steps` in order.
pub fn fold_heads<'a>(steps: impl IntoIterator<Item = (Seq, &'a H256)>) -> H256 {
	steps.into_iter().fold(GENESIS_HEAD, |head, (seq, digest)| next_head(&head, seq, digest))
}

/// The Merkle leaf of reading `seq` with `digest`: `seq ‖ digest` (8 + 32 bytes). The tree
/// hashes it with blake2-256, so the leaf hash is `blake2_256(seq ‖ digest)`.
pub fn leaf(seq: Seq, digest: &H256) -> [u8; 40] {
	let mut leaf = [0u8; 40];
	leaf[..8].copy_from_slice(&seq.to_le_bytes());
	leaf[8..].copy_from_slice(digest.as_bytes());
	leaf
}

/// The Merkle root of a batch of readings with consecutive sequence numbers from `first_seq`.
pub fn merkle_root(first_seq: Seq, digests: &[H256]) -> H256 {
	binary_merkle_tree::merkle_root::<BlakeTwo256, _>(leaves(first_seq, digests))
}

/// The proof that the reading at `index` of a batch is in the batch's Merkle root; `None` if
/// `index` is out of the batch.
pub fn merkle_proof(first_seq: Seq, digests: &[H256], index: u32) -> Option<MerkleProof> {
	if index as usize >= digests.len() {
		return None;
	}
	let proof =
		binary_merkle_tree::merkle_proof::<BlakeTwo256, _, _>(leaves(first_seq, digests), index);
	Some(MerkleProof {
		leaf_index: index,
		number_of_leaves: proof.number_of_leaves,
		// A tree of at most `u32::MAX` leaves is at most 32 levels deep.
		items: BoundedVec::truncate_from(proof.proof),
	})
}

fn leaves(first_seq: Seq, digests: &[H256]) -> Vec<[u8; 40]> {
	digests
		.iter()
		.enumerate()
		.map(|(i, digest)| leaf(first_seq.saturating_add(i as Seq), digest))
		.collect()
}

/// The most sibling hashes a [`MerkleProof`] holds: the depth of a tree of `u32::MAX` leaves.
pub const MAX_MERKLE_PROOF_ITEMS: u32 = 32;

/// The proof that a reading is one leaf of a batch's Merkle root.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct MerkleProof {
	/// The reading's position in the batch (its `seq` minus the batch's first `seq`).
	pub leaf_index: u32,
	/// The number of readings in the batch.
	pub number_of_leaves: u32,
	/// The sibling hashes from the leaf up to the root: at most [`MAX_MERKLE_PROOF_ITEMS`], so
	/// a longer proof does not even decode.
	pub items: BoundedVec<H256, ConstU32<MAX_MERKLE_PROOF_ITEMS>>,
}

impl MerkleProof {
	/// Whether this proves that reading `seq` with `digest` is in the batch with `root`.
	pub fn verify(&self, root: &H256, seq: Seq, digest: &H256) -> bool {
		let leaf = leaf(seq, digest);
		binary_merkle_tree::verify_proof::<BlakeTwo256, _, _>(
			root,
			self.items.iter().copied(),
			self.number_of_leaves,
			self.leaf_index,
			Leaf::Value(&leaf[..]),
		)
	}
}

/// What an anchor commits to.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum AnchorKind {
	/// One reading: the record's digest is the reading's digest.
	Reading,
	/// `count` readings with consecutive sequence numbers: the record's digest is their
	/// Merkle root.
	Batch {
		/// The number of readings.
		count: u32,
	},
}

impl AnchorKind {
	/// The number of readings the anchor covers.
	pub fn readings(&self) -> u32 {
		match self {
			AnchorKind::Reading => 1,
			AnchorKind::Batch { count } => *count,
		}
	}
}

/// One anchor, as its block commits to it ([`crate::block_anchors_root`]) and nodes keep it in
/// their off-chain index. The block number is the block's, in its MMR leaf. `Uri` is the URI's
/// byte container (a bounded vector in the runtime, `Vec<u8>` in clients; both encode alike).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct AnchorRecord<AccountId, Moment, Uri> {
	/// The device whose data it is.
	pub device_id: DeviceId,
	/// The device's stream.
	pub stream: StreamId,
	/// The reading's sequence number, or a batch's first.
	pub seq: Seq,
	/// A reading or a batch.
	pub kind: AnchorKind,
	/// The reading's digest, or the batch's Merkle root.
	pub digest: H256,
	/// Who submitted it: the device key, the owner or a gateway.
	pub submitter: AccountId,
	/// Who held the device's key when it was anchored, as the registry recorded it.
	pub custody: Custody<AccountId>,
	/// The timestamp of its block (milliseconds since the Unix epoch).
	pub timestamp: Moment,
	/// Where the off-chain data is (an IPFS CID, a URL, …), if given.
	pub uri: Option<Uri>,
}

impl<AccountId, Moment, Uri> AnchorRecord<AccountId, Moment, Uri> {
	/// Whether this anchor proves reading `seq` with `digest`: a single reading by equality, a
	/// reading in a batch by its Merkle `proof` against the batch's root.
	pub fn proves(&self, seq: Seq, digest: &H256, proof: Option<&MerkleProof>) -> bool {
		match (self.kind, proof) {
			(AnchorKind::Reading, None) => self.seq == seq && self.digest == *digest,
			(AnchorKind::Batch { count }, Some(proof)) => {
				proof.number_of_leaves == count
					&& self.seq.checked_add(Seq::from(proof.leaf_index)) == Some(seq)
					&& proof.verify(&self.digest, seq, digest)
			},
			_ => false,
		}
	}
}

/// The sequence number of the anchor that covers reading `seq`, given the reading's batch
/// `proof` if it was batched (a batch is anchored under its first `seq`).
pub fn anchor_seq_of(seq: Seq, proof: Option<&MerkleProof>) -> Option<Seq> {
	seq.checked_sub(proof.map_or(0, |proof| Seq::from(proof.leaf_index)))
}

/// The head of a device's stream.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct AnchorHead<BlockNumber> {
	/// The last sequence number anchored (0 before the first anchor).
	pub seq: Seq,
	/// The hash chain's head: the fold of [`next_head`] over the stream's anchors.
	pub head: H256,
	/// The number of anchors (single readings and batches) in the stream.
	pub count: u64,
	/// The block of the last anchor.
	pub last_block: BlockNumber,
}

/// What the chain says about a reading.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "camelCase"))]
pub enum Verification<AccountId, BlockNumber, Moment> {
	/// The reading is anchored as claimed.
	Anchored {
		/// The block it was anchored in.
		block: BlockNumber,
		/// That block's timestamp (milliseconds since the Unix epoch).
		timestamp: Moment,
		/// The account that submitted it (the device key, its owner or a gateway).
		submitter: AccountId,
		/// Who held the device's key when it was anchored: the device itself, or a gateway
		/// that anchors for a key-less sensor.
		custody: Custody<AccountId>,
		/// Whether it was anchored while the device's key was reported compromised.
		suspect: bool,
	},
	/// Nothing is anchored at that sequence number (or the proof names a batch that is not).
	NotAnchored,
	/// Something else is anchored there: the data or its proof does not match.
	Mismatch,
}

#[cfg(test)]
mod tests {
	use super::*;

	fn digests(n: usize) -> Vec<H256> {
		(0..n).map(|i| H256(blake2_256(&(i as u64).to_le_bytes()))).collect()
	}

	#[test]
	fn next_head_hashes_prev_seq_and_digest() {
		let (prev, digest) = (H256::repeat_byte(1), H256::repeat_byte(2));
		let mut preimage = Vec::new();
		preimage.extend_from_slice(prev.as_bytes());
		preimage.extend_from_slice(&7u64.to_le_bytes());
		preimage.extend_from_slice(digest.as_bytes());
		assert_eq!(next_head(&prev, 7, &digest), H256(blake2_256(&preimage)));
		assert_ne!(next_head(&prev, 8, &digest), next_head(&prev, 7, &digest));
		let d = digests(2);
		assert_eq!(
			fold_heads([(1, &d[0]), (2, &d[1])]),
			next_head(&next_head(&GENESIS_HEAD, 1, &d[0]), 2, &d[1])
		);
	}

	#[test]
	fn every_leaf_of_a_batch_proves_and_forgeries_do_not() {
		for n in [1usize, 2, 3, 7, 100] {
			let d = digests(n);
			let root = merkle_root(10, &d);
			for index in 0..n as u32 {
				let proof = merkle_proof(10, &d, index).expect("index in batch");
				let seq = 10 + index as u64;
				assert!(proof.verify(&root, seq, &d[index as usize]), "leaf {index} of {n}");
				// Another digest, another seq, another root: refused.
				assert!(!proof.verify(&root, seq, &H256::repeat_byte(0xee)));
				assert!(!proof.verify(&root, seq + 1, &d[index as usize]));
				assert!(!proof.verify(&merkle_root(11, &d), seq, &d[index as usize]));
			}
			assert!(merkle_proof(10, &d, n as u32).is_none());
		}
	}

	#[test]
	fn a_tampered_proof_fails() {
		let d = digests(8);
		let root = merkle_root(1, &d);
		let mut proof = merkle_proof(1, &d, 3).unwrap();
		proof.items[0] = H256::repeat_byte(9);
		assert!(!proof.verify(&root, 4, &d[3]));
		let mut moved = merkle_proof(1, &d, 3).unwrap();
		moved.leaf_index = 4;
		assert!(!moved.verify(&root, 4, &d[3]));
	}

	fn record(seq: Seq, kind: AnchorKind, digest: H256) -> AnchorRecord<u64, u64, Vec<u8>> {
		AnchorRecord {
			device_id: DeviceId::repeat_byte(1),
			stream: 7,
			seq,
			kind,
			digest,
			submitter: 2,
			custody: Custody::Device,
			timestamp: 1_000,
			uri: None,
		}
	}

	#[test]
	fn a_record_proves_its_reading_and_nothing_else() {
		let d = digests(1);
		let single = record(5, AnchorKind::Reading, d[0]);
		assert!(single.proves(5, &d[0], None));
		assert!(!single.proves(5, &H256::repeat_byte(9), None));
		assert!(!single.proves(6, &d[0], None));
		// A single reading is not a batch: a proof does not apply to it.
		let proof = merkle_proof(5, &d, 0).unwrap();
		assert!(!single.proves(5, &d[0], Some(&proof)));
	}

	#[test]
	fn a_batch_record_proves_each_reading_with_its_proof() {
		let d = digests(5);
		let batch = record(2, AnchorKind::Batch { count: 5 }, merkle_root(2, &d));
		for index in [0u32, 2, 4] {
			let seq = 2 + index as u64;
			let proof = merkle_proof(2, &d, index).unwrap();
			assert!(batch.proves(seq, &d[index as usize], Some(&proof)));
			assert_eq!(anchor_seq_of(seq, Some(&proof)), Some(2));
			// Another reading, the proof of another batch, or no proof: refused.
			assert!(!batch.proves(seq, &H256::repeat_byte(9), Some(&proof)));
			assert!(!batch.proves(seq, &d[index as usize], None));
		}
		let forged = merkle_proof(2, &digests(4), 1).unwrap();
		assert!(!batch.proves(3, &d[1], Some(&forged)));
	}
}
