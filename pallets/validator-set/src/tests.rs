//! Tests of the validator set pallet.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks, BoundedVec};
use sp_runtime::{BuildStorage, DispatchError};

fn set() -> Vec<AccountId> {
	Validators::<Test>::get().into_inner()
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

/// Runs `test`, then checks the pallet's invariants.
fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		ValidatorSetPallet::do_try_state().expect("invariants hold");
	});
}

#[test]
fn genesis_takes_the_session_set_and_the_session_length() {
	run(|| {
		assert_eq!(set(), vec![1, 2, 3]);
		assert!(!SetChanged::<Test>::get());
		assert_eq!(SessionLength::<Test>::get(), SESSION_LENGTH);
		assert_eq!(SessionLengthOf::<Test>::get(), SESSION_LENGTH);
		ValidatorSetPallet::integrity_test();
	});
}

#[test]
#[should_panic(expected = "genesis session length is below MinSessionLength")]
fn genesis_refuses_a_short_session() {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let _ = crate::GenesisConfig::<Test> { session_length: MIN_SESSION_LENGTH - 1 }
		.assimilate_storage(&mut storage);
}

#[test]
fn only_the_privileged_origin_changes_the_set() {
	run(|| {
		assert_noop!(
			ValidatorSetPallet::add_validator(RuntimeOrigin::signed(4), 4),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSetPallet::remove_validator(RuntimeOrigin::signed(1), 3),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSetPallet::set_session_length(RuntimeOrigin::signed(1), 100),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn add_validator_adds_one_with_session_keys() {
	run(|| {
		assert_ok!(ValidatorSetPallet::add_validator(root(), 4));
		assert_eq!(set(), vec![1, 2, 3, 4]);
		assert!(SetChanged::<Test>::get());
		assert_eq!(events(), vec![Event::ValidatorAdded { validator: 4 }]);

		assert_noop!(ValidatorSetPallet::add_validator(root(), 4), Error::<Test>::AlreadyValidator);
		assert_noop!(ValidatorSetPallet::add_validator(root(), 1), Error::<Test>::AlreadyValidator);
		assert_noop!(ValidatorSetPallet::add_validator(root(), 8), Error::<Test>::NoSessionKeys);
	});
}

#[test]
fn the_set_stops_at_max_validators() {
	run(|| {
		assert_ok!(ValidatorSetPallet::add_validator(root(), 4));
		assert_ok!(ValidatorSetPallet::add_validator(root(), 5));
		assert_eq!(set().len() as u32, MAX_VALIDATORS);
		assert_noop!(
			ValidatorSetPallet::add_validator(root(), 6),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn remove_validator_keeps_min_validators() {
	run(|| {
		assert_noop!(ValidatorSetPallet::remove_validator(root(), 4), Error::<Test>::NotValidator);
		assert_ok!(ValidatorSetPallet::remove_validator(root(), 2));
		assert_eq!(set(), vec![1, 3]);
		assert!(SetChanged::<Test>::get());
		assert_eq!(events(), vec![Event::ValidatorRemoved { validator: 2 }]);
		assert_eq!(set().len() as u32, MIN_VALIDATORS);
		assert_noop!(
			ValidatorSetPallet::remove_validator(root(), 1),
			Error::<Test>::TooFewValidators
		);
		assert_noop!(ValidatorSetPallet::remove_validator(root(), 2), Error::<Test>::NotValidator);
	});
}

#[test]
fn a_changed_set_is_planned_once() {
	run(|| {
		// Unchanged: the session keeps its set.
		assert_eq!(ValidatorSetPallet::new_session_genesis(1), None);
		assert_eq!(ValidatorSetPallet::new_session(2), None);

		assert_ok!(ValidatorSetPallet::add_validator(root(), 4));
		assert_ok!(ValidatorSetPallet::remove_validator(root(), 1));
		assert_eq!(ValidatorSetPallet::new_session(3), Some(vec![2, 3, 4]));
		assert!(!SetChanged::<Test>::get());
		assert_eq!(
			events().last(),
			Some(&Event::NewSetPlanned { session_index: 3, validators: vec![2, 3, 4] })
		);

		// Planned once: the next rotation keeps it.
		assert_eq!(ValidatorSetPallet::new_session(4), None);
	});
}

#[test]
fn a_validator_removed_and_added_back_before_the_rotation_stays() {
	run(|| {
		assert_ok!(ValidatorSetPallet::remove_validator(root(), 2));
		assert_ok!(ValidatorSetPallet::add_validator(root(), 2));
		assert_eq!(ValidatorSetPallet::new_session(2), Some(vec![1, 3, 2]));
	});
}

#[test]
fn a_validator_without_keys_cannot_join_but_one_that_lost_them_can_leave() {
	run(|| {
		WithKeys::set(vec![1, 2, 4]);
		assert_noop!(ValidatorSetPallet::add_validator(root(), 5), Error::<Test>::NoSessionKeys);
		// 3 purged its keys: the session skips it already, and it can still be removed.
		assert_ok!(ValidatorSetPallet::remove_validator(root(), 3));
		assert_eq!(set(), vec![1, 2]);
	});
}

#[test]
fn set_session_length_keeps_the_minimum() {
	run(|| {
		assert_noop!(
			ValidatorSetPallet::set_session_length(root(), MIN_SESSION_LENGTH - 1),
			Error::<Test>::SessionTooShort
		);
		assert_ok!(ValidatorSetPallet::set_session_length(root(), MIN_SESSION_LENGTH));
		assert_eq!(SessionLengthOf::<Test>::get(), MIN_SESSION_LENGTH);
		assert_eq!(events(), vec![Event::SessionLengthSet { length: MIN_SESSION_LENGTH }]);
		// The set is not touched.
		assert!(!SetChanged::<Test>::get());
	});
}

#[test]
fn try_state_catches_a_broken_set() {
	run(|| {
		Validators::<Test>::put(BoundedVec::truncate_from(vec![1, 2, 1]));
		assert_eq!(
			ValidatorSetPallet::do_try_state(),
			Err("a validator is in the set twice".into())
		);
		Validators::<Test>::put(BoundedVec::truncate_from(vec![1]));
		assert_eq!(
			ValidatorSetPallet::do_try_state(),
			Err("fewer validators than MinValidators".into())
		);
		Validators::<Test>::put(BoundedVec::truncate_from(vec![1, 2]));
		SessionLength::<Test>::put(MIN_SESSION_LENGTH - 1);
		assert_eq!(
			ValidatorSetPallet::do_try_state(),
			Err("a session shorter than MinSessionLength".into())
		);
		SessionLength::<Test>::put(MIN_SESSION_LENGTH);
	});
}
