//! Weights of the device registry's calls.
//!
//! The calls' benchmarks are in `benchmarking.rs`; until the runtime runs them to generate this
//! file (the benchmarking issue, #19), these are estimates: a fixed compute part (dominated by
//! signature verification for `register` and `rotate_key`) plus the storage reads and writes
//! each call makes, priced with the database weights `D`.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{RuntimeDbWeight, Weight},
};

/// Weight functions needed by the pallet.
pub trait WeightInfo {
	fn register() -> Weight;
	fn rotate_key() -> Weight;
	fn transfer_ownership() -> Weight;
	fn accept_ownership() -> Weight;
	fn cancel_transfer() -> Weight;
	fn update_metadata() -> Weight;
	fn set_firmware() -> Weight;
	fn set_custody() -> Weight;
	fn set_agreement_key() -> Weight;
	fn suspend() -> Weight;
	fn resume() -> Weight;
	fn report_compromised() -> Weight;
	fn retire() -> Weight;
}

/// Estimated weights, with storage access priced by `D` (the runtime's `DbWeight`).
pub struct EstimatedWeight<D>(PhantomData<D>);

/// Compute part of a call that verifies a signature (an ecdsa recovery is the slowest).
const SIGNATURE_CHECK: Weight = Weight::from_parts(80_000_000, 0);
/// Compute part of any other call.
const BASE: Weight = Weight::from_parts(20_000_000, 0);
/// Proof size of a device record and the maps around it (upper bound).
const PROOF: Weight = Weight::from_parts(0, 4_000);

impl<D: Get<RuntimeDbWeight>> EstimatedWeight<D> {
	fn estimate(compute: Weight, reads: u64, writes: u64) -> Weight {
		compute.saturating_add(PROOF).saturating_add(D::get().reads_writes(reads, writes))
	}
}

impl<D: Get<RuntimeDbWeight>> WeightInfo for EstimatedWeight<D> {
	fn register() -> Weight {
		// Devices, RetiredDevices, DeviceByKey, RetiredKeys, BlockHash, the hold and accounts.
		Self::estimate(SIGNATURE_CHECK, 8, 6)
	}
	fn rotate_key() -> Weight {
		Self::estimate(SIGNATURE_CHECK, 6, 6)
	}
	fn transfer_ownership() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn accept_ownership() -> Weight {
		Self::estimate(BASE, 5, 7)
	}
	fn cancel_transfer() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn update_metadata() -> Weight {
		Self::estimate(BASE, 3, 3)
	}
	fn set_firmware() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn set_custody() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn set_agreement_key() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn suspend() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn resume() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn report_compromised() -> Weight {
		Self::estimate(BASE, 1, 1)
	}
	fn retire() -> Weight {
		Self::estimate(BASE, 4, 9)
	}
}
