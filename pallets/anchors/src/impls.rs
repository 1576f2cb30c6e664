//! What the pallet provides to other pallets: reactions to device lifecycle events, and the
//! MMR's leaves.

use crate::*;
use frame_support::{traits::Get, weights::Weight};
use polkadot_sdk::sp_mmr_primitives::LeafDataProvider;

/// A retired device's stream heads and quota entry go with it (its anchors stay provable
/// through the MMR).
impl<T: Config> DeviceLifecycleHooks<T::AccountId> for Pallet<T> {
	fn on_ownership_changed(_: &DeviceId, _: &T::AccountId, _: &T::AccountId) {}

	fn on_retired(device: &DeviceId) {
		// At most `MaxStreamsPerDevice` heads.
		let _ = Heads::<T>::clear_prefix(device, T::MaxStreamsPerDevice::get(), None);
		StreamCount::<T>::remove(device);
		FreeAnchorsUsed::<T>::remove(device);
	}

	fn max_weight() -> Weight {
		T::WeightInfo::on_retired()
	}
}

/// Each block's MMR leaf commits to the previous block's anchors.
impl<T: Config> LeafDataProvider for Pallet<T> {
	type LeafData = iotchain_primitives::BlockAnchors;

	fn leaf_data() -> Self::LeafData {
		Self::parent_leaf()
	}
}
