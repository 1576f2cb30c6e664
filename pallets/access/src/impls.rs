//! Access control as other pallets see it, and the reactions to device lifecycle events.

use crate::*;
use frame_support::{traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> AccessControl<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn has_permission(
		device: &DeviceId,
		who: &T::AccountId,
		stream: StreamId,
		permission: Permission,
		now: BlockNumberFor<T>,
	) -> bool {
		Grants::<T>::get(device, who).is_some_and(|g| g.allows(stream, permission, now))
	}

	fn is_manager(device: &DeviceId, who: &T::AccountId, now: BlockNumberFor<T>) -> bool {
		Grants::<T>::get(device, who).is_some_and(|grant| grant.is_manager(now))
	}
}

/// A device that changed hands or retired keeps none of its grants.
impl<T: Config> DeviceLifecycleHooks<T::AccountId> for Pallet<T> {
	fn on_ownership_changed(device: &DeviceId, _: &T::AccountId, _: &T::AccountId) {
		Self::remove_all(device);
	}

	fn on_retired(device: &DeviceId) {
		Self::remove_all(device);
	}

	fn max_weight() -> Weight {
		T::WeightInfo::remove_all(T::MaxGrantsPerDevice::get())
	}
}

impl<T: Config> Pallet<T> {
	/// The answer of the `AccessApi::check_access` runtime API.
	pub fn check_access(
		device: DeviceId,
		who: T::AccountId,
		stream: StreamId,
		permission: Permission,
	) -> AccessDecision<BlockNumberFor<T>> {
		if T::Registry::owner_of(&device).as_ref() == Some(&who) {
			return AccessDecision { allowed: true, expires_at: None, grantee_key: None };
		}
		let now = frame_system::Pallet::<T>::block_number();
		match Grants::<T>::get(device, &who) {
			Some(grant) if grant.allows(stream, permission, now) => AccessDecision {
				allowed: true,
				expires_at: grant.expires_at,
				grantee_key: grant.grantee_key,
			},
			_ => AccessDecision { allowed: false, expires_at: None, grantee_key: None },
		}
	}

	/// The answer of the `AccessApi::grants_of` runtime API: at most `limit` (capped at
	/// `MaxGrantsPerDevice`) grants of `device`, after `start_after`.
	pub fn grants_of(
		device: DeviceId,
		start_after: Option<T::AccountId>,
		limit: u32,
	) -> alloc::vec::Vec<(T::AccountId, Grant<T>)> {
		let limit = limit.min(T::MaxGrantsPerDevice::get()) as usize;
		match start_after {
			Some(after) => {
				Grants::<T>::iter_prefix_from(device, Grants::<T>::hashed_key_for(device, after))
					.take(limit)
					.collect()
			},
			None => Grants::<T>::iter_prefix(device).take(limit).collect(),
		}
	}
}
