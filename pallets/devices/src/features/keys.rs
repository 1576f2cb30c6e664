//! Key rotation.

use crate::*;
use frame_support::{ensure, pallet_prelude::*};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_rotate_key(
		who: T::AccountId,
		device_id: DeviceId,
		new_key: T::AccountId,
		proof: T::DeviceSignature,
	) -> DispatchResult {
		let mut device = Self::device(&device_id)?;
		let by_owner = who == device.owner;
		if !by_owner {
			// The device itself may rotate only while active: a compromised key, or one a
			// previous owner may still hold, must not hand the device to the attacker's next key.
			ensure!(who == device.key, Error::<T>::NotOwnerOrDevice);
			ensure!(device.status == DeviceStatus::Active, Error::<T>::NotActive);
		}
		Self::ensure_key_unused(&new_key)?;

		let payload = RotationPayload {
			genesis_hash: Self::genesis_hash(),
			device_id,
			old_key: device.key.clone(),
			new_key: new_key.clone(),
		};
		Self::ensure_proof(&payload.signing_bytes(), &proof, &new_key)?;

		match device.status {
			DeviceStatus::Compromised { .. } => {
				// The leaked key is gone: close the compromise window and recover.
				let now = frame_system::Pallet::<T>::block_number();
				if let Some(window) = device.compromises.last_mut() {
					window.until = Some(now);
				}
				device.status = DeviceStatus::Active;
			},
			// The key a previous owner may hold is gone.
			DeviceStatus::Suspended { by: SuspendedBy::Transfer } if by_owner => {
				device.status = DeviceStatus::Active;
			},
			_ => {},
		}

		// Sufficient references: dropping one cannot fail, whatever the old key's account holds.
		let old_key = core::mem::replace(&mut device.key, new_key.clone());
		// Whoever held the old key may hold the secret of its key-agreement key as well.
		device.agreement_key = None;
		frame_system::Pallet::<T>::inc_sufficients(&new_key);
		frame_system::Pallet::<T>::dec_sufficients(&old_key);

		DeviceByKey::<T>::remove(&old_key);
		DeviceByKey::<T>::insert(&new_key, device_id);
		RetiredKeys::<T>::insert(&old_key, device_id);
		Self::put_device(device_id, device);

		Self::deposit_event(Event::KeyRotated { device_id, old_key, new_key });
		Ok(())
	}
}
