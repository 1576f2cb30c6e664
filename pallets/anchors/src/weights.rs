//! Weights of the anchors pallet's calls.
//!
//! The calls' benchmarks are in `benchmarking.rs`; until `scripts/benchmark-weights.sh` replaces
//! this file with their measurements, these are estimates: a
//! fixed compute part (hashing the chain step; a batch's Merkle root is computed off-chain)
//! plus the storage reads and writes each call makes (registry and access lookups included),
//! priced with the database weights `D`.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{RuntimeDbWeight, Weight},
};

/// Weight functions needed by the pallet.
pub trait WeightInfo {
	fn anchor() -> Weight;
	fn anchor_for() -> Weight;
	fn anchor_batch() -> Weight;
	fn free_anchor_check() -> Weight;
	fn index_block_anchors(n: u32) -> Weight;
	fn commit_block_anchors(n: u32) -> Weight;
	fn on_retired() -> Weight;
}

/// Estimated weights, with storage access priced by `D` (the runtime's `DbWeight`).
pub struct EstimatedWeight<D>(PhantomData<D>);

/// Compute part of an anchor: origin resolution, one blake2 chain step, the event, and its share
/// of the block commitment (its record appended, decoded and hashed into the block's anchors
/// root at `on_finalize`, moved to the off-chain index when the next block starts).
const BASE: Weight = Weight::from_parts(40_000_000, 0);
/// Proof size of the records an anchor reads (device, grants, head, quota).
const PROOF: Weight = Weight::from_parts(0, 6_000);

impl<D: Get<RuntimeDbWeight>> EstimatedWeight<D> {
	fn estimate(reads: u64, writes: u64) -> Weight {
		BASE.saturating_add(PROOF).saturating_add(D::get().reads_writes(reads, writes))
	}
}

impl<D: Get<RuntimeDbWeight>> WeightInfo for EstimatedWeight<D> {
	fn anchor() -> Weight {
		// Key index, device, head, stream count, quota, timestamp; head, stream count (a new
		// stream), block anchors, quota.
		Self::estimate(6, 4)
	}
	fn anchor_for() -> Weight {
		// Device (owner), grant, device (status), head, stream count, timestamp; head, stream
		// count, block anchors.
		Self::estimate(6, 3)
	}
	fn anchor_batch() -> Weight {
		Self::estimate(7, 4)
	}
	fn free_anchor_check() -> Weight {
		// Before dispatch, `feeless_if` and `CheckFreeAnchor` each decide whether the anchor is
		// free: key index, quota, device, head (the second time from the overlay).
		Weight::from_parts(5_000_000, 0).saturating_add(D::get().reads(4))
	}
	fn index_block_anchors(_: u32) -> Weight {
		// The previous block's anchors: read, written to the off-chain index, removed. Their
		// decoding and copying is in each anchor's weight.
		Weight::from_parts(5_000_000, 0).saturating_add(D::get().reads_writes(1, 1))
	}
	fn commit_block_anchors(_: u32) -> Weight {
		Weight::from_parts(5_000_000, 0).saturating_add(D::get().reads_writes(1, 1))
	}
	fn on_retired() -> Weight {
		// The runtime's 16 stream heads, the stream count and the quota entry.
		D::get().reads_writes(16, 18)
	}
}
