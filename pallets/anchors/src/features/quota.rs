//! The free-anchor quota of devices.

use crate::*;
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The first block of the current free-anchor window (`None` if windows are disabled).
	fn current_window() -> Option<BlockNumberFor<T>> {
		let window = T::FreeWindow::get();
		if window.is_zero() {
			return None;
		}
		let now = frame_system::Pallet::<T>::block_number();
		Some(now.saturating_sub(now % window))
	}

	/// The free anchors `device_id` used in the current window.
	pub fn free_anchors_used(device_id: &DeviceId) -> u32 {
		match (Self::current_window(), FreeAnchorsUsed::<T>::get(device_id)) {
			(Some(window), Some(usage)) if usage.window_start == window => usage.used,
			_ => 0,
		}
	}

	/// Whether `device_id` may anchor once more without fees in the current window.
	fn free_anchor_available(device_id: &DeviceId) -> bool {
		Self::current_window().is_some()
			&& Self::free_anchors_used(device_id) < T::FreeAnchorsPerWindow::get()
	}

	/// The `feeless_if` rule of `anchor` and device-signed `anchor_batch`: signed by the key
	/// of a device with free anchors left in the current window, for an anchor that will
	/// succeed (see [`Pallet::check_anchor`]).
	pub(crate) fn is_free_anchor(
		origin: &OriginFor<T>,
		stream: StreamId,
		first_seq: Seq,
		kind: AnchorKind,
		uri: &Option<Vec<u8>>,
	) -> bool {
		let Ok(who) = ensure_signed(origin.clone()) else { return false };
		let Some(device_id) = T::Registry::device_of_key(&who) else { return false };
		Self::free_anchor_available(&device_id)
			&& Self::check_anchor(&device_id, stream, first_seq, kind, uri.as_ref()).is_ok()
	}

	/// Counts an anchor by the device itself against its quota if it was free: the state is
	/// the one `is_free_anchor` saw when the transaction was validated in this block.
	pub(crate) fn use_free_anchor(device_id: &DeviceId) {
		let Some(window_start) = Self::current_window() else { return };
		if !Self::free_anchor_available(device_id) {
			return;
		}
		let used = Self::free_anchors_used(device_id).saturating_add(1);
		FreeAnchorsUsed::<T>::insert(device_id, QuotaUsage { window_start, used });
	}
}
