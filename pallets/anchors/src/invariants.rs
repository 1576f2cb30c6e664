//! The anchors pallet's invariants, checked by `try_state` (with the `try-runtime` feature) and
//! at the end of every test.

use crate::*;
use alloc::vec::Vec;
use frame_support::ensure;
use iotchain_primitives::{fold_heads, DeviceStatus};
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	/// Checks every invariant of the anchors pallet:
	/// - every stream's head is the fold of [`next_head`] over its anchors in `seq` order, its
	///   `count` is their number and its `seq` the last sequence number they cover; the
	///   anchors' sequence ranges do not overlap, so seqs strictly increase;
	/// - every anchor belongs to a stream with a head;
	/// - quota entries exist only for registered, not retired devices.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		for (device_id, stream, head) in Heads::<T>::iter() {
			let mut anchors: Vec<(Seq, AnchorRecord<T>)> =
				Anchors::<T>::iter_prefix((device_id, stream)).collect();
			anchors.sort_by_key(|(seq, _)| *seq);
			let mut last_seq = 0;
			for (seq, record) in &anchors {
				ensure!(*seq > last_seq, "anchors of a stream overlap");
				last_seq = seq
					.checked_add(Seq::from(record.kind.readings()).saturating_sub(1))
					.ok_or("an anchor's sequence numbers overflow")?;
			}
			ensure!(head.seq == last_seq, "a stream's head seq is not its last anchored seq");
			ensure!(head.count == anchors.len() as u64, "a stream's anchor count is wrong");
			let folded = fold_heads(anchors.iter().map(|(seq, record)| (*seq, &record.digest)));
			ensure!(head.head == folded, "a stream's head is not the fold of its anchors");
		}
		for ((device_id, stream, _), _) in Anchors::<T>::iter() {
			ensure!(Heads::<T>::contains_key(device_id, stream), "an anchor without a stream");
		}
		for device_id in FreeAnchorsUsed::<T>::iter_keys() {
			ensure!(
				!matches!(T::Registry::status_of(&device_id), None | Some(DeviceStatus::Retired)),
				"a quota entry for a device that is not registered"
			);
		}
		Ok(())
	}
}
