//! Types stored by the device registry.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, traits::fungible, DefaultNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use iotchain_primitives::{Custody, DeviceStatus};
use polkadot_sdk::{sp_core::H256, *};
use scale_info::TypeInfo;

pub(crate) type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Descriptive data of a device: at most `StringLimit` bytes per field, so a call with longer
/// fields does not even decode (it is refused before it reaches the transaction pool).
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(StringLimit))]
pub struct DeviceMetadata<StringLimit: Get<u32>> {
	/// Device model, e.g. `TH-200`.
	pub model: BoundedVec<u8, StringLimit>,
	/// Manufacturer, e.g. `Acme Sensors`.
	pub manufacturer: BoundedVec<u8, StringLimit>,
	/// The manufacturer's serial number (the device id is derived from the device's key, not
	/// from this).
	pub serial: BoundedVec<u8, StringLimit>,
	/// The owner's own label, e.g. `greenhouse 3, north wall`.
	pub label: BoundedVec<u8, StringLimit>,
}

impl<StringLimit: Get<u32>> DeviceMetadata<StringLimit> {
	/// The number of bytes the fields hold: what the per-byte deposit is charged on.
	pub fn byte_len(&self) -> u32 {
		[&self.model, &self.manufacturer, &self.serial, &self.label]
			.iter()
			.fold(0u32, |len, field| len.saturating_add(field.len() as u32))
	}
}

/// The metadata type of the runtime's `StringLimit`.
pub type DeviceMetadataOf<T> = DeviceMetadata<<T as Config>::StringLimit>;

/// An offer to transfer a device, open until `expires_at`.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TransferOffer<AccountId, BlockNumber> {
	/// The account the device is offered to.
	pub to: AccountId,
	/// The first block at which the offer can no longer be accepted.
	pub expires_at: BlockNumber,
}

/// A period during which a device's key is suspected to have been misused: from `since` up to,
/// not including, `until` (the block the key was rotated in; `None` while still open).
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
pub struct CompromiseWindow<BlockNumber> {
	/// First suspect block.
	pub since: BlockNumber,
	/// First block no longer suspect, once the key was rotated.
	pub until: Option<BlockNumber>,
}

impl<BlockNumber: PartialOrd> CompromiseWindow<BlockNumber> {
	/// Whether `at` falls inside this window.
	pub fn contains(&self, at: &BlockNumber) -> bool {
		&self.since <= at && self.until.as_ref().is_none_or(|until| at < until)
	}
}

/// A registered device.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct DeviceInfo<T: Config> {
	/// The account that controls the device and paid its deposit.
	pub owner: T::AccountId,
	/// The device's current key: extrinsics signed by it act for the device.
	pub key: T::AccountId,
	/// Lifecycle status (never `Retired` here: retired devices are removed and tombstoned).
	pub status: DeviceStatus<BlockNumberFor<T>>,
	/// Descriptive data.
	pub metadata: DeviceMetadataOf<T>,
	/// Hash of the firmware image the device runs, if declared.
	pub firmware: Option<H256>,
	/// The block the device was registered in.
	pub registered_at: BlockNumberFor<T>,
	/// The block `owner` took the device over in (registration or accepted transfer): a
	/// compromise report cannot reach back before it.
	pub owner_since: BlockNumberFor<T>,
	/// The deposit held from `owner` for this record.
	pub deposit: BalanceOf<T>,
	/// A pending offer to transfer the device.
	pub transfer_offer: Option<TransferOffer<T::AccountId, BlockNumberFor<T>>>,
	/// The periods in which the device's key was reported compromised, oldest first. When
	/// full, the two oldest are merged into one that spans both (see [`record_compromise`]).
	pub compromises: CompromisesOf<T>,
	/// Who holds the device's key: the device itself, or a gateway anchoring for a key-less
	/// sensor. Declared by the owner; every anchor records it.
	pub custody: Custody<T::AccountId>,
	/// The device's X25519 public key for device-to-device messages: senders encrypt to it.
	/// Set by the owner or the device; cleared when the key is rotated (a secret derived from,
	/// or kept beside, a replaced key must not keep receiving).
	pub agreement_key: Option<AgreementKey>,
}

/// An X25519 public key (Montgomery form, 32 bytes), as the `x25519-dalek` crate encodes it.
pub type AgreementKey = [u8; 32];

/// The bounded compromise history of a device.
pub type CompromisesOf<T> =
	BoundedVec<CompromiseWindow<BlockNumberFor<T>>, <T as Config>::MaxCompromises>;

/// Appends `window` to `history`, never refusing it: when the history is full, its two oldest
/// windows are merged into one from the first's `since` to the second's `until`. The merged
/// window also covers the blocks between them, so every block that was suspect stays suspect
/// (merging is conservative, never lenient).
pub fn record_compromise<BlockNumber, S: Get<u32>>(
	history: &mut BoundedVec<CompromiseWindow<BlockNumber>, S>,
	window: CompromiseWindow<BlockNumber>,
) {
	if history.is_full() && history.len() >= 2 {
		let second = history.remove(1);
		if let Some(first) = history.get_mut(0) {
			first.until = second.until;
		}
	}
	if let Err(window) = history.try_push(window) {
		// A history of one window (`MaxCompromises` = 1): it now reaches to the new one's end.
		if let Some(only) = history.last_mut() {
			only.until = window.until;
		}
	}
}

/// The tombstone of a retired device.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct RetiredDevice<T: Config> {
	/// The block the device was retired in.
	pub retired_at: BlockNumberFor<T>,
	/// The device's compromise history, kept so that its suspect data stays suspect.
	pub compromises: CompromisesOf<T>,
}
