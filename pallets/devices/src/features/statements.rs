//! What device-to-device messages need from the registry: statement-store allowances (who may
//! post to the nodes' statement store) and key-agreement keys (what senders encrypt to).
//!
//! The store admits a statement only from an account with an allowance in state
//! ([`sp_statement_store::statement_allowance_key`]); this pallet keeps one for the key and
//! the owner of every `Active` device, and nothing else in the runtime writes them.

use crate::*;
use codec::Encode;
use frame_support::pallet_prelude::*;
use polkadot_sdk::sp_statement_store::{
	decrease_allowance_by, get_allowance, increase_allowance_by,
};

impl<T: Config> Pallet<T> {
	/// Writes `device`'s record, moving the statement allowances it confers when its key, its
	/// owner or whether it is active changed.
	pub(crate) fn put_device(device_id: DeviceId, device: DeviceInfo<T>) {
		let before = Devices::<T>::get(device_id);
		Self::move_statement_allowances(before.as_ref(), Some(&device));
		Devices::<T>::insert(device_id, device);
	}

	/// Removes `device_id`'s record and the statement allowances it conferred.
	pub(crate) fn remove_device(device_id: DeviceId) {
		let before = Devices::<T>::take(device_id);
		Self::move_statement_allowances(before.as_ref(), None);
	}

	pub(crate) fn do_set_agreement_key(
		who: T::AccountId,
		device_id: DeviceId,
		key: Option<AgreementKey>,
	) -> DispatchResult {
		let mut device = Self::device(&device_id)?;
		if who != device.owner {
			ensure!(who == device.key, Error::<T>::NotOwnerOrDevice);
			ensure!(device.status == DeviceStatus::Active, Error::<T>::NotActive);
		}

		device.agreement_key = key;
		Self::put_device(device_id, device);

		Self::deposit_event(Event::AgreementKeySet { device_id, key });
		Ok(())
	}

	/// The accounts a device's record gives a statement allowance to: its key and its owner,
	/// while it is `Active`.
	pub(crate) fn statement_senders(device: &DeviceInfo<T>) -> Option<[&T::AccountId; 2]> {
		(device.status == DeviceStatus::Active).then_some([&device.key, &device.owner])
	}

	/// The statement allowance `who` holds in state (zero when none).
	pub fn statement_allowance(who: &T::AccountId) -> StatementAllowance {
		get_allowance(who.encode())
	}

	pub(crate) fn move_statement_allowances(
		before: Option<&DeviceInfo<T>>,
		after: Option<&DeviceInfo<T>>,
	) {
		let before = before.and_then(Self::statement_senders);
		let after = after.and_then(Self::statement_senders);
		if before == after {
			return;
		}
		let per_device = T::StatementAllowance::get();
		for who in before.into_iter().flatten() {
			decrease_allowance_by(who.encode(), per_device.clone());
		}
		for who in after.into_iter().flatten() {
			increase_allowance_by(who.encode(), per_device.clone());
		}
	}
}
