//! The seams between the pallets. Each pallet depends on these traits, never on another
//! pallet's crate or storage; the runtime plugs the implementations together.

use crate::{Custody, DeviceId, DeviceStatus, StreamId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::Weight;
use scale_info::TypeInfo;

/// Read access to the device registry, implemented by `pallet-devices`.
pub trait DeviceRegistry<AccountId, BlockNumber> {
	/// The device whose current key is `key`, if any.
	fn device_of_key(key: &AccountId) -> Option<DeviceId>;

	/// The owner of `device`, if it is registered and not retired.
	fn owner_of(device: &DeviceId) -> Option<AccountId>;

	/// The status of `device`: `None` if it was never registered, `Some(Retired)` once retired.
	fn status_of(device: &DeviceId) -> Option<DeviceStatus<BlockNumber>>;

	/// Who holds the key of `device` (`Custody::Device` for an unknown one).
	fn custody_of(device: &DeviceId) -> Custody<AccountId>;

	/// Whether `device` is registered and `Active`.
	fn is_active(device: &DeviceId) -> bool {
		matches!(Self::status_of(device), Some(DeviceStatus::Active))
	}

	/// Whether something `device` did at block `at` is suspect: the device's key was reported
	/// compromised from a block at or before `at` and not rotated before `at`.
	fn is_suspect(device: &DeviceId, at: BlockNumber) -> bool;
}

/// Lifecycle events of a device that other pallets react to (e.g. `pallet-access` drops the
/// grants of a device that changed hands or retired). Implemented for `()` as "nobody cares" and
/// for tuples, to notify several pallets.
pub trait DeviceLifecycleHooks<AccountId> {
	/// `device` now belongs to `new_owner` instead of `previous_owner`.
	fn on_ownership_changed(device: &DeviceId, previous_owner: &AccountId, new_owner: &AccountId);

	/// `device` was retired for good.
	fn on_retired(device: &DeviceId);

	/// An upper bound of the weight of one call of either hook; the calls that trigger a hook
	/// add it to their own weight.
	fn max_weight() -> Weight;
}

#[impl_trait_for_tuples::impl_for_tuples(8)]
impl<AccountId> DeviceLifecycleHooks<AccountId> for Tuple {
	fn on_ownership_changed(device: &DeviceId, previous_owner: &AccountId, new_owner: &AccountId) {
		for_tuples!( #( Tuple::on_ownership_changed(device, previous_owner, new_owner); )* );
	}

	fn on_retired(device: &DeviceId) {
		for_tuples!( #( Tuple::on_retired(device); )* );
	}

	fn max_weight() -> Weight {
		let mut weight = Weight::zero();
		for_tuples!( #( weight = weight.saturating_add(Tuple::max_weight()); )* );
		weight
	}
}

/// A right over a device's data.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Permission {
	/// Read the device's (off-chain) data.
	Read,
	/// Anchor data for the device.
	Write,
	/// Manage the device's grants and suspend or resume it.
	Manage,
}

/// Who may do what with a device's data, implemented by `pallet-access`. The device's owner
/// is not asked about: callers check ownership through [`DeviceRegistry`] first.
pub trait AccessControl<AccountId, BlockNumber> {
	/// Whether `who` holds `permission` on `stream` of `device` at block `now`.
	fn has_permission(
		device: &DeviceId,
		who: &AccountId,
		stream: StreamId,
		permission: Permission,
		now: BlockNumber,
	) -> bool;

	/// Whether `who` manages `device` at block `now`: it holds an unexpired `Manage` grant
	/// (`Manage` is always device-wide). A manager may suspend the device, and resume it when a
	/// manager suspended it.
	fn is_manager(device: &DeviceId, who: &AccountId, now: BlockNumber) -> bool;
}

/// Nobody but the owner: no grants exist.
impl<AccountId, BlockNumber> AccessControl<AccountId, BlockNumber> for () {
	fn has_permission(
		_: &DeviceId,
		_: &AccountId,
		_: StreamId,
		_: Permission,
		_: BlockNumber,
	) -> bool {
		false
	}

	fn is_manager(_: &DeviceId, _: &AccountId, _: BlockNumber) -> bool {
		false
	}
}
