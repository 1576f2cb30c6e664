//! Types stored by the device registry.

use crate::Config;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, traits::fungible};
use frame_system::pallet_prelude::BlockNumberFor;
use iotchain_primitives::DeviceStatus;
use polkadot_sdk::{sp_core::H256, *};
use scale_info::TypeInfo;

pub(crate) type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Descriptive data of a device, as the owner submits it in a call: at most
/// [`Config::StringLimit`] bytes per field.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct DeviceMetadata {
	/// Device model, e.g. `TH-200`.
	pub model: Vec<u8>,
	/// Manufacturer, e.g. `Acme Sensors`.
	pub manufacturer: Vec<u8>,
	/// The owner's own label, e.g. `greenhouse 3, north wall`.
	pub label: Vec<u8>,
}

/// [`DeviceMetadata`] as stored: every field bounded by `StringLimit`.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(StringLimit))]
pub struct BoundedDeviceMetadata<StringLimit: Get<u32>> {
	/// Device model.
	pub model: BoundedVec<u8, StringLimit>,
	/// Manufacturer.
	pub manufacturer: BoundedVec<u8, StringLimit>,
	/// The owner's own label.
	pub label: BoundedVec<u8, StringLimit>,
}

impl<StringLimit: Get<u32>> BoundedDeviceMetadata<StringLimit> {
	/// Bounds `metadata`; `None` if a field is longer than `StringLimit`.
	pub fn try_from_metadata(metadata: DeviceMetadata) -> Option<Self> {
		Some(Self {
			model: metadata.model.try_into().ok()?,
			manufacturer: metadata.manufacturer.try_into().ok()?,
			label: metadata.label.try_into().ok()?,
		})
	}

	/// The number of bytes the fields hold: what the per-byte deposit is charged on.
	pub fn byte_len(&self) -> u32 {
		// Each field is at most `StringLimit: u32` long, so the sum fits a u64; saturate anyway.
		let len =
			self.model.len() as u64 + self.manufacturer.len() as u64 + self.label.len() as u64;
		u32::try_from(len).unwrap_or(u32::MAX)
	}
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
	pub metadata: BoundedDeviceMetadata<T::StringLimit>,
	/// Hash of the firmware image the device runs, if declared.
	pub firmware: Option<H256>,
	/// The block the device was registered in.
	pub registered_at: BlockNumberFor<T>,
	/// The deposit held from `owner` for this record.
	pub deposit: BalanceOf<T>,
	/// The account a transfer of ownership was offered to, until it accepts.
	pub pending_owner: Option<T::AccountId>,
	/// Every period in which the device's key was reported compromised, oldest first.
	pub compromises: BoundedVec<CompromiseWindow<BlockNumberFor<T>>, T::MaxCompromises>,
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
	pub compromises: BoundedVec<CompromiseWindow<BlockNumberFor<T>>, T::MaxCompromises>,
}
