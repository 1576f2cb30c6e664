//! The access pallet's invariants, checked by `try_state` (with the `try-runtime` feature) and
//! at the end of every test.

use crate::*;
use alloc::collections::BTreeMap;
use frame_support::{
	ensure,
	traits::{fungible::InspectHold, Get},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Checks every invariant of the access pallet:
	/// - grants exist only on registered devices, never for the owner, with valid permissions,
	///   `MANAGE` only device-wide, at most `MaxGrantsPerDevice` per device, counted exactly;
	/// - every grant's `granted_by` is the owner, or a manager whose grant covers it (or the
	///   grant has expired with its granter, awaiting clean-up), and following `granted_by`
	///   always ends at the owner: no cycle;
	/// - the [`Dependents`] index holds exactly one entry per grant, under its granter;
	/// - every account's held deposit equals the sum of the deposits of the grants it made.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let max = T::MaxGrantsPerDevice::get();
		let mut deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut counts = BTreeMap::<DeviceId, u32>::new();
		for (device_id, grantee, grant) in Grants::<T>::iter() {
			let owner = T::Registry::owner_of(&device_id).ok_or("a grant on an unknown device")?;
			ensure!(grantee != owner, "a grant to the device's owner");
			ensure!(grant.permissions.is_valid(), "a grant with invalid permissions");
			ensure!(
				grant.stream.is_none() || !grant.permissions.contains(Permission::Manage),
				"a MANAGE grant limited to a stream"
			);
			ensure!(
				Dependents::<T>::contains_key((device_id, &grant.granted_by, &grantee)),
				"a grant missing from the dependents index"
			);
			if grant.granted_by != owner {
				match Grants::<T>::get(device_id, &grant.granted_by) {
					Some(granter) => ensure!(
						granter.permissions.contains(Permission::Manage)
							&& granter.covers(grant.permissions, grant.stream, grant.expires_at),
						"a grant its granter's grant does not cover"
					),
					None => ensure!(!grant.is_active(now), "a live grant whose granter is gone"),
				}
			}
			// Following `granted_by` ends at the owner (or at a granter awaiting clean-up).
			let mut current = grant.granted_by.clone();
			let mut steps = 0;
			while current != owner {
				let Some(above) = Grants::<T>::get(device_id, &current) else { break };
				current = above.granted_by;
				steps += 1;
				ensure!(steps <= max, "a cycle of grants");
			}
			let total = deposits.entry(grant.granted_by).or_default();
			*total = total.saturating_add(grant.deposit);
			let count = counts.entry(device_id).or_default();
			*count = count.saturating_add(1);
		}
		for ((device_id, granter, grantee), ()) in Dependents::<T>::iter() {
			ensure!(
				Grants::<T>::get(device_id, &grantee).is_some_and(|g| g.granted_by == granter),
				"a dependents index entry without its grant"
			);
		}
		for (device_id, count) in GrantCount::<T>::iter() {
			ensure!(counts.get(&device_id) == Some(&count), "a grant count is wrong");
		}
		for (device_id, count) in &counts {
			ensure!(GrantCount::<T>::get(device_id) == *count, "a grant count is wrong");
			ensure!(*count <= max, "more than MaxGrantsPerDevice grants on a device");
		}

		let reason = HoldReason::GrantDeposit.into();
		for (account, total) in &deposits {
			ensure!(
				T::Currency::balance_on_hold(&reason, account) == *total,
				"an account's held deposit is not the sum of its grants' deposits"
			);
		}
		for account in frame_system::Account::<T>::iter_keys() {
			ensure!(
				deposits.contains_key(&account)
					|| T::Currency::balance_on_hold(&reason, &account).is_zero(),
				"an account that made no grant holds a grant deposit"
			);
		}
		Ok(())
	}
}
