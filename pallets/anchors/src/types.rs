//! Types stored by the anchors pallet.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, traits::Time};
use polkadot_sdk::*;
use scale_info::TypeInfo;

/// The chain's clock value type.
pub type MomentOf<T> = <<T as Config>::Time as Time>::Moment;

/// Where an anchor's off-chain data is: at most `MaxUriLen` bytes, in the call itself (a
/// longer one does not decode).
pub type UriOf<T> = BoundedVec<u8, <T as Config>::MaxUriLen>;

/// An anchor's record, as its block commits to it and the off-chain index keeps it.
pub type AnchorRecordOf<T> = iotchain_primitives::AnchorRecord<
	<T as frame_system::Config>::AccountId,
	MomentOf<T>,
	UriOf<T>,
>;

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
