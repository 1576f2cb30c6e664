//! Declared data: metadata (with its deposit), firmware and custody.

use crate::*;
use core::cmp::Ordering;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_update_metadata(
		who: T::AccountId,
		device_id: DeviceId,
		metadata: DeviceMetadataOf<T>,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &device_id)?;

		let deposit = Self::deposit_for(&metadata);
		let reason = Self::hold_reason();
		match deposit.cmp(&device.deposit) {
			Ordering::Greater => {
				T::Currency::hold(&reason, &who, deposit.saturating_sub(device.deposit))?
			},
			Ordering::Less => {
				T::Currency::release(
					&reason,
					&who,
					device.deposit.saturating_sub(deposit),
					Precision::Exact,
				)?;
			},
			Ordering::Equal => {},
		}

		device.metadata = metadata;
		device.deposit = deposit;
		Self::put_device(device_id, device);

		Self::deposit_event(Event::MetadataUpdated { device_id, deposit });
		Ok(())
	}

	pub(crate) fn do_set_firmware(
		who: T::AccountId,
		device_id: DeviceId,
		firmware: H256,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &device_id)?;

		let old = device.firmware.replace(firmware);
		Self::put_device(device_id, device);

		Self::deposit_event(Event::FirmwareUpdated { device_id, old, new: firmware });
		Ok(())
	}

	pub(crate) fn do_set_custody(
		who: T::AccountId,
		device_id: DeviceId,
		custody: Custody<T::AccountId>,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &device_id)?;
		if let Custody::Gateway { account } = &custody {
			ensure!(*account != device.key, Error::<T>::GatewayIsDeviceKey);
		}

		device.custody = custody.clone();
		Self::put_device(device_id, device);

		Self::deposit_event(Event::CustodySet { device_id, custody });
		Ok(())
	}
}
