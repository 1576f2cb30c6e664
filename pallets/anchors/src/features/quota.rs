//! The free-anchor quota of devices.

use crate::*;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use sp_runtime::traits::{Saturating, UniqueSaturatedInto, Zero};

/// A free anchor, as the free-anchor rule found it: the quota slot it takes.
pub(crate) struct FreeSlot<BlockNumber> {
	/// The device anchoring.
	pub device_id: DeviceId,
	/// The first block of the current window.
	pub window_start: BlockNumber,
	/// The free anchors the device used in the window before this one.
	pub used: u32,
	/// The blocks left in the window, this one included.
	pub blocks_left: u64,
}

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
	) -> bool {
		Self::free_slot(origin, stream, first_seq, kind).is_some()
	}

	/// The quota slot a free anchor takes, if the anchor is free by the rule of
	/// [`Pallet::is_free_anchor`].
	pub(crate) fn free_slot(
		origin: &OriginFor<T>,
		stream: StreamId,
		first_seq: Seq,
		kind: AnchorKind,
	) -> Option<FreeSlot<BlockNumberFor<T>>> {
		let who = ensure_signed(origin.clone()).ok()?;
		let device_id = T::Registry::device_of_key(&who)?;
		let window_start = Self::current_window()?;
		let used = Self::free_anchors_used(&device_id);
		if used >= T::FreeAnchorsPerWindow::get() {
			return None;
		}
		Self::check_anchor(&device_id, stream, first_seq, kind).ok()?;
		let now = frame_system::Pallet::<T>::block_number();
		let window_end = window_start.saturating_add(T::FreeWindow::get());
		let blocks_left = window_end.saturating_sub(now).unique_saturated_into();
		Some(FreeSlot { device_id, window_start, used, blocks_left })
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
