//! The registry's invariants, checked by `try_state` (with the `try-runtime` feature) and at the
//! end of every test.

use crate::*;
use alloc::{collections::BTreeMap, vec::Vec};
use codec::Encode;
use frame_support::{
	ensure,
	storage::KeyPrefixIterator,
	traits::{fungible::InspectHold, Get},
};
use frame_system::pallet_prelude::BlockNumberFor;
use polkadot_sdk::sp_statement_store::{get_allowance, STATEMENT_ALLOWANCE_PREFIX};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Checks every invariant of the registry:
	/// - every key in the key index is the current key of the device it points to, and every
	///   device's key is in the index, never tombstoned, and its account has a sufficient
	///   reference;
	/// - no device names its own key as its gateway;
	/// - the owner index lists exactly the devices of each owner; no registered device is
	///   tombstoned;
	/// - every account's held deposit equals the sum of the deposits of the devices it owns;
	/// - each compromise history is in order, its windows do not overlap, only the last is
	///   open, and it is open exactly while the device is `Compromised` from its `since`;
	/// - the statement allowances in state are exactly those the `Active` devices confer: one
	///   [`Config::StatementAllowance`] to each one's key and one to its owner per device.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		for (key, device_id) in DeviceByKey::<T>::iter() {
			let device =
				Devices::<T>::get(device_id).ok_or("a key in the key index points to no device")?;
			ensure!(device.key == key, "a key in the key index is not its device's key");
		}

		let mut deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut allowances = BTreeMap::<Vec<u8>, StatementAllowance>::new();
		for (device_id, device) in Devices::<T>::iter() {
			ensure!(
				DeviceByKey::<T>::get(&device.key) == Some(device_id),
				"a device's key is not in the key index"
			);
			ensure!(!RetiredKeys::<T>::contains_key(&device.key), "a device's key is tombstoned");
			ensure!(!RetiredDevices::<T>::contains_key(device_id), "a device is tombstoned");
			ensure!(
				frame_system::Pallet::<T>::sufficients(&device.key) > 0,
				"a device key's account has no sufficient reference"
			);
			ensure!(
				DevicesOf::<T>::contains_key(&device.owner, device_id),
				"a device is not in its owner's index"
			);
			ensure!(device.status != DeviceStatus::Retired, "a registered device is retired");
			ensure!(device.owner_since >= device.registered_at, "owned before registered");
			ensure!(
				device.custody != Custody::Gateway { account: device.key.clone() },
				"a device's gateway is its own key"
			);
			ensure!(
				device.transfer_offer.as_ref().is_none_or(|offer| offer.to != device.owner),
				"a device is offered to its own owner"
			);
			let open_since = match device.status {
				DeviceStatus::Compromised { since } => Some(since),
				_ => None,
			};
			Self::check_compromises(&device.compromises, Some(open_since))?;
			for who in Self::statement_senders(&device).into_iter().flatten() {
				let total = allowances.entry(who.encode()).or_default();
				*total = total.clone().saturating_add(T::StatementAllowance::get());
			}
			let total = deposits.entry(device.owner).or_default();
			*total = total.saturating_add(device.deposit);
		}
		let prefix = STATEMENT_ALLOWANCE_PREFIX;
		let mut in_state = BTreeMap::new();
		let iter =
			KeyPrefixIterator::new(
				prefix.to_vec(),
				prefix.to_vec(),
				|account| Ok(account.to_vec()),
			);
		for account in iter {
			let allowance = get_allowance(&account);
			in_state.insert(account, allowance);
		}
		ensure!(
			in_state == allowances,
			"the statement allowances in state are not those of the active devices"
		);
		for (owner, device_id, ()) in DevicesOf::<T>::iter() {
			ensure!(
				Devices::<T>::get(device_id).is_some_and(|device| device.owner == owner),
				"the owner index lists a device of another owner"
			);
		}
		for (_, retired) in RetiredDevices::<T>::iter() {
			Self::check_compromises(&retired.compromises, None)?;
		}

		let reason = Self::hold_reason();
		for (owner, total) in &deposits {
			ensure!(
				T::Currency::balance_on_hold(&reason, owner) == *total,
				"an owner's held deposit is not the sum of its devices' deposits"
			);
		}
		for account in frame_system::Account::<T>::iter_keys() {
			ensure!(
				deposits.contains_key(&account)
					|| T::Currency::balance_on_hold(&reason, &account).is_zero(),
				"an account without devices holds a device deposit"
			);
		}
		Ok(())
	}

	/// A compromise history is ordered and non-overlapping, and only its last window may be
	/// open. `open`: `Some(Some(since))` if the last window must be open from `since`,
	/// `Some(None)` if no window may be open, `None` if the last may be either (retired devices).
	fn check_compromises(
		history: &[CompromiseWindow<BlockNumberFor<T>>],
		open: Option<Option<BlockNumberFor<T>>>,
	) -> Result<(), TryRuntimeError> {
		for pair in history.windows(2) {
			let [earlier, later] = pair else { continue };
			let end = earlier.until.ok_or("a compromise window before the last is open")?;
			ensure!(end <= later.since, "compromise windows overlap or are out of order");
		}
		for window in history {
			ensure!(
				window.until.is_none_or(|until| window.since <= until),
				"a compromise window ends before it starts"
			);
		}
		let last_open = history.last().filter(|w| w.until.is_none()).map(|w| w.since);
		if let Some(expected) = open {
			ensure!(last_open == expected, "the open compromise window does not match the status");
		}
		Ok(())
	}
}
