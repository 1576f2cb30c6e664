//! Status changes: suspend, resume, report compromised.

use crate::*;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_suspend(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::managed_device(&who, &device_id)?;
		ensure!(device.status == DeviceStatus::Active, Error::<T>::NotActive);

		device.status = DeviceStatus::Suspended;
		Devices::<T>::insert(device_id, device);

		Self::deposit_event(Event::Suspended { device_id, by: who });
		Ok(())
	}

	pub(crate) fn do_resume(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::managed_device(&who, &device_id)?;
		ensure!(device.status == DeviceStatus::Suspended, Error::<T>::NotSuspended);

		device.status = DeviceStatus::Active;
		Devices::<T>::insert(device_id, device);

		Self::deposit_event(Event::Resumed { device_id, by: who });
		Ok(())
	}

	pub(crate) fn do_report_compromised(
		who: T::AccountId,
		device_id: DeviceId,
		since: BlockNumberFor<T>,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &device_id)?;
		ensure!(
			!matches!(device.status, DeviceStatus::Compromised { .. }),
			Error::<T>::AlreadyCompromised
		);
		ensure!(since <= frame_system::Pallet::<T>::block_number(), Error::<T>::SinceInFuture);

		device
			.compromises
			.try_push(CompromiseWindow { since, until: None })
			.map_err(|_| Error::<T>::TooManyCompromises)?;
		device.status = DeviceStatus::Compromised { since };
		Devices::<T>::insert(device_id, device);

		Self::deposit_event(Event::Compromised { device_id, since });
		Ok(())
	}
}
