//! Anchor proofs: how one anchor record is tied, hash by hash, to a finalized block that a
//! verifier trusts, and the one function that checks it (used by the runtime API, the node and
//! `iotctl verify --offline`).
//!
//! ```text
//! trusted block hash ══ blake2_256(header)
//!   header.state_root ── storage proof ──▶ Mmr::RootHash           (the chain-wide accumulator)
//!     MMR root ── MMR leaf proof ──▶ BlockAnchors leaf of block N   (appended in block N + 1)
//!       leaf.root ── Merkle proof ──▶ SCALE(AnchorRecord)          (the block's anchors)
//!         record.digest ── batch proof ──▶ one reading             (when batched)
//! ```
//!
//! Nothing in the chain's state grows with anchors: the records live in blocks' off-chain index
//! of every node, the state holds one MMR root and peaks.

use crate::{AnchorRecord, MerkleProof};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	binary_merkle_tree::{self, Leaf},
	pallet_mmr::{self, primitives::LeafProof},
	sp_core::{bounded::BoundedVec, ConstU32, H256},
	sp_crypto_hashing::{blake2_256, twox_128},
	sp_mmr_primitives::DataOrHash,
	sp_runtime::{generic::Header, traits::BlakeTwo256},
	sp_trie::{read_trie_value, LayoutV1, StorageProof},
};
use scale_info::TypeInfo;

/// The chain's block number type.
pub type BlockNumber = u32;

/// The header of an iotchain block.
pub type BlockHeader = Header<BlockNumber, BlakeTwo256>;

/// The name of the MMR pallet in the runtime (whose `RootHash` the storage proof reads).
pub const MMR_PALLET: &[u8] = b"Mmr";

/// The prefix of the MMR's nodes in the off-chain index (`pallet_mmr::Config::INDEXING_PREFIX`).
pub const MMR_INDEXING_PREFIX: &[u8] = b"mmr";

/// The prefix of a block's anchor records in the off-chain index.
pub const BLOCK_ANCHORS_PREFIX: &[u8] = b"iotchain:anchors:block";

/// The storage key of the MMR root: `twox_128("Mmr") ‖ twox_128("RootHash")`.
pub fn mmr_root_key() -> [u8; 32] {
	let mut key = [0u8; 32];
	key[..16].copy_from_slice(&twox_128(MMR_PALLET));
	key[16..].copy_from_slice(&twox_128(b"RootHash"));
	key
}

/// The off-chain index key under which the runtime stores the anchor records of the block with
/// hash `block_hash` (a SCALE `Vec<AnchorRecord>` in anchoring order). Written by the block's
/// child, the first block that knows its hash, so blocks on competing forks never share a key.
pub fn block_anchors_key(block_hash: &H256) -> Vec<u8> {
	(BLOCK_ANCHORS_PREFIX, block_hash).encode()
}

/// The root committing to the anchors of one block: the binary Merkle root (blake2-256) of the
/// SCALE encodings of its records, in anchoring order; zero for a block without anchors.
pub fn block_anchors_root<R: Encode>(records: &[R]) -> H256 {
	binary_merkle_tree::merkle_root::<BlakeTwo256, _>(records.iter().map(Encode::encode))
}

/// The proof that the record at `index` is among `records`, or `None` if `index` is out of
/// them.
pub fn block_anchors_proof<R: Encode>(records: &[R], index: u32) -> Option<MerkleProof> {
	if index as usize >= records.len() {
		return None;
	}
	let proof = binary_merkle_tree::merkle_proof::<BlakeTwo256, _, _>(
		records.iter().map(Encode::encode),
		index,
	);
	Some(MerkleProof {
		leaf_index: index,
		number_of_leaves: proof.number_of_leaves,
		// A tree of at most `u32::MAX` leaves is at most 32 levels deep.
		items: BoundedVec::truncate_from(proof.proof),
	})
}

/// The MMR leaf of one block's anchors. Block `N + 1` appends the leaf of block `N` (the MMR
/// pallet builds a leaf when a block starts, and only then is `N`'s hash known), so the
/// anchors of block `N` become provable once block `N + 1` is final.
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
pub struct BlockAnchors {
	/// The block the anchors are in.
	pub block: BlockNumber,
	/// Its hash.
	pub block_hash: H256,
	/// [`block_anchors_root`] of its anchors.
	pub root: H256,
	/// How many anchors it has.
	pub count: u32,
}

/// The most hashes in an MMR proof of one leaf: at most 64 peaks and path nodes for 2⁶⁴ leaves.
pub const MAX_MMR_PROOF_ITEMS: u32 = 128;

/// The proof that one leaf is in the MMR (pallet-mmr's `LeafProof` for a single leaf).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct MmrProof {
	/// The leaf's index: its block number minus the first block with a leaf.
	pub leaf_index: u64,
	/// The number of leaves in the MMR whose root the proof is against.
	pub leaf_count: u64,
	/// The sibling and peak hashes.
	pub items: BoundedVec<H256, ConstU32<MAX_MMR_PROOF_ITEMS>>,
}

