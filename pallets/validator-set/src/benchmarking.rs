//! Benchmarks of the validator set pallet, each at its worst case (feature
//! `runtime-benchmarks`): the set one short of `MaxValidators` when adding (every member
//! compared, the longest set written), full when removing its last member.
//! `scripts/test-benchmarks.sh` runs each once on the mock runtime and checks its outcome.

#![cfg(feature = "runtime-benchmarks")]

use crate::*;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use polkadot_sdk::{frame_benchmarking, sp_runtime::Saturating};

/// Makes the validators the benchmarks add and remove.
pub trait BenchmarkHelper<ValidatorId> {
	/// Validator number `index`, with its session keys set (as `session.setKeys` leaves them).
	fn validator(index: u32) -> ValidatorId;
}

/// A set of the first `n` validators.
fn put_set<T: Config>(n: u32) -> Result<Vec<T::ValidatorId>, BenchmarkError> {
	let set: Vec<_> = (0..n).map(T::BenchmarkHelper::validator).collect();
	let bounded = BoundedVec::try_from(set.clone())
		.map_err(|_| BenchmarkError::Stop("more validators than MaxValidators"))?;
	Validators::<T>::put(bounded);
	Ok(set)
}

fn add_remove_origin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::AddRemoveOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let max = T::MaxValidators::get();
		put_set::<T>(max.saturating_sub(1))?;
		let validator = T::BenchmarkHelper::validator(max.saturating_sub(1));
		let origin = add_remove_origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, validator.clone());

		assert!(Validators::<T>::get().contains(&validator));
		assert!(SetChanged::<T>::get());
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let set = put_set::<T>(T::MaxValidators::get())?;
		let last = set.last().cloned().ok_or(BenchmarkError::Stop("MaxValidators is 0"))?;
		let origin = add_remove_origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, last.clone());

		assert!(!Validators::<T>::get().contains(&last));
		assert!(SetChanged::<T>::get());
		Ok(())
	}

	#[benchmark]
	fn set_session_length() -> Result<(), BenchmarkError> {
		let length = T::MinSessionLength::get().saturating_mul(2u32.into());
		let origin = add_remove_origin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, length);

		assert_eq!(SessionLength::<T>::get(), length);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
