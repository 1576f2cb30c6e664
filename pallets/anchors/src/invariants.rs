//! The anchors pallet's invariants, checked by `try_state` (with the `try-runtime` feature) and
//! at the end of every test.

use crate::*;
use alloc::collections::BTreeMap;
use frame_support::{ensure, traits::Get};
use iotchain_primitives::DeviceStatus;
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	/// Checks every invariant of the anchors pallet:
	/// - every stream has at least one anchor, and its last `seq` is at least its number of
	///   anchors (seqs strictly increase from 1);
	/// - [`StreamCount`] is the number of each device's streams, at most `MaxStreamsPerDevice`;
	/// - heads, stream counts and quota entries exist only for registered, not retired devices;
	/// - a block commitment covers at least one anchor.
	///
	/// (That each head is the fold of its anchors is checked by the tests, which see the
	/// records: they are not in state.)
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let live = |device_id: &DeviceId| {
			!matches!(T::Registry::status_of(device_id), None | Some(DeviceStatus::Retired))
		};
		let mut streams = BTreeMap::<DeviceId, u32>::new();
		for (device_id, _, head) in Heads::<T>::iter() {
			ensure!(head.count > 0, "a stream head without anchors");
			ensure!(head.seq >= head.count, "a stream has more anchors than sequence numbers");
			ensure!(live(&device_id), "a stream of a device that is not registered");
			*streams.entry(device_id).or_default() += 1;
		}
		let counted: BTreeMap<DeviceId, u32> = StreamCount::<T>::iter().collect();
		ensure!(counted == streams, "a device's stream count is not its number of streams");
		ensure!(
			streams.values().all(|n| *n <= T::MaxStreamsPerDevice::get()),
			"a device has more than MaxStreamsPerDevice streams"
		);
		for device_id in FreeAnchorsUsed::<T>::iter_keys() {
			ensure!(live(&device_id), "a quota entry for a device that is not registered");
		}
		if let Some((_, count)) = BlockCommitment::<T>::get() {
			ensure!(count > 0, "a block commitment without anchors");
		}
		Ok(())
	}
}
