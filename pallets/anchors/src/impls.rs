//! The reactions to device lifecycle events.

use crate::*;
use frame_support::{traits::Get, weights::Weight};

/// A retired device's quota entry goes with it.
impl<T: Config> DeviceLifecycleHooks<T::AccountId> for Pallet<T> {
	fn on_ownership_changed(_: &DeviceId, _: &T::AccountId, _: &T::AccountId) {}

	fn on_retired(device: &DeviceId) {
		FreeAnchorsUsed::<T>::remove(device);
	}

	fn max_weight() -> Weight {
		T::DbWeight::get().writes(1)
	}
}
