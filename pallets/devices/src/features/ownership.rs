//! Two-step ownership transfer: offer, then accept (or cancel).

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_transfer_ownership(
		who: T::AccountId,
		device_id: DeviceId,
		new_owner: T::AccountId,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &device_id)?;
		ensure!(new_owner != who, Error::<T>::AlreadyOwner);

		device.pending_owner = Some(new_owner.clone());
		Devices::<T>::insert(device_id, device);

		Self::deposit_event(Event::TransferOffered { device_id, from: who, to: new_owner });
		Ok(())
	}

	pub(crate) fn do_accept_ownership(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::device(&device_id)?;
		let pending = device.pending_owner.take().ok_or(Error::<T>::NoPendingTransfer)?;
		ensure!(pending == who, Error::<T>::NotPendingOwner);

		// The previous owner gets its deposit back; the new owner pays the current rate.
		let reason = Self::hold_reason();
		T::Currency::release(&reason, &device.owner, device.deposit, Precision::Exact)?;
		let deposit = Self::deposit_for(&device.metadata);
		T::Currency::hold(&reason, &who, deposit)?;

		let from = core::mem::replace(&mut device.owner, who.clone());
		device.deposit = deposit;
		Devices::<T>::insert(device_id, device);
		DevicesOf::<T>::remove(&from, device_id);
		DevicesOf::<T>::insert(&who, device_id, ());
		T::LifecycleHooks::on_ownership_changed(&device_id, &from, &who);

		Self::deposit_event(Event::OwnershipTransferred { device_id, from, to: who, deposit });
		Ok(())
	}

	pub(crate) fn do_cancel_transfer(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::device(&device_id)?;
		let pending = device.pending_owner.take().ok_or(Error::<T>::NoPendingTransfer)?;
		ensure!(who == device.owner || who == pending, Error::<T>::NotOwner);

		Devices::<T>::insert(device_id, device);

		Self::deposit_event(Event::TransferCancelled { device_id });
		Ok(())
	}
}