impl MmrProof {
	/// The single-leaf proof of a pallet-mmr `LeafProof`, if it is one.
	pub fn from_leaf_proof(proof: LeafProof<H256>) -> Option<Self> {
		let [leaf_index] = proof.leaf_indices[..] else { return None };
		Some(Self {
			leaf_index,
			leaf_count: proof.leaf_count,
			items: BoundedVec::try_from(proof.items).ok()?,
		})
	}
}

/// The most trie nodes in the storage proof of the MMR root.
pub const MAX_ROOT_PROOF_NODES: u32 = 64;

/// The largest trie node in it (a branch node with 16 children is 530 bytes at most).
pub const MAX_TRIE_NODE_LEN: u32 = 1024;

/// One trie node.
pub type TrieNode = BoundedVec<u8, ConstU32<MAX_TRIE_NODE_LEN>>;

/// Everything a verifier needs to check one anchor against a block it trusts, without trusting
/// whoever hands it over (`iotchain_anchorProof` serves it).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct AnchorProof<AccountId, Moment> {
	/// The anchor.
	pub record: AnchorRecord<AccountId, Moment, Vec<u8>>,
	/// The record's place among its block's anchors ([`block_anchors_root`]).
	pub block_proof: MerkleProof,
	/// The MMR leaf of the record's block.
	pub leaf: BlockAnchors,
	/// The leaf's place in the MMR whose root is in `header`'s state.
	pub mmr_proof: MmrProof,
	/// The header of the finalized block the proof is against.
	pub header: BlockHeader,
	/// The trie nodes proving `Mmr::RootHash` under `header.state_root`.
	pub root_proof: BoundedVec<TrieNode, ConstU32<MAX_ROOT_PROOF_NODES>>,
}

/// Why an anchor proof does not hold.
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
pub enum AnchorProofError {
	/// The header does not hash to the trusted block hash.
	UntrustedHeader,
	/// The storage proof does not yield an MMR root under the header's state root.
	BadRootProof,
	/// The leaf is not in the MMR with that root.
	BadMmrProof,
	/// The record is not among the anchors the leaf commits to.
	BadBlockProof,
}

/// An anchor proven against a trusted block.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ProvenAnchor<AccountId, Moment> {
	/// The anchor.
	pub record: AnchorRecord<AccountId, Moment, Vec<u8>>,
	/// The block it is in.
	pub block: BlockNumber,
	/// That block's hash.
	pub block_hash: H256,
	/// The trusted block it was proven against.
	pub finalized: BlockNumber,
}

impl<AccountId: Encode + Clone, Moment: Encode + Clone> AnchorProof<AccountId, Moment> {
	/// Checks the whole chain of hashes from the record up to `trusted_block` (the hash of a
	/// finalized block the verifier got from a source it trusts).
	pub fn verify(
		&self,
		trusted_block: &H256,
	) -> Result<ProvenAnchor<AccountId, Moment>, AnchorProofError> {
		if H256(blake2_256(&self.header.encode())) != *trusted_block {
			return Err(AnchorProofError::UntrustedHeader);
		}

		let nodes = self.root_proof.iter().map(|node| node.to_vec());
		let db = StorageProof::new(nodes).into_memory_db::<BlakeTwo256>();
		let mmr_root = read_trie_value::<LayoutV1<BlakeTwo256>, _>(
			&db,
			&self.header.state_root,
			&mmr_root_key(),
			None,
			None,
		)
		.ok()
		.flatten()
		.and_then(|value| H256::decode(&mut &value[..]).ok())
		.ok_or(AnchorProofError::BadRootProof)?;

		let leaf_proof = LeafProof {
			leaf_indices: [self.mmr_proof.leaf_index].into(),
			leaf_count: self.mmr_proof.leaf_count,
			items: self.mmr_proof.items.to_vec(),
		};
		pallet_mmr::verify_leaves_proof::<BlakeTwo256, BlockAnchors>(
			mmr_root,
			[DataOrHash::Data(self.leaf)].into(),
			leaf_proof,
		)
		.map_err(|_| AnchorProofError::BadMmrProof)?;

		let proof = &self.block_proof;
		let leaf = self.record.encode();
		let in_block = proof.number_of_leaves == self.leaf.count
			&& binary_merkle_tree::verify_proof::<BlakeTwo256, _, _>(
				&self.leaf.root,
				proof.items.iter().copied(),
				proof.number_of_leaves,
				proof.leaf_index,
				Leaf::Value(&leaf[..]),
			);
		if !in_block {
			return Err(AnchorProofError::BadBlockProof);
		}

		Ok(ProvenAnchor {
			record: self.record.clone(),
			block: self.leaf.block,
			block_hash: self.leaf.block_hash,
			finalized: self.header.number,
		})
	}
}
