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
