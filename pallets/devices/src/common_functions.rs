//! Helpers shared by the calls.

use crate::*;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Verify, Zero};

impl<T: Config> Pallet<T> {
	/// The genesis hash of this chain, which the proof payloads bind.
	pub(crate) fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// Ensures `proof` is `key`'s signature over `payload`.
	pub(crate) fn ensure_proof(
		payload: &[u8],
		proof: &T::DeviceSignature,
		key: &T::AccountId,
	) -> DispatchResult {
		ensure!(proof.verify(payload, key), Error::<T>::BadProof);
		Ok(())
	}

	/// Ensures `key` is neither a current device key nor a tombstoned one.
	pub(crate) fn ensure_key_unused(key: &T::AccountId) -> DispatchResult {
		ensure!(!DeviceByKey::<T>::contains_key(key), Error::<T>::KeyInUse);
		ensure!(!RetiredKeys::<T>::contains_key(key), Error::<T>::KeyRetired);
		Ok(())
	}

	/// The record of `device_id`, or why there is none.
	pub(crate) fn device(device_id: &DeviceId) -> Result<DeviceInfo<T>, Error<T>> {
		Devices::<T>::get(device_id).ok_or_else(|| {
			if RetiredDevices::<T>::contains_key(device_id) {
				Error::<T>::DeviceRetired
			} else {
				Error::<T>::UnknownDevice
			}
		})
	}

	/// The record of `device_id`, if `who` owns it.
	pub(crate) fn owned_device(
		who: &T::AccountId,
		device_id: &DeviceId,
	) -> Result<DeviceInfo<T>, Error<T>> {
		let device = Self::device(device_id)?;
		ensure!(device.owner == *who, Error::<T>::NotOwner);
		Ok(device)
	}

	/// The record of `device_id`, if `who` owns or manages it.
	pub(crate) fn managed_device(
		who: &T::AccountId,
		device_id: &DeviceId,
	) -> Result<DeviceInfo<T>, Error<T>> {
		let device = Self::device(device_id)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			device.owner == *who || T::Managers::is_manager(device_id, who, now),
			Error::<T>::NotOwnerOrManager
		);
		Ok(device)
	}

	/// The deposit a device record with `metadata` requires.
	pub fn deposit_for(metadata: &DeviceMetadataOf<T>) -> BalanceOf<T> {
		T::DepositPerByte::get()
			.saturating_mul(metadata.byte_len().into())
			.saturating_add(T::DepositBase::get())
	}

	/// The reason deposits are held for.
	pub(crate) fn hold_reason() -> T::RuntimeHoldReason {
		HoldReason::DeviceDeposit.into()
	}
}
