//! A test runtime: System and the validator set pallet, with a session the tests set up.

use crate as pallet_validator_set;
use crate::*;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use polkadot_sdk::sp_io;
use sp_runtime::{traits::ConvertInto, BuildStorage};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type ValidatorSetPallet = pallet_validator_set;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	/// The current session's validators, as `pallet-session` would report them.
	pub static Active: Vec<AccountId> = vec![1, 2, 3];
	/// The accounts whose session keys are set.
	pub static WithKeys: Vec<AccountId> = vec![1, 2, 3, 4, 5, 6, 7];
}

/// The session, as `pallet-session` implements it, over [`Active`] and [`WithKeys`].
pub struct MockSession;
impl ValidatorSet<AccountId> for MockSession {
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	fn session_index() -> SessionIndex {
		0
	}
	fn validators() -> Vec<AccountId> {
		Active::get()
	}
}
impl ValidatorRegistration<AccountId> for MockSession {
	fn is_registered(id: &AccountId) -> bool {
		WithKeys::get().contains(id)
	}
}

pub const MIN_VALIDATORS: u32 = 2;
pub const MAX_VALIDATORS: u32 = 5;
pub const MIN_SESSION_LENGTH: u64 = 5;
/// The session length at genesis.
pub const SESSION_LENGTH: u64 = 10;

impl Config for Test {
	type ValidatorId = AccountId;
	type ValidatorSet = MockSession;
	type ValidatorRegistration = MockSession;
	type AddRemoveOrigin = EnsureRoot<AccountId>;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinSessionLength = ConstU64<MIN_SESSION_LENGTH>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockSession;
}

/// Storage after genesis, with the session's validators 1, 2 and 3.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_validator_set::GenesisConfig::<Test> { session_length: SESSION_LENGTH }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// The pallet's events so far.
pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::ValidatorSetPallet(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Validators for the benchmarks: ids from 100 on, their keys set.
#[cfg(feature = "runtime-benchmarks")]
impl benchmarking::BenchmarkHelper<AccountId> for MockSession {
	fn validator(index: u32) -> AccountId {
		let id = 100 + AccountId::from(index);
		let mut with_keys = WithKeys::get();
		if !with_keys.contains(&id) {
			with_keys.push(id);
			WithKeys::set(with_keys);
		}
		id
	}
}
