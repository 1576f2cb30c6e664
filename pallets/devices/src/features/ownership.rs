//! Two-step ownership transfer: offer, then accept (or cancel) before the offer expires.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_transfer_ownership(
		who: T::AccountId,
		device_id: DeviceId,
		new_owner: T::AccountId,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &device_id)?;
		ensure!(new_owner != who, Error::<T>::AlreadyOwner);

		let expires_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::TransferOfferPeriod::get());
		device.transfer_offer = Some(TransferOffer { to: new_owner.clone(), expires_at });
		Self::put_device(device_id, device);

		Self::deposit_event(Event::TransferOffered {
			device_id,
			from: who,
			to: new_owner,
			expires_at,
		});
		Ok(())
	}

	pub(crate) fn do_accept_ownership(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::device(&device_id)?;
		let offer = device.transfer_offer.take().ok_or(Error::<T>::NoPendingTransfer)?;
		ensure!(offer.to == who, Error::<T>::NotPendingOwner);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < offer.expires_at, Error::<T>::TransferExpired);

		// The previous owner gets its deposit back; the new owner pays the current rate.
		let reason = Self::hold_reason();
		T::Currency::release(&reason, &device.owner, device.deposit, Precision::Exact)?;
		let deposit = Self::deposit_for(&device.metadata);
		T::Currency::hold(&reason, &who, deposit)?;

		// The previous owner may still hold the device key: it cannot act until the new owner
		// rotates it or keeps it by resuming. A compromised device stays compromised.
		if !matches!(device.status, DeviceStatus::Compromised { .. }) {
			device.status = DeviceStatus::Suspended { by: SuspendedBy::Transfer };
		}
		let from = core::mem::replace(&mut device.owner, who.clone());
		device.owner_since = now;
		device.deposit = deposit;
		Self::put_device(device_id, device);
		DevicesOf::<T>::remove(&from, device_id);
		DevicesOf::<T>::insert(&who, device_id, ());
		T::LifecycleHooks::on_ownership_changed(&device_id, &from, &who);

		Self::deposit_event(Event::OwnershipTransferred { device_id, from, to: who, deposit });
		Ok(())
	}

	pub(crate) fn do_cancel_transfer(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let mut device = Self::device(&device_id)?;
		let offer = device.transfer_offer.take().ok_or(Error::<T>::NoPendingTransfer)?;
		ensure!(who == device.owner || who == offer.to, Error::<T>::NotOwner);

		Self::put_device(device_id, device);

		Self::deposit_event(Event::TransferCancelled { device_id });
		Ok(())
	}
}
