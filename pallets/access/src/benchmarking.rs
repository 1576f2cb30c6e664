//! Benchmarks of the access pallet, each at its worst case (feature `runtime-benchmarks`).
//! `scripts/test-benchmarks.sh` runs each once on the mock runtime and checks its outcome.
//!
//! The cascades are linear in the grants they read or remove: `grant(n)` and `revoke(n)` take
//! the number the call reports in its post-dispatch weight, up to `MaxGrantsPerDevice`.

#![cfg(feature = "runtime-benchmarks")]

use crate::*;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	weights::Weight,
};
use frame_system::RawOrigin;
use polkadot_sdk::{frame_benchmarking, sp_runtime::traits::Bounded};

/// Makes the devices the benchmarks grant on.
pub trait BenchmarkHelper<AccountId> {
	/// A new device of `owner` (funded), through the registry.
	fn device(owner: &AccountId) -> DeviceId;
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId
where
	T::Currency: Mutate<T::AccountId>,
{
	let who: T::AccountId = account(name, index, 0);
	// Enough for any deposit, and little enough that `MaxGrantsPerDevice` accounts funded so
	// keep the total issuance far from overflowing.
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1_000_000u32.into());
	who
}

/// A device of a funded owner: its id and owner.
fn device<T: Config>() -> (DeviceId, T::AccountId)
where
	T::Currency: Mutate<T::AccountId>,
{
	let owner = funded::<T>("owner", 0);
	(T::BenchmarkHelper::device(&owner), owner)
}

/// `granter` grants every permission on the whole device to `grantee`, without expiry.
fn grant_all<T: Config>(device_id: DeviceId, granter: &T::AccountId, grantee: &T::AccountId) {
	Pallet::<T>::grant(
		RawOrigin::Signed(granter.clone()).into(),
		device_id,
		grantee.clone(),
		Permissions::ALL,
		None,
		None,
		Some([1; 32]),
	)
	.expect("a grant within the granter's rights");
}

/// `granter` grants to `first`, which grants on down a chain of `depth` more managers:
/// `depth + 1` grants, each depending on the one before.
fn manager_chain<T: Config>(
	device_id: DeviceId,
	granter: &T::AccountId,
	first: &T::AccountId,
	depth: u32,
) where
	T::Currency: Mutate<T::AccountId>,
{
	grant_all::<T>(device_id, granter, first);
	let mut above = first.clone();
	for index in 0..depth {
		let next = funded::<T>("dependent", index);
		grant_all::<T>(device_id, &above, &next);
		above = next;
	}
}

#[benchmarks(where T::Currency: Mutate<T::AccountId>)]
mod benchmarks {
	use super::*;

	/// A manager replaces the grant of an account below it, which made the `n - 2` grants of a
	/// chain: the manager's own grant is read (1), and the replaced grant goes with its
	/// dependents (`n - 1`).
	#[benchmark]
	fn grant(n: Linear<2, { T::MaxGrantsPerDevice::get() }>) {
		let (device_id, owner) = device::<T>();
		let manager = funded::<T>("manager", 0);
		grant_all::<T>(device_id, &owner, &manager);
		let grantee = funded::<T>("grantee", 0);
		manager_chain::<T>(device_id, &manager, &grantee, n - 2);
		assert_eq!(GrantCount::<T>::get(device_id), n);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(manager.clone()),
			device_id,
			grantee.clone(),
			Permissions::READ,
			Some(0),
			None,
			Some([2; 32]),
		);

		assert_eq!(Grants::<T>::get(device_id, &grantee).map(|g| g.granted_by), Some(manager));
		assert_eq!(GrantCount::<T>::get(device_id), 2);
	}

	/// The owner revokes a grant whose holder made the `n - 1` grants of a chain: `n` go.
	#[benchmark]
	fn revoke(n: Linear<1, { T::MaxGrantsPerDevice::get() }>) {
		let (device_id, owner) = device::<T>();
		let grantee = funded::<T>("grantee", 0);
		manager_chain::<T>(device_id, &owner, &grantee, n - 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device_id, grantee);

		assert_eq!(GrantCount::<T>::get(device_id), 0);
		assert_eq!(Grants::<T>::iter_prefix(device_id).count(), 0);
	}

	/// A device with `n` grants retires or changes hands.
	#[benchmark]
	fn remove_all(n: Linear<0, { T::MaxGrantsPerDevice::get() }>) {
		let (device_id, owner) = device::<T>();
		for index in 0..n {
			grant_all::<T>(device_id, &owner, &account("grantee", index, 0));
		}

		#[block]
		{
			Pallet::<T>::remove_all(&device_id);
		}

		assert_eq!(GrantCount::<T>::get(device_id), 0);
		assert_eq!(Dependents::<T>::iter_prefix((device_id,)).count(), 0);
	}

	/// `on_idle` finds one expired grant and removes it.
	#[benchmark]
	fn clean_up_grant() {
		let (device_id, owner) = device::<T>();
		let grantee: T::AccountId = account("grantee", 0, 0);
		let now = frame_system::Pallet::<T>::block_number();
		let expires_at = now + 1u32.into();
		Pallet::<T>::grant(
			RawOrigin::Signed(owner).into(),
			device_id,
			grantee.clone(),
			Permissions::READ,
			None,
			Some(expires_at),
			None,
		)
		.expect("the owner grants");

		#[block]
		{
			Pallet::<T>::clean_up_expired(expires_at, Weight::MAX);
		}

		assert!(!Grants::<T>::contains_key(device_id, &grantee));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
