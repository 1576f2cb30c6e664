//! Types stored by the anchors pallet.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::BlockNumberFor;
use polkadot_sdk::{sp_core::H256, *};
use scale_info::TypeInfo;

/// The chain's clock value type.
pub type MomentOf<T> = <<T as Config>::Time as Time>::Moment;

/// Where an anchor's off-chain data is: at most `MaxUriLen` bytes, in the call itself (a
/// longer one does not decode).
pub type UriOf<T> = BoundedVec<u8, <T as Config>::MaxUriLen>;

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

/// One anchor, as recorded forever.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct AnchorRecord<T: Config> {
	/// A reading or a batch.
	pub kind: AnchorKind,
	/// The reading's digest, or the batch's Merkle root.
	pub digest: H256,
	/// The block it was anchored in.
	pub block: BlockNumberFor<T>,
	/// That block's timestamp.
	pub timestamp: MomentOf<T>,
	/// Who submitted it: the device key, the owner or a gateway.
	pub submitter: T::AccountId,
	/// Where the off-chain data is (an IPFS CID, a URL, …), if given.
	pub uri: Option<UriOf<T>>,
}

/// The free anchors a device used in a window.
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
pub struct QuotaUsage<BlockNumber> {
	/// The first block of the window.
	pub window_start: BlockNumber,
	/// Free anchors used in it.
	pub used: u32,
}
