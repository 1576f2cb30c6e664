//! The registry as other pallets see it.

use crate::*;
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> DeviceRegistry<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn device_of_key(key: &T::AccountId) -> Option<DeviceId> {
		DeviceByKey::<T>::get(key)
	}

	fn owner_of(device: &DeviceId) -> Option<T::AccountId> {
		Devices::<T>::get(device).map(|d| d.owner)
	}

	fn status_of(device: &DeviceId) -> Option<DeviceStatus<BlockNumberFor<T>>> {
		match Devices::<T>::get(device) {
			Some(d) => Some(d.status),
			None => RetiredDevices::<T>::contains_key(device).then_some(DeviceStatus::Retired),
		}
	}

	fn custody_of(device: &DeviceId) -> Custody<T::AccountId> {
		Devices::<T>::get(device).map(|d| d.custody).unwrap_or_default()
	}

	fn is_suspect(device: &DeviceId, at: BlockNumberFor<T>) -> bool {
		let compromises = match Devices::<T>::get(device) {
			Some(d) => d.compromises,
			None => match RetiredDevices::<T>::get(device) {
				Some(r) => r.compromises,
				None => return false,
			},
		};
		compromises.iter().any(|window| window.contains(&at))
	}
}

/// The most devices one `devices_of` query returns.
pub const MAX_DEVICES_PER_PAGE: u32 = 100;

impl<T: Config> Pallet<T> {
	/// The `DevicesApi::devices_of` query: at most `limit` (capped at
	/// [`MAX_DEVICES_PER_PAGE`]) devices of `owner`, after `start_after`.
	pub fn devices_of(
		owner: T::AccountId,
		start_after: Option<DeviceId>,
		limit: u32,
	) -> alloc::vec::Vec<DeviceId> {
		let limit = limit.min(MAX_DEVICES_PER_PAGE) as usize;
		match start_after {
			Some(after) => DevicesOf::<T>::iter_key_prefix_from(
				owner.clone(),
				DevicesOf::<T>::hashed_key_for(owner, after),
			)
			.take(limit)
			.collect(),
			None => DevicesOf::<T>::iter_key_prefix(owner).take(limit).collect(),
		}
	}
}
