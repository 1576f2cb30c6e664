//! Who may anchor, extending a stream's hash chain, and committing to a block's anchors.

use crate::*;
use frame_support::{ensure, pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::BlockNumberFor;
use polkadot_sdk::sp_io;

impl<T: Config> Pallet<T> {
	/// The device whose key `who` is.
	pub(crate) fn device_of_signer(who: &T::AccountId) -> Result<DeviceId, Error<T>> {
		T::Registry::device_of_key(who).ok_or(Error::<T>::NotADevice)
	}

	/// Ensures `who` may anchor `stream` of `device_id` on its behalf: its owner, or a holder
	/// of `Write` on the stream.
	pub(crate) fn ensure_writer(
		who: &T::AccountId,
		device_id: &DeviceId,
		stream: StreamId,
	) -> DispatchResult {
		let owner = T::Registry::owner_of(device_id).ok_or_else(|| {
			// Retired devices have no owner any more, but are known.
			if T::Registry::status_of(device_id).is_some() {
				Error::<T>::DeviceNotActive
			} else {
				Error::<T>::UnknownDevice
			}
		})?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			owner == *who
				|| T::Access::has_permission(device_id, who, stream, Permission::Write, now),
			Error::<T>::NotAllowed
		);
		Ok(())
	}

	/// Checks everything that decides whether an anchor of `kind` from `first_seq` succeeds,
	/// whoever submits it; returns the stream's current head and the anchor's last `seq`.
	pub(crate) fn check_anchor(
		device_id: &DeviceId,
		stream: StreamId,
		first_seq: Seq,
		kind: AnchorKind,
	) -> Result<(AnchorHead<BlockNumberFor<T>>, Seq), Error<T>> {
		let count = kind.readings();
		ensure!(count > 0, Error::<T>::EmptyBatch);
		ensure!(count <= T::MaxBatchSize::get(), Error::<T>::BatchTooLarge);
		ensure!(T::Registry::is_active(device_id), Error::<T>::DeviceNotActive);
		let previous = match Heads::<T>::get(device_id, stream) {
			Some(head) => head,
			None => {
				ensure!(
					StreamCount::<T>::get(device_id) < T::MaxStreamsPerDevice::get(),
					Error::<T>::TooManyStreams
				);
				AnchorHead::default()
			},
		};
		ensure!(first_seq > previous.seq, Error::<T>::StaleSequence);
		// `first_seq > previous.seq`, so the subtraction cannot underflow.
		let skipped = first_seq.saturating_sub(previous.seq).saturating_sub(1);
		ensure!(skipped <= T::MaxSeqGap::get(), Error::<T>::SeqGapTooLarge);
		let last_seq = first_seq
			.checked_add(Seq::from(count).saturating_sub(1))
			.ok_or(Error::<T>::SequenceOverflow)?;
		Ok((previous, last_seq))
	}

	/// Records an anchor of `kind` from `first_seq` and extends the stream's hash chain.
	/// `by_device`: submitted by the device key itself (which may use the free quota).
	pub(crate) fn do_anchor(
		submitter: T::AccountId,
		device_id: DeviceId,
		stream: StreamId,
		first_seq: Seq,
		kind: AnchorKind,
		digest: H256,
		uri: Option<UriOf<T>>,
		by_device: bool,
	) -> DispatchResult {
		let (previous, last_seq) = Self::check_anchor(&device_id, stream, first_seq, kind)?;
		let count = kind.readings();

		// `previous.seq < first_seq ≤ Seq::MAX`, so `previous.seq + 1` cannot overflow.
		let expected = previous.seq.saturating_add(1);
		if first_seq > expected {
			Self::deposit_event(Event::GapDetected { device_id, stream, expected, got: first_seq });
		}
		if by_device {
			Self::use_free_anchor(&device_id);
		}

		let record = AnchorRecordOf::<T> {
			device_id,
			stream,
			seq: first_seq,
			kind,
			digest,
			submitter: submitter.clone(),
			custody: T::Registry::custody_of(&device_id),
			timestamp: T::Time::now(),
			uri,
		};
		BlockAnchors::<T>::try_append(record).map_err(|_| Error::<T>::BlockAnchorsFull)?;

		if previous.count == 0 {
			StreamCount::<T>::mutate(device_id, |streams| *streams = streams.saturating_add(1));
		}
		let head = next_head(&previous.head, first_seq, &digest);
		Heads::<T>::insert(
			device_id,
			stream,
			AnchorHead {
				seq: last_seq,
				head,
				count: previous.count.saturating_add(1),
				last_block: frame_system::Pallet::<T>::block_number(),
			},
		);

		Self::deposit_event(Event::Anchored {
			device_id,
			stream,
			seq: first_seq,
			count,
			digest,
			submitter,
			head,
		});
		Ok(())
	}

	/// `on_finalize`: commits to the block's anchors for the next MMR leaf. The records stay in
	/// [`BlockAnchors`] until the next block moves them to the off-chain index.
	pub(crate) fn commit_block_anchors() {
		let records = BlockAnchors::<T>::get();
		if records.is_empty() {
			BlockCommitment::<T>::kill();
		} else {
			// At most `MaxAnchorsPerBlock` records, a `u32`.
			let count = records.len() as u32;
			BlockCommitment::<T>::put((block_anchors_root(&records), count));
		}
	}

	/// `on_initialize`: moves the previous block's records to the off-chain index under its
	/// hash, the key nodes serve proofs from.
	pub(crate) fn index_parent_anchors() {
		let records = BlockAnchors::<T>::take();
		if !records.is_empty() {
			let parent = frame_system::Pallet::<T>::parent_hash();
			let key = block_anchors_key(&parent);
			sp_io::offchain_index::set(&key, &records.encode());
		}
	}

	/// The weight of an anchoring call whose own weight is `call`: with the share of one record
	/// in its block's commitment (`on_finalize`) and in the move to the off-chain index (the
	/// next block's `on_initialize`), both linear in the block's records.
	pub(crate) fn with_block_share(call: Weight) -> Weight {
		let share = |per_block: fn(u32) -> Weight| per_block(1).saturating_sub(per_block(0));
		call.saturating_add(share(T::WeightInfo::commit_block_anchors))
			.saturating_add(share(T::WeightInfo::index_block_anchors))
	}
}
