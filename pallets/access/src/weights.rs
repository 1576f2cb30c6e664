//! Weights of the access pallet's calls and hooks.
//!
//! The calls' benchmarks are in `benchmarking.rs`; until `scripts/benchmark-weights.sh` replaces
//! this file with their measurements, these are estimates: a
//! fixed compute part plus the storage reads and writes, priced with the database weights `D`;
//! `n` is the number of grants a call reads beyond its own: those a cascade removes (found
//! through the dependents index) and, for a manager's grant, those on its granter chain.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{RuntimeDbWeight, Weight},
};

/// Weight functions needed by the pallet.
pub trait WeightInfo {
	fn grant(n: u32) -> Weight;
	fn revoke(n: u32) -> Weight;
	fn remove_all(n: u32) -> Weight;
	fn clean_up_grant() -> Weight;
}

/// Estimated weights, with storage access priced by `D` (the runtime's `DbWeight`).
pub struct EstimatedWeight<D>(PhantomData<D>);

const BASE: Weight = Weight::from_parts(20_000_000, 0);
/// Proof size of one grant and its hold.
const PER_GRANT_PROOF: Weight = Weight::from_parts(0, 300);

impl<D: Get<RuntimeDbWeight>> EstimatedWeight<D> {
	/// Removing `n` grants with their index entries and holds, and reading each one's
	/// dependents: linear in `n`.
	fn cascade(n: u32) -> Weight {
		let n = u64::from(n);
		D::get()
			.reads_writes(3 * n, 4 * n)
			.saturating_add(PER_GRANT_PROOF.saturating_mul(n))
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(n))
	}
}

impl<D: Get<RuntimeDbWeight>> WeightInfo for EstimatedWeight<D> {
	fn grant(n: u32) -> Weight {
		// Owner, manager grant, previous grant, count, hold; grant, index, count; plus `n`
		// grants read on the manager's granter chain or removed with the previous grant.
		BASE.saturating_add(D::get().reads_writes(5, 5)).saturating_add(Self::cascade(n))
	}
	fn revoke(n: u32) -> Weight {
		BASE.saturating_add(D::get().reads_writes(3, 0)).saturating_add(Self::cascade(n))
	}
	fn remove_all(n: u32) -> Weight {
		BASE.saturating_add(Self::cascade(n))
	}
	fn clean_up_grant() -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(PER_GRANT_PROOF)
			.saturating_add(D::get().reads_writes(2, 3))
	}
}
