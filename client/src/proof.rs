//! Anchor proofs on the client side: fetched from a node, checked here with the same function
//! the runtime runs ([`iotchain_primitives::AnchorProof::verify`]), saved to a file and checked
//! again later with no node at all.
//!
//! What is trusted: only the hash of one finalized block. Online, it is the connected node's
//! last finalized block (your own node); offline, the `--trusted-block` the caller got from a
//! source it trusts (its node, Polkadot.js, a light client). The proof itself comes from
//! whichever node served it and is never trusted.

use crate::{data, Error};
use iotchain_primitives::{json::MerkleProofView, AnchorProofError, MerkleProof, Seq};
use polkadot_sdk::sp_core::H256;
use serde::{Deserialize, Serialize};
use std::path::Path;
use subxt::utils::AccountId32;

/// An anchor proof, as the runtime and `iotchain-primitives` check it.
pub type AnchorProof = iotchain_primitives::AnchorProof<AccountId32, u64>;

/// An anchor proven against a trusted block.
pub type ProvenAnchor = iotchain_primitives::ProvenAnchor<AccountId32, u64>;

/// What the chain says about a reading.
pub type Verification = iotchain_primitives::Verification<AccountId32, u32, u64>;

/// The answer of the node's `iotchain_anchorProof`: the anchor, readable, and the SCALE-encoded
/// [`AnchorProof`] verifiers check (the readable fields are not checked: the proof is).
pub type AnchorProofView = iotchain_primitives::json::AnchorProofView<AccountId32>;

/// The proof of `view`, decoded.
pub fn decode(view: &AnchorProofView) -> Result<AnchorProof, Error> {
	view.decode_proof().map_err(|e| Error::Input(format!("the anchor proof does not decode: {e}")))
}

/// A batch proof as the runtime takes it, from its JSON view.
pub fn batch_proof(view: &MerkleProofView) -> Result<MerkleProof, Error> {
	view.to_proof().ok_or_else(|| {
		Error::Input(format!(
			"a batch proof holds at most {} hashes",
			iotchain_primitives::MAX_MERKLE_PROOF_ITEMS
		))
	})
}

/// The reading a proof file is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadingClaim {
	/// The reading's own sequence number.
	pub seq: Seq,
	/// Its digest.
	pub digest: H256,
	/// Its Merkle proof in its batch, if it was batched.
	pub batch_proof: Option<MerkleProofView>,
}

/// What `iotctl verify --proof-out` writes and `iotctl verify --offline` reads: a reading and
/// the proof of the anchor that holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnchorProofFile {
	pub reading: ReadingClaim,
	pub anchor_proof: AnchorProofView,
}

/// Why a reading is not verified offline.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OfflineFailure {
	/// The proof does not hold: it was tampered with, or is against another block.
	#[error("the proof does not hold: {0:?}")]
	BadProof(AnchorProofError),
	/// The proof holds, for an anchor of another device or stream than the file says.
	#[error("the proof is for another device or stream")]
	OtherStream,
	/// The proof holds, but the anchor is not this reading (other data, or a bad batch proof).
	#[error("the anchor holds another fingerprint: the data was modified")]
	Mismatch,
}

impl AnchorProofFile {
	/// Reads an anchor proof file.
	pub fn read(path: &Path) -> Result<Self, Error> {
		data::read_json(path, "anchor proof file")
	}

	/// Writes the anchor proof file.
	pub fn write(&self, path: &Path) -> Result<(), Error> {
		data::write_json(self, path, "anchor proof file")
	}

	/// Checks, with no node, that the reading (with `digest`, default the file's) is the one
	/// anchored, and the anchor is in the chain whose finalized block `trusted_block` is.
	pub fn verify(
		&self,
		trusted_block: &H256,
		digest: Option<H256>,
	) -> Result<Result<ProvenAnchor, OfflineFailure>, Error> {
		let proof = decode(&self.anchor_proof)?;
		let batch_proof = self.reading.batch_proof.as_ref().map(batch_proof).transpose()?;
		let proven = match proof.verify(trusted_block) {
			Ok(proven) => proven,
			Err(e) => return Ok(Err(OfflineFailure::BadProof(e))),
		};
		let record = &proven.record;
		if record.device_id != self.anchor_proof.device || record.stream != self.anchor_proof.stream
		{
			return Ok(Err(OfflineFailure::OtherStream));
		}
		let digest = digest.unwrap_or(self.reading.digest);
		if !record.proves(self.reading.seq, &digest, batch_proof.as_ref()) {
			return Ok(Err(OfflineFailure::Mismatch));
		}
		Ok(Ok(proven))
	}
}
