//! Benchmarks of the anchors pallet, each at its worst case (feature `runtime-benchmarks`).
//! `scripts/test-benchmarks.sh` runs each once on the mock runtime and checks its outcome.
//!
//! Besides the calls, the work an anchor causes outside its call is measured on its own and
//! added to the anchor's weight: its record hashed into the block's anchors root
//! (`commit_block_anchors`, at `on_finalize`) and moved to the off-chain index by the next
//! block (`index_block_anchors`, at `on_initialize`), both linear in the block's anchors; the
//! free-anchor check before dispatch (`free_anchor_check`); and a retired device's stream heads
//! going (`on_retired`).
//!
//! Anchoring appends to [`BlockAnchors`] without reading it, and the hooks read exactly the
//! block's records: those benchmarks count the proof size they measure, not the item's
//! maximum (a full block of records).

#![cfg(feature = "runtime-benchmarks")]

use crate::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::{pallet_prelude::OriginFor, RawOrigin};
use iotchain_primitives::Custody;
use polkadot_sdk::frame_benchmarking;

/// Makes the devices and grants the benchmarks anchor for.
pub trait BenchmarkHelper<AccountId> {
	/// A new active device, through the registry: its id and key.
	fn device() -> (DeviceId, AccountId);
	/// Gives `grantee` `Write` on `stream` of `device_id`, through access control.
	fn grant_write(device_id: &DeviceId, grantee: &AccountId, stream: StreamId);
}

/// A URI of `MaxUriLen` bytes.
fn max_uri<T: Config>() -> UriOf<T> {
	BoundedVec::truncate_from(vec![b'u'; T::MaxUriLen::get() as usize])
}

/// The first sequence number an anchor may have on a new stream while skipping the most.
fn farthest_seq<T: Config>() -> Seq {
	T::MaxSeqGap::get().saturating_add(1)
}

/// `n` records of the largest encoding, as a full block's anchors.
fn max_records<T: Config>(n: u32) -> BoundedVec<AnchorRecordOf<T>, T::MaxAnchorsPerBlock> {
	let submitter: T::AccountId = account("gateway", 0, 0);
	let record = AnchorRecordOf::<T> {
		device_id: DeviceId::repeat_byte(1),
		stream: StreamId::MAX,
		seq: Seq::MAX,
		kind: AnchorKind::Batch { count: u32::MAX },
		digest: H256::repeat_byte(2),
		submitter: submitter.clone(),
		custody: Custody::Gateway { account: submitter },
		timestamp: T::Time::now(),
		uri: Some(max_uri::<T>()),
	};
	BoundedVec::truncate_from(vec![record; n as usize])
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// By the device key, opening a new stream at the largest gap, with the longest URI, taking
	/// a slot of its free quota.
	#[benchmark(pov_mode = Measured)]
	fn anchor() {
		let (device_id, key) = T::BenchmarkHelper::device();
		let seq = farthest_seq::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(key), 0, seq, H256::repeat_byte(3), Some(max_uri::<T>()));

		assert_eq!(Heads::<T>::get(device_id, 0).map(|head| head.seq), Some(seq));
		assert_eq!(Pallet::<T>::free_anchors_used(&device_id), 1);
	}

	/// By a holder of `Write` (the owner check fails first), opening a new stream at the
	/// largest gap, with the longest URI.
	#[benchmark(pov_mode = Measured)]
	fn anchor_for() {
		let (device_id, _) = T::BenchmarkHelper::device();
		let gateway: T::AccountId = account("gateway", 0, 0);
		T::BenchmarkHelper::grant_write(&device_id, &gateway, 0);
		let seq = farthest_seq::<T>();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(gateway),
			device_id,
			0,
			seq,
			H256::repeat_byte(3),
			Some(max_uri::<T>()),
		);

		assert_eq!(Heads::<T>::get(device_id, 0).map(|head| head.seq), Some(seq));
	}

	/// The largest batch by the device key, opening a new stream at the largest gap, with the
	/// longest URI, taking a slot of its free quota. Its Merkle root is computed off chain, so
	/// the number of readings costs nothing here.
	#[benchmark(pov_mode = Measured)]
	fn anchor_batch() {
		let (device_id, key) = T::BenchmarkHelper::device();
		let seq = farthest_seq::<T>();
		let count = T::MaxBatchSize::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(key), None, 0, seq, count, H256::repeat_byte(3), Some(max_uri::<T>()));

		let last = seq.saturating_add(Seq::from(count)).saturating_sub(1);
		assert_eq!(Heads::<T>::get(device_id, 0).map(|head| head.seq), Some(last));
	}

	/// Both free-anchor checks before dispatch (`feeless_if`, then the `CheckFreeAnchor`
	/// extension), for a device with a stream and a quota entry in the current window.
	#[benchmark]
	fn free_anchor_check() {
		let (device_id, key) = T::BenchmarkHelper::device();
		Pallet::<T>::anchor(RawOrigin::Signed(key.clone()).into(), 0, 1, H256::zero(), None)
			.expect("the device's first anchor");
		let origin: OriginFor<T> = RawOrigin::Signed(key).into();
		let free;
		let slot;

		#[block]
		{
			free = Pallet::<T>::is_free_anchor(&origin, 0, 2, AnchorKind::Reading);
			slot = Pallet::<T>::free_slot(&origin, 0, 2, AnchorKind::Reading);
		}

		assert!(free);
		assert_eq!(slot.map(|slot| (slot.device_id, slot.used)), Some((device_id, 1)));
	}

	/// Moving the previous block's `n` records to the off-chain index (`on_initialize`).
	#[benchmark(pov_mode = Measured)]
	fn index_block_anchors(n: Linear<0, { T::MaxAnchorsPerBlock::get() }>) {
		BlockAnchors::<T>::put(max_records::<T>(n));

		#[block]
		{
			Pallet::<T>::index_parent_anchors();
		}

		assert!(BlockAnchors::<T>::get().is_empty());
	}

	/// Committing to the block's `n` records (`on_finalize`).
	#[benchmark(pov_mode = Measured)]
	fn commit_block_anchors(n: Linear<0, { T::MaxAnchorsPerBlock::get() }>) {
		BlockAnchors::<T>::put(max_records::<T>(n));

		#[block]
		{
			Pallet::<T>::commit_block_anchors();
		}

		assert_eq!(BlockCommitment::<T>::get().map(|(_, count)| count), (n > 0).then_some(n));
	}

	/// A retired device with `MaxStreamsPerDevice` streams and a quota entry.
	#[benchmark]
	fn on_retired() {
		let (device_id, key) = T::BenchmarkHelper::device();
		for stream in 0..T::MaxStreamsPerDevice::get() {
			Pallet::<T>::anchor(
				RawOrigin::Signed(key.clone()).into(),
				stream,
				1,
				H256::zero(),
				None,
			)
			.expect("a new stream of the device");
		}

		#[block]
		{
			<Pallet<T> as DeviceLifecycleHooks<T::AccountId>>::on_retired(&device_id);
		}

		assert_eq!(StreamCount::<T>::get(device_id), 0);
		assert_eq!(Heads::<T>::iter_prefix(device_id).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
