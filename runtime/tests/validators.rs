//! Validators joining and leaving through `pallet_validator_set` and `pallet_session`, in the real
//! runtime built from the `local_testnet` preset: Aura and GRANDPA follow the sessions.

mod common;

use codec::Encode;
use common::start_block;
use iotchain_runtime::{
	genesis_config_presets::get_preset, AccountId, Balances, Grandpa, Runtime,
	RuntimeGenesisConfig, RuntimeHoldReason, RuntimeOrigin, Session, SessionKeys, System,
	ValidatorSet, MINUTES, UNIT,
};
use pallet_validator_set::{Error, Event, SessionLength, Validators};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok, genesis_builder_helper::build_state, traits::fungible::InspectHold,
		traits::Hooks,
	},
	pallet_aura,
	pallet_session::HoldReason,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_consensus_grandpa::AuthorityId as GrandpaId,
	sp_genesis_builder::{PresetId, LOCAL_TESTNET_RUNTIME_PRESET},
	sp_io,
	sp_keyring::{Ed25519Keyring, Sr25519Keyring},
	sp_keystore::{testing::MemoryKeystore, KeystoreExt},
	sp_runtime::DispatchError,
};
use serde_json::Value;

/// The runtime at genesis of the `local_testnet` preset (merged into the default genesis, as
/// the node does), with a keystore for session keys.
fn local_testnet() -> sp_io::TestExternalities {
	fn merge(base: &mut Value, patch: Value) {
		match (base, patch) {
			(Value::Object(base), Value::Object(patch)) => {
				for (key, value) in patch {
					merge(base.entry(key).or_insert(Value::Null), value);
				}
			},
			(base, patch) => *base = patch,
		}
	}
	let preset = get_preset(&PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)).expect("preset");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("JSON");
	merge(&mut config, serde_json::from_slice(&preset).expect("preset is JSON"));
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(config.to_string().into_bytes())
			.expect("genesis builds")
	});
	ext
}

fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

/// Sets fresh session keys for `who` (as `author_rotateKeysWithOwner` and `session.setKeys`
/// do); returns them.
fn set_keys(who: Sr25519Keyring) -> SessionKeys {
	let owner = account(who);
	let generated = SessionKeys::generate(&owner.encode(), None);
	assert_ok!(Session::set_keys(
		RuntimeOrigin::signed(owner),
		generated.keys.clone(),
		generated.proof.encode()
	));
	generated.keys
}

/// Starts blocks up to the start of session `index` (sessions are `SessionLength` blocks long),
/// ending each with GRANDPA's `on_finalize`, which enacts the voter changes it scheduled.
fn start_session(index: u32) {
	let length = SessionLength::<Runtime>::get();
	while Session::current_index() < index {
		let next = (System::block_number() / length + 1) * length;
		start_block(next);
		Grandpa::on_finalize(next);
	}
}

fn aura_authorities() -> Vec<AuraId> {
	pallet_aura::Authorities::<Runtime>::get().into_inner()
}

fn grandpa_voters() -> Vec<GrandpaId> {
	Grandpa::grandpa_authorities().into_iter().map(|(id, _)| id).collect()
}

fn validator_events() -> Vec<Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			iotchain_runtime::RuntimeEvent::ValidatorSet(e) => Some(e),
			_ => None,
		})
		.collect()
}

const GENESIS_VALIDATORS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];

#[test]
fn genesis_validators_are_the_session_keys_and_aura_authorities() {
	local_testnet().execute_with(|| {
		let expected: Vec<AccountId> = GENESIS_VALIDATORS.map(account).to_vec();
		assert_eq!(Session::validators(), expected);
		assert_eq!(Validators::<Runtime>::get().into_inner(), expected);
		let aura: Vec<AuraId> = GENESIS_VALIDATORS.map(|k| k.public().into()).to_vec();
		assert_eq!(aura_authorities(), aura);
		assert_eq!(Grandpa::grandpa_authorities().len(), 4);
		assert_eq!(SessionLength::<Runtime>::get(), MINUTES);
		ValidatorSet::do_try_state().expect("invariants hold");
	});
}

#[test]
fn a_validator_joins_two_sessions_later_and_leaves_the_same_way() {
	local_testnet().execute_with(|| {
		start_block(1);
		let eve = account(Sr25519Keyring::Eve);
		let ferdie = account(Sr25519Keyring::Ferdie);

		// Only sudo adds, and only a validator with session keys.
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(eve.clone()), eve.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), ferdie),
			Error::<Runtime>::NoSessionKeys
		);

		let keys = set_keys(Sr25519Keyring::Eve);
		assert_eq!(
			Balances::balance_on_hold(&RuntimeHoldReason::Session(HoldReason::Keys), &eve),
			UNIT
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), eve.clone()));

		// The next rotation plans the new set for the session after it.
		start_session(1);
		assert!(!Session::validators().contains(&eve));
		assert!(validator_events().contains(&Event::NewSetPlanned {
			session_index: 2,
			validators: [GENESIS_VALIDATORS.map(account).to_vec(), vec![eve.clone()]].concat(),
		}));
		assert!(!aura_authorities().contains(&keys.aura));
		assert!(!grandpa_voters().contains(&keys.grandpa));

		// From session 2 on, Eve authors and votes.
		start_session(2);
		assert!(Session::validators().contains(&eve));
		assert_eq!(aura_authorities().len(), 5);
		assert!(aura_authorities().contains(&keys.aura));
		assert_eq!(grandpa_voters().len(), 5);
		assert!(grandpa_voters().contains(&keys.grandpa));

		// Bob leaves the same way.
		let bob = account(Sr25519Keyring::Bob);
		let bob_aura: AuraId = Sr25519Keyring::Bob.public().into();
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), bob.clone()));
		start_session(3);
		assert!(aura_authorities().contains(&bob_aura));
		start_session(4);
		assert!(!Session::validators().contains(&bob));
		assert!(!aura_authorities().contains(&bob_aura));
		assert_eq!(grandpa_voters().len(), 4);
		assert!(!grandpa_voters().contains(&Ed25519Keyring::Bob.public().into()));

		ValidatorSet::do_try_state().expect("invariants hold");
	});
}

#[test]
fn the_last_validator_cannot_be_removed() {
	local_testnet().execute_with(|| {
		start_block(1);
		for who in &GENESIS_VALIDATORS[1..] {
			assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), account(*who)));
		}
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), account(Sr25519Keyring::Alice)),
			Error::<Runtime>::TooFewValidators
		);
		start_session(2);
		assert_eq!(Session::validators(), vec![account(Sr25519Keyring::Alice)]);
		assert_eq!(aura_authorities(), vec![AuraId::from(Sr25519Keyring::Alice.public())]);
		ValidatorSet::do_try_state().expect("invariants hold");
	});
}

#[test]
fn sudo_sets_the_session_length() {
	local_testnet().execute_with(|| {
		start_block(1);
		assert_noop!(
			ValidatorSet::set_session_length(RuntimeOrigin::root(), MINUTES - 1),
			Error::<Runtime>::SessionTooShort
		);
		assert_ok!(ValidatorSet::set_session_length(RuntimeOrigin::root(), 3 * MINUTES));
		start_block(MINUTES);
		assert_eq!(Session::current_index(), 0, "no rotation at the old length");
		start_block(3 * MINUTES);
		assert_eq!(Session::current_index(), 1);
		ValidatorSet::do_try_state().expect("invariants hold");
	});
}
