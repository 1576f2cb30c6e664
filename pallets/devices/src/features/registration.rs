//! Birth and death of a device record: registration with proof of possession, retirement.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register(
		owner: T::AccountId,
		key: T::AccountId,
		proof: T::DeviceSignature,
		metadata: DeviceMetadataOf<T>,
		firmware: Option<H256>,
	) -> DispatchResult {
		// Every key ever registered stays in `DeviceByKey` or `RetiredKeys`, so an unused key's
		// id, derived from it, was never registered either.
		Self::ensure_key_unused(&key)?;
		let device_id = device_id_of(&key);

		let payload = RegistrationPayload {
			genesis_hash: Self::genesis_hash(),
			owner: owner.clone(),
			key: key.clone(),
		};
		Self::ensure_proof(&payload.signing_bytes(), &proof, &key)?;

		let deposit = Self::deposit_for(&metadata);
		T::Currency::hold(&Self::hold_reason(), &owner, deposit)?;
		frame_system::Pallet::<T>::inc_sufficients(&key);

		let now = frame_system::Pallet::<T>::block_number();
		Self::put_device(
			device_id,
			DeviceInfo::<T> {
				owner: owner.clone(),
				key: key.clone(),
				status: DeviceStatus::Active,
				metadata,
				firmware,
				registered_at: now,
				owner_since: now,
				deposit,
				transfer_offer: None,
				compromises: Default::default(),
				custody: Custody::Device,
				agreement_key: None,
			},
		);
		DeviceByKey::<T>::insert(&key, device_id);
		DevicesOf::<T>::insert(&owner, device_id, ());

		Self::deposit_event(Event::Registered { device_id, owner, key, deposit });
		Ok(())
	}

	pub(crate) fn do_retire(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		let device = Self::owned_device(&who, &device_id)?;

		T::Currency::release(
			&Self::hold_reason(),
			&device.owner,
			device.deposit,
			Precision::Exact,
		)?;
		frame_system::Pallet::<T>::dec_sufficients(&device.key);

		Self::remove_device(device_id);
		DeviceByKey::<T>::remove(&device.key);
		DevicesOf::<T>::remove(&device.owner, device_id);
		RetiredKeys::<T>::insert(&device.key, device_id);
		RetiredDevices::<T>::insert(
			device_id,
			RetiredDevice::<T> {
				retired_at: frame_system::Pallet::<T>::block_number(),
				compromises: device.compromises,
			},
		);
		T::LifecycleHooks::on_retired(&device_id);

		Self::deposit_event(Event::Retired {
			device_id,
			owner: device.owner,
			deposit_returned: device.deposit,
		});
		Ok(())
	}
}
