//! Weights of the validator set pallet's calls.
//!
//! Until the benchmarks land (`frame-benchmarking`, its own issue), these are estimates: a
//! fixed compute part plus the storage reads and writes, priced with the database weights `D`.
//! The set is at most `MaxValidators` (a few dozen) ids long.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{RuntimeDbWeight, Weight},
};

/// Weight functions needed by the pallet.
pub trait WeightInfo {
	fn add_validator() -> Weight;
	fn remove_validator() -> Weight;
	fn set_session_length() -> Weight;
}

/// Estimated weights, with storage access priced by `D` (the runtime's `DbWeight`).
pub struct EstimatedWeight<D>(PhantomData<D>);

const BASE: Weight = Weight::from_parts(15_000_000, 0);
/// Proof size of the set (32 ids of 32 bytes) and one validator's session keys.
const SET_PROOF: Weight = Weight::from_parts(0, 1_200);

impl<D: Get<RuntimeDbWeight>> WeightInfo for EstimatedWeight<D> {
	fn add_validator() -> Weight {
		// The set and the validator's keys; the set and its changed flag.
		BASE.saturating_add(SET_PROOF).saturating_add(D::get().reads_writes(2, 2))
	}
	fn remove_validator() -> Weight {
		BASE.saturating_add(SET_PROOF).saturating_add(D::get().reads_writes(1, 2))
	}
	fn set_session_length() -> Weight {
		BASE.saturating_add(D::get().writes(1))
	}
}
