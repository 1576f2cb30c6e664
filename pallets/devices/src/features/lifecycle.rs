//! Status changes: suspend, resume, report compromised.

use crate::*;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_suspend(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::managed_device(&who, &device_id)?;
		ensure!(device.status == DeviceStatus::Active, Error::<T>::NotActive);

		let by = if who == device.owner { SuspendedBy::Owner } else { SuspendedBy::Manager };
		device.status = DeviceStatus::Suspended { by };
		Self::put_device(device_id, device);

		Self::deposit_event(Event::Suspended { device_id, by: who });
		Ok(())
	}

	pub(crate) fn do_resume(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::managed_device(&who, &device_id)?;
		let DeviceStatus::Suspended { by } = device.status else {
			return Err(Error::<T>::NotSuspended.into());
		};
		// What the owner suspended (or a transfer did), only the owner resumes.
		ensure!(who == device.owner || by == SuspendedBy::Manager, Error::<T>::SuspendedByOwner);

		device.status = DeviceStatus::Active;
		Self::put_device(device_id, device);

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
		ensure!(since >= Self::earliest_compromise(&device), Error::<T>::SinceTooEarly);

		record_compromise(&mut device.compromises, CompromiseWindow { since, until: None });
		device.status = DeviceStatus::Compromised { since };
		Self::put_device(device_id, device);

		Self::deposit_event(Event::Compromised { device_id, since });
		Ok(())
	}

	/// The earliest block a new compromise report on `device` may start at: when its owner took
	/// it over, or when its previous compromise window ended, whichever is later.
	pub(crate) fn earliest_compromise(device: &DeviceInfo<T>) -> BlockNumberFor<T> {
		let previous_end = device.compromises.last().and_then(|window| window.until);
		previous_end.map_or(device.owner_since, |end| end.max(device.owner_since))
	}
}
