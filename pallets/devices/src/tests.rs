//! Unit tests of every call, success and failure paths, with real signatures.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		ConstU32,
	},
	BoundedVec,
};
use polkadot_sdk::sp_core::{ecdsa, ed25519, sr25519, Pair};
use sp_runtime::{
	traits::IdentifyAccount, DispatchError, DispatchResult, MultiSignature, MultiSigner, TokenError,
};

/// An id no device has.
const UNKNOWN: DeviceId = H256::repeat_byte(0xd0);

/// A device key, from a dev seed, in any of the three schemes.
#[derive(Clone)]
enum Key {
	Sr(Box<sr25519::Pair>),
	Ed(Box<ed25519::Pair>),
	Ecdsa(Box<ecdsa::Pair>),
}

impl Key {
	fn sr(seed: &str) -> Self {
		Key::Sr(Box::new(sr25519::Pair::from_string(&format!("//{seed}"), None).unwrap()))
	}
	fn ed(seed: &str) -> Self {
		Key::Ed(Box::new(ed25519::Pair::from_string(&format!("//{seed}"), None).unwrap()))
	}
	fn ecdsa(seed: &str) -> Self {
		Key::Ecdsa(Box::new(ecdsa::Pair::from_string(&format!("//{seed}"), None).unwrap()))
	}
	fn account(&self) -> AccountId {
		match self {
			Key::Sr(p) => MultiSigner::from(p.public()),
			Key::Ed(p) => MultiSigner::from(p.public()),
			Key::Ecdsa(p) => MultiSigner::from(p.public()),
		}
		.into_account()
	}
	fn sign(&self, message: &[u8]) -> MultiSignature {
		match self {
			Key::Sr(p) => p.sign(message).into(),
			Key::Ed(p) => p.sign(message).into(),
			Key::Ecdsa(p) => p.sign(message).into(),
		}
	}
}

fn genesis() -> H256 {
	System::block_hash(0)
}

fn registration_proof(key: &Key, owner: &AccountId) -> MultiSignature {
	let payload =
		RegistrationPayload { genesis_hash: genesis(), owner: owner.clone(), key: key.account() };
	key.sign(&payload.signing_bytes())
}

fn rotation_proof(new_key: &Key, device_id: DeviceId, old_key: &AccountId) -> MultiSignature {
	let payload = RotationPayload {
		genesis_hash: genesis(),
		device_id,
		old_key: old_key.clone(),
		new_key: new_key.account(),
	};
	new_key.sign(&payload.signing_bytes())
}

fn bounded(text: &str) -> BoundedVec<u8, ConstU32<STRING_LIMIT>> {
	text.as_bytes().to_vec().try_into().expect("within the limit")
}

fn metadata(model: &str, manufacturer: &str, label: &str) -> DeviceMetadataOf<Test> {
	DeviceMetadata {
		model: bounded(model),
		manufacturer: bounded(manufacturer),
		serial: bounded(""),
		label: bounded(label),
	}
}

fn default_metadata() -> DeviceMetadataOf<Test> {
	metadata("TH-200", "Acme", "greenhouse")
}

/// Deposit of [`default_metadata`]: base + 2 per byte × (6 + 4 + 10).
const DEFAULT_DEPOSIT: Balance = DEPOSIT_BASE + DEPOSIT_PER_BYTE * 20;

/// Registers the device of `key`, owned by `owner`; returns its id.
fn register(owner: &AccountId, key: &Key) -> DeviceId {
	assert_ok!(Registry::register(
		RuntimeOrigin::signed(owner.clone()),
		key.account(),
		registration_proof(key, owner),
		default_metadata(),
		None,
	));
	device_id_of(&key.account())
}

/// `from` offers `device` to `to`, who accepts.
fn hand_over(device: DeviceId, from: &AccountId, to: &AccountId) {
	assert_ok!(Registry::transfer_ownership(
		RuntimeOrigin::signed(from.clone()),
		device,
		to.clone()
	));
	assert_ok!(Registry::accept_ownership(RuntimeOrigin::signed(to.clone()), device));
}

fn held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::DeviceDeposit.into(), who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event was emitted").event
}

/// Runs `f` on a fresh chain and checks the registry's invariants at the end.
fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Registry::do_try_state().expect("the registry's invariants hold");
	});
}

mod register {
	use super::*;

	#[test]
	fn stores_the_device_under_its_key_s_id_holds_the_deposit_and_references_the_key() {
		test(|| {
			let key = Key::sr("sensor");
			let device = device_id_of(&key.account());
			assert_eq!(System::sufficients(&key.account()), 0);
			assert_ok!(Registry::register(
				RuntimeOrigin::signed(alice()),
				key.account(),
				registration_proof(&key, &alice()),
				default_metadata(),
				Some(H256::repeat_byte(0xf1)),
			));

			let record = Devices::<Test>::get(device).unwrap();
			assert_eq!(record.owner, alice());
			assert_eq!(record.key, key.account());
			assert_eq!(record.status, DeviceStatus::Active);
			assert_eq!(record.metadata.model.to_vec(), b"TH-200".to_vec());
			assert_eq!(record.metadata.label.to_vec(), b"greenhouse".to_vec());
			assert_eq!(record.firmware, Some(H256::repeat_byte(0xf1)));
			assert_eq!((record.registered_at, record.owner_since), (1, 1));
			assert_eq!(record.deposit, DEFAULT_DEPOSIT);
			assert_eq!(DeviceByKey::<Test>::get(key.account()), Some(device));
			assert!(DevicesOf::<Test>::contains_key(alice(), device));

			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT - DEFAULT_DEPOSIT);
			// The zero-balance key account exists thanks to the registry's sufficient reference.
			assert_eq!(System::sufficients(&key.account()), 1);
			assert_eq!(System::providers(&key.account()), 0);
			assert!(System::account_exists(&key.account()));
			assert_eq!(Balances::balance(&key.account()), 0);

			assert_eq!(
				last_event(),
				Event::Registered {
					device_id: device,
					owner: alice(),
					key: key.account(),
					deposit: DEFAULT_DEPOSIT,
				}
				.into()
			);
			assert_eq!(Pallet::<Test>::device_of_key(&key.account()), Some(device));
			assert_eq!(Pallet::<Test>::owner_of(&device), Some(alice()));
			assert!(Pallet::<Test>::is_active(&device));
		});
	}

	#[test]
	fn accepts_ed25519_and_ecdsa_keys() {
		test(|| {
			let ed = Key::ed("ed-sensor");
			let ecdsa = Key::ecdsa("ecdsa-sensor");
			assert_eq!(register(&alice(), &ed), device_id_of(&ed.account()));
			let device = register(&alice(), &ecdsa);
			assert_eq!(DeviceByKey::<Test>::get(ecdsa.account()), Some(device));
			assert_eq!(held(&alice()), 2 * DEFAULT_DEPOSIT);
		});
	}

	#[test]
	fn deposit_grows_with_metadata_bytes() {
		test(|| {
			let key = Key::sr("sensor");
			assert_ok!(Registry::register(
				RuntimeOrigin::signed(alice()),
				key.account(),
				registration_proof(&key, &alice()),
				DeviceMetadata::default(),
				None,
			));
			assert_eq!(held(&alice()), DEPOSIT_BASE);
			let max = "x".repeat(STRING_LIMIT as usize);
			let full = DeviceMetadata {
				model: bounded(&max),
				manufacturer: bounded(&max),
				serial: bounded(&max),
				label: bounded(&max),
			};
			let other = Key::sr("other");
			assert_ok!(Registry::register(
				RuntimeOrigin::signed(alice()),
				other.account(),
				registration_proof(&other, &alice()),
				full,
				None,
			));
			let full_deposit = DEPOSIT_BASE + DEPOSIT_PER_BYTE * 4 * STRING_LIMIT as u64;
			assert_eq!(held(&alice()), DEPOSIT_BASE + full_deposit);
		});
	}

	#[test]
	fn metadata_over_the_limit_does_not_decode() {
		test(|| {
			let key = Key::sr("sensor");
			let long = vec![b'x'; STRING_LIMIT as usize + 1];
			let at_limit = vec![b'x'; STRING_LIMIT as usize];
			let call = |label: &Vec<u8>| {
				// The call as a client would encode it, with unbounded byte strings.
				let metadata =
					(Vec::<u8>::new(), Vec::<u8>::new(), Vec::<u8>::new(), label.clone());
				let proof = registration_proof(&key, &alice());
				(2u8, 0u8, key.account(), proof, metadata, None::<H256>).encode()
			};
			assert!(RuntimeCall::decode(&mut &call(&at_limit)[..]).is_ok());
			assert!(RuntimeCall::decode(&mut &call(&long)[..]).is_err());
		});
	}

	#[test]
	fn rejects_a_proof_by_another_key() {
		test(|| {
			let (key, impostor) = (Key::sr("sensor"), Key::sr("impostor"));
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					key.account(),
					registration_proof(&impostor, &alice()),
					default_metadata(),
					None,
				),
				Error::<Test>::BadProof
			);
		});
	}

	#[test]
	fn rejects_a_proof_made_for_another_owner() {
		test(|| {
			// Alice's device proof, replayed by Bob to take the device over.
			let key = Key::sr("sensor");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(bob()),
					key.account(),
					registration_proof(&key, &alice()),
					default_metadata(),
					None,
				),
				Error::<Test>::BadProof
			);
		});
	}

	#[test]
	fn rejects_a_proof_made_for_another_chain() {
		test(|| {
			let key = Key::sr("sensor");
			let other_genesis = H256::repeat_byte(7);
			assert_ne!(other_genesis, genesis());
			let payload = RegistrationPayload {
				genesis_hash: other_genesis,
				owner: alice(),
				key: key.account(),
			};
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					key.account(),
					key.sign(&payload.signing_bytes()),
					default_metadata(),
					None,
				),
				Error::<Test>::BadProof
			);
		});
	}

	#[test]
	fn rejects_a_proof_made_for_another_purpose() {
		test(|| {
			let key = Key::sr("sensor");
			let rotation = rotation_proof(&key, device_id_of(&key.account()), &alice());
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					key.account(),
					rotation,
					default_metadata(),
					None,
				),
				Error::<Test>::BadProof
			);
		});
	}

	#[test]
	fn rejects_a_key_in_use() {
		test(|| {
			let key = Key::sr("sensor");
			register(&alice(), &key);
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(bob()),
					key.account(),
					registration_proof(&key, &bob()),
					default_metadata(),
					None,
				),
				Error::<Test>::KeyInUse
			);
		});
	}

	#[test]
	fn never_registers_a_retired_key_again_so_its_id_stays_dead() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), device));
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					key.account(),
					registration_proof(&key, &alice()),
					default_metadata(),
					None,
				),
				Error::<Test>::KeyRetired
			);
		});
	}

	/// Attack 3: a bot that sees a registration in the pool, or walks a serial range, cannot
	/// make the device's id exist with its own key, nor tombstone it first.
	#[test]
	fn attack_a_stranger_squats_a_device_id_by_front_running() {
		test(|| {
			let key = Key::sr("sensor");
			let victim = device_id_of(&key.account());
			// The squatter registers its own key and retires it at once: that kills its own id.
			let squatter = Key::sr("squatter");
			let squatted = register(&bob(), &squatter);
			assert_ne!(squatted, victim);
			assert_ok!(Registry::retire(RuntimeOrigin::signed(bob()), squatted));
			// Replaying the victim's proof for itself fails: the proof names the owner.
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(bob()),
					key.account(),
					registration_proof(&key, &alice()),
					default_metadata(),
					None,
				),
				Error::<Test>::BadProof
			);
			// The rightful registration goes through under the id of the device's key.
			assert_eq!(register(&alice(), &key), victim);
			assert_eq!(Pallet::<Test>::owner_of(&victim), Some(alice()));
		});
	}

	#[test]
	fn fails_without_funds_for_the_deposit() {
		test(|| {
			let key = Key::sr("sensor");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(pauper()),
					key.account(),
					registration_proof(&key, &pauper()),
					default_metadata(),
					None,
				),
				DispatchError::Token(TokenError::FundsUnavailable)
			);
			assert_eq!(System::sufficients(&key.account()), 0);
		});
	}

	#[test]
	fn needs_a_signed_origin() {
		test(|| {
			let key = Key::sr("sensor");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::none(),
					key.account(),
					registration_proof(&key, &alice()),
					default_metadata(),
					None,
				),
				DispatchError::BadOrigin
			);
		});
	}
}

mod rotate_key {
	use super::*;

	pub(super) fn rotate(
		device: DeviceId,
		who: &AccountId,
		new_key: &Key,
		old_key: &AccountId,
	) -> DispatchResult {
		Registry::rotate_key(
			RuntimeOrigin::signed(who.clone()),
			device,
			new_key.account(),
			rotation_proof(new_key, device, old_key),
		)
	}

	#[test]
	fn by_the_owner_moves_the_key_and_makes_the_old_one_useless() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::ed("new"));
			let device = register(&alice(), &old);
			assert_ok!(rotate(device, &alice(), &new, &old.account()));

			assert_eq!(Devices::<Test>::get(device).unwrap().key, new.account());
			assert_eq!(DeviceByKey::<Test>::get(new.account()), Some(device));
			assert_eq!(DeviceByKey::<Test>::get(old.account()), None);
			assert_eq!(RetiredKeys::<Test>::get(old.account()), Some(device));
			assert_eq!(System::sufficients(&old.account()), 0);
			assert_eq!(System::sufficients(&new.account()), 1);
			assert_eq!(
				last_event(),
				Event::KeyRotated {
					device_id: device,
					old_key: old.account(),
					new_key: new.account()
				}
				.into()
			);
			// The deposit is untouched.
			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);

			// The old key no longer speaks for the device …
			assert_eq!(Pallet::<Test>::device_of_key(&old.account()), None);
			let newer = Key::sr("newer");
			assert_noop!(
				rotate(device, &old.account(), &newer, &new.account()),
				Error::<Test>::NotOwnerOrDevice
			);
			// … and can never be registered again.
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					old.account(),
					registration_proof(&old, &alice()),
					default_metadata(),
					None,
				),
				Error::<Test>::KeyRetired
			);
		});
	}

	#[test]
	fn by_the_active_device_itself() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::sr("new"));
			let device = register(&alice(), &old);
			assert_ok!(rotate(device, &old.account(), &new, &old.account()));
			assert_eq!(Pallet::<Test>::device_of_key(&new.account()), Some(device));
			assert_eq!(RetiredKeys::<Test>::get(old.account()), Some(device));
			// The reference moved with the key: the old key's account is gone.
			assert_eq!(System::sufficients(&old.account()), 0);
			assert!(!System::account_exists(&old.account()));
			assert_eq!(System::sufficients(&new.account()), 1);
			assert_eq!(
				last_event(),
				Event::KeyRotated {
					device_id: device,
					old_key: old.account(),
					new_key: new.account()
				}
				.into()
			);
		});
	}

	#[test]
	fn not_by_a_suspended_or_compromised_device_nor_a_stranger() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::sr("new"));
			let device = register(&alice(), &old);
			assert_noop!(
				rotate(device, &bob(), &new, &old.account()),
				Error::<Test>::NotOwnerOrDevice
			);

			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), device));
			assert_noop!(
				rotate(device, &old.account(), &new, &old.account()),
				Error::<Test>::NotActive
			);

			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 1));
			// The leaked key must not be able to hand the device to the attacker.
			assert_noop!(
				rotate(device, &old.account(), &new, &old.account()),
				Error::<Test>::NotActive
			);
		});
	}

	#[test]
	fn recovers_a_compromised_device_and_closes_the_window() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::sr("new"));
			let device = register(&alice(), &old);
			System::set_block_number(10);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 5));
			System::set_block_number(12);
			assert_ok!(rotate(device, &alice(), &new, &old.account()));

			let record = Devices::<Test>::get(device).unwrap();
			assert_eq!(record.status, DeviceStatus::Active);
			assert_eq!(
				record.compromises.to_vec(),
				vec![CompromiseWindow { since: 5, until: Some(12) }]
			);
			assert!(!Pallet::<Test>::is_suspect(&device, 4));
			assert!(Pallet::<Test>::is_suspect(&device, 5));
			assert!(Pallet::<Test>::is_suspect(&device, 11));
			assert!(!Pallet::<Test>::is_suspect(&device, 12));
		});
	}

	#[test]
	fn rejects_keys_in_use_retired_keys_and_bad_proofs() {
		test(|| {
			let (old, other) = (Key::sr("old"), Key::sr("other"));
			let device = register(&alice(), &old);
			register(&alice(), &other);
			assert_noop!(rotate(device, &alice(), &other, &old.account()), Error::<Test>::KeyInUse);
			assert_noop!(rotate(device, &alice(), &old, &old.account()), Error::<Test>::KeyInUse);

			let new = Key::sr("new");
			// A proof made for another transition (wrong old key) does not do.
			assert_noop!(rotate(device, &alice(), &new, &bob()), Error::<Test>::BadProof);
			// Nor a registration proof by the new key.
			assert_noop!(
				Registry::rotate_key(
					RuntimeOrigin::signed(alice()),
					device,
					new.account(),
					registration_proof(&new, &alice()),
				),
				Error::<Test>::BadProof
			);

			assert_ok!(rotate(device, &alice(), &new, &old.account()));
			// Rotating back to the replaced key: it is tombstoned.
			assert_noop!(rotate(device, &alice(), &old, &new.account()), Error::<Test>::KeyRetired);
		});
	}

	#[test]
	fn of_unknown_or_retired_devices_fails() {
		test(|| {
			let new = Key::sr("new");
			assert_noop!(rotate(UNKNOWN, &alice(), &new, &alice()), Error::<Test>::UnknownDevice);
			let old = Key::sr("old");
			let device = register(&alice(), &old);
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), device));
			assert_noop!(
				rotate(device, &alice(), &new, &old.account()),
				Error::<Test>::DeviceRetired
			);
		});
	}

	#[test]
	fn by_the_owner_whatever_the_old_key_account_holds() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::sr("new"));
			let device = register(&alice(), &old);
			// Funds, and something else depending on the key account (a consumer).
			assert_ok!(Balances::transfer_allow_death(
				RuntimeOrigin::signed(bob()),
				old.account(),
				1_000
			));
			assert_ok!(System::inc_consumers(&old.account()));
			assert_ok!(rotate(device, &alice(), &new, &old.account()));
			assert_eq!(System::sufficients(&old.account()), 0);
			assert_eq!(Balances::balance(&old.account()), 1_000);
			System::dec_consumers(&old.account());
			assert_eq!(Pallet::<Test>::device_of_key(&new.account()), Some(device));
		});
	}
}

mod ownership {
	use super::*;

	#[test]
	fn moves_the_device_and_the_deposit_on_accept() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, bob()));
			assert_eq!(
				last_event(),
				Event::TransferOffered {
					device_id: device,
					from: alice(),
					to: bob(),
					expires_at: 1 + TRANSFER_OFFER_PERIOD
				}
				.into()
			);
			// Not accepted yet: nothing changed hands.
			assert_eq!(Pallet::<Test>::owner_of(&device), Some(alice()));
			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);
			assert_eq!(held(&bob()), 0);
			assert!(TransferLog::get().is_empty());

			assert_ok!(Registry::accept_ownership(RuntimeOrigin::signed(bob()), device));
			let record = Devices::<Test>::get(device).unwrap();
			assert_eq!(record.owner, bob());
			assert_eq!(record.transfer_offer, None);
			assert_eq!(held(&alice()), 0);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT);
			assert_eq!(held(&bob()), DEFAULT_DEPOSIT);
			assert_eq!(Balances::balance(&bob()), ENDOWMENT - DEFAULT_DEPOSIT);
			assert!(!DevicesOf::<Test>::contains_key(alice(), device));
			assert!(DevicesOf::<Test>::contains_key(bob(), device));
			assert_eq!(TransferLog::get(), vec![(device, alice(), bob())]);
			assert_eq!(
				last_event(),
				Event::OwnershipTransferred {
					device_id: device,
					from: alice(),
					to: bob(),
					deposit: DEFAULT_DEPOSIT,
				}
				.into()
			);

			// The previous owner has no say any more.
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::NotOwnerOrManager
			);
		});
	}

	#[test]
	fn only_the_owner_offers_and_not_to_itself() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(bob()), device, bob()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, alice()),
				Error::<Test>::AlreadyOwner
			);
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(alice()), UNKNOWN, bob()),
				Error::<Test>::UnknownDevice
			);
		});
	}

	#[test]
	fn only_the_offered_account_accepts() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NoPendingTransfer
			);
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, bob()));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(charlie()), device),
				Error::<Test>::NotPendingOwner
			);
			// A new offer replaces the pending one.
			assert_ok!(Registry::transfer_ownership(
				RuntimeOrigin::signed(alice()),
				device,
				charlie()
			));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NotPendingOwner
			);
			assert_ok!(Registry::accept_ownership(RuntimeOrigin::signed(charlie()), device));
			assert_eq!(Pallet::<Test>::owner_of(&device), Some(charlie()));
		});
	}

	#[test]
	fn accept_fails_if_the_new_owner_cannot_pay_the_deposit() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_ok!(Registry::transfer_ownership(
				RuntimeOrigin::signed(alice()),
				device,
				pauper()
			));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(pauper()), device),
				DispatchError::Token(TokenError::FundsUnavailable)
			);
			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);
		});
	}

	#[test]
	fn cancel_by_owner_or_offered_account() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_noop!(
				Registry::cancel_transfer(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::NoPendingTransfer
			);
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, bob()));
			assert_noop!(
				Registry::cancel_transfer(RuntimeOrigin::signed(charlie()), device),
				Error::<Test>::NotOwner
			);
			assert_ok!(Registry::cancel_transfer(RuntimeOrigin::signed(alice()), device));
			assert_eq!(last_event(), Event::TransferCancelled { device_id: device }.into());
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NoPendingTransfer
			);

			// The offered account may decline.
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, bob()));
			assert_ok!(Registry::cancel_transfer(RuntimeOrigin::signed(bob()), device));
			assert_eq!(Devices::<Test>::get(device).unwrap().transfer_offer, None);
			assert_eq!(Pallet::<Test>::owner_of(&device), Some(alice()));
		});
	}

	#[test]
	fn offers_expire() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, bob()));
			System::set_block_number(1 + TRANSFER_OFFER_PERIOD);
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::TransferExpired
			);
			// A renewed offer is open again, up to its last block.
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, bob()));
			System::set_block_number(2 * TRANSFER_OFFER_PERIOD);
			assert_ok!(Registry::accept_ownership(RuntimeOrigin::signed(bob()), device));
			assert_eq!(Pallet::<Test>::owner_of(&device), Some(bob()));
		});
	}

	/// Attack 7: after a sale, the seller may still hold the device key.
	#[test]
	fn attack_the_seller_keeps_using_the_device_key() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			hand_over(device, &alice(), &bob());

			// The device cannot act (anchor) and its key cannot rotate itself …
			assert_eq!(
				Pallet::<Test>::status_of(&device),
				Some(DeviceStatus::Suspended { by: SuspendedBy::Transfer })
			);
			assert!(!Pallet::<Test>::is_active(&device));
			let attacker = Key::sr("attacker");
			assert_noop!(
				rotate_key::rotate(device, &key.account(), &attacker, &key.account()),
				Error::<Test>::NotActive
			);
			// … and only the new owner lifts that: not the seller, nor a manager.
			DeviceManagers::set(vec![(device, charlie())]);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::NotOwnerOrManager
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(charlie()), device),
				Error::<Test>::SuspendedByOwner
			);

			// The new owner rotates the key: the device is active under the new key.
			let fresh = Key::sr("fresh");
			assert_ok!(rotate_key::rotate(device, &bob(), &fresh, &key.account()));
			assert!(Pallet::<Test>::is_active(&device));
			assert_eq!(Pallet::<Test>::device_of_key(&key.account()), None);
		});
	}

	#[test]
	fn the_new_owner_may_keep_the_key_by_resuming() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			hand_over(device, &alice(), &bob());
			assert_ok!(Registry::resume(RuntimeOrigin::signed(bob()), device));
			assert!(Pallet::<Test>::is_active(&device));
			assert_eq!(Pallet::<Test>::device_of_key(&key.account()), Some(device));
		});
	}

	#[test]
	fn a_device_compromised_at_transfer_stays_compromised() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 1));
			hand_over(device, &alice(), &bob());
			assert_eq!(
				Pallet::<Test>::status_of(&device),
				Some(DeviceStatus::Compromised { since: 1 })
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NotSuspended
			);
		});
	}
}

mod metadata {
	use super::*;

	#[test]
	fn update_adjusts_the_deposit_both_ways() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			let bigger = metadata("TH-200-PRO-MAX", "Acme Sensors", "greenhouse north");
			let bigger_deposit = DEPOSIT_BASE + DEPOSIT_PER_BYTE * (14 + 12 + 16);
			assert_ok!(Registry::update_metadata(RuntimeOrigin::signed(alice()), device, bigger));
			assert_eq!(held(&alice()), bigger_deposit);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT - bigger_deposit);
			assert_eq!(
				last_event(),
				Event::MetadataUpdated { device_id: device, deposit: bigger_deposit }.into()
			);
			assert_eq!(
				Devices::<Test>::get(device).unwrap().metadata.manufacturer.to_vec(),
				b"Acme Sensors".to_vec()
			);

			assert_ok!(Registry::update_metadata(
				RuntimeOrigin::signed(alice()),
				device,
				metadata("T", "", "")
			));
			assert_eq!(held(&alice()), DEPOSIT_BASE + DEPOSIT_PER_BYTE);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT - DEPOSIT_BASE - DEPOSIT_PER_BYTE);
		});
	}

	#[test]
	fn update_is_for_the_owner_only() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_noop!(
				Registry::update_metadata(RuntimeOrigin::signed(bob()), device, default_metadata()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::update_metadata(
					RuntimeOrigin::signed(alice()),
					UNKNOWN,
					default_metadata()
				),
				Error::<Test>::UnknownDevice
			);
		});
	}

	#[test]
	fn firmware_history_is_in_the_events() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			let (v1, v2) = (H256::repeat_byte(1), H256::repeat_byte(2));
			assert_ok!(Registry::set_firmware(RuntimeOrigin::signed(alice()), device, v1));
			assert_eq!(
				last_event(),
				Event::FirmwareUpdated { device_id: device, old: None, new: v1 }.into()
			);
			assert_ok!(Registry::set_firmware(RuntimeOrigin::signed(alice()), device, v2));
			assert_eq!(
				last_event(),
				Event::FirmwareUpdated { device_id: device, old: Some(v1), new: v2 }.into()
			);
			assert_eq!(Devices::<Test>::get(device).unwrap().firmware, Some(v2));
			assert_noop!(
				Registry::set_firmware(RuntimeOrigin::signed(bob()), device, v1),
				Error::<Test>::NotOwner
			);
		});
	}
}

mod custody {
	use super::*;

	#[test]
	fn the_owner_declares_a_gateway_and_takes_it_back() {
		test(|| {
			let sensor = Key::sr("sensor");
			let device = register(&alice(), &sensor);
			assert_eq!(Devices::<Test>::get(device).unwrap().custody, Custody::Device);
			assert_eq!(Registry::custody_of(&device), Custody::Device);

			let gateway = Custody::Gateway { account: charlie() };
			assert_ok!(Registry::set_custody(
				RuntimeOrigin::signed(alice()),
				device,
				gateway.clone()
			));
			assert_eq!(
				last_event(),
				Event::CustodySet { device_id: device, custody: gateway.clone() }.into()
			);
			assert_eq!(Registry::custody_of(&device), gateway);
			// The deposit does not change: custody is part of the record's fixed size.
			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);

			assert_ok!(Registry::set_custody(
				RuntimeOrigin::signed(alice()),
				device,
				Custody::Device
			));
			assert_eq!(Registry::custody_of(&device), Custody::Device);
		});
	}

	#[test]
	fn only_the_owner_declares_and_never_the_device_key_as_gateway() {
		test(|| {
			let sensor = Key::sr("sensor");
			let device = register(&alice(), &sensor);
			let gateway = Custody::Gateway { account: bob() };
			// Neither the would-be gateway nor the device itself can declare it.
			for who in [bob(), sensor.account()] {
				assert_noop!(
					Registry::set_custody(RuntimeOrigin::signed(who), device, gateway.clone()),
					Error::<Test>::NotOwner
				);
			}
			assert_noop!(
				Registry::set_custody(
					RuntimeOrigin::signed(alice()),
					device,
					Custody::Gateway { account: sensor.account() }
				),
				Error::<Test>::GatewayIsDeviceKey
			);
			assert_noop!(
				Registry::set_custody(RuntimeOrigin::signed(alice()), UNKNOWN, gateway.clone()),
				Error::<Test>::UnknownDevice
			);
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), device));
			assert_noop!(
				Registry::set_custody(RuntimeOrigin::signed(alice()), device, gateway),
				Error::<Test>::DeviceRetired
			);
			assert_eq!(Registry::custody_of(&device), Custody::Device);
		});
	}

	#[test]
	fn custody_stays_through_transfer_and_rotation() {
		test(|| {
			let sensor = Key::sr("sensor");
			let device = register(&alice(), &sensor);
			let gateway = Custody::Gateway { account: charlie() };
			assert_ok!(Registry::set_custody(
				RuntimeOrigin::signed(alice()),
				device,
				gateway.clone()
			));
			hand_over(device, &alice(), &bob());
			let rotated = Key::sr("sensor-2");
			assert_ok!(Registry::rotate_key(
				RuntimeOrigin::signed(bob()),
				device,
				rotated.account(),
				rotation_proof(&rotated, device, &sensor.account()),
			));
			assert_eq!(Registry::custody_of(&device), gateway);
			// The new owner now decides.
			assert_noop!(
				Registry::set_custody(RuntimeOrigin::signed(alice()), device, Custody::Device),
				Error::<Test>::NotOwner
			);
			assert_ok!(Registry::set_custody(
				RuntimeOrigin::signed(bob()),
				device,
				Custody::Device
			));
		});
	}

	#[test]
	fn the_v1_migration_gives_every_old_record_device_custody() {
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		new_test_ext().execute_with(|| {
			let devices = [register(&alice(), &Key::sr("a")), register(&bob(), &Key::ed("b"))];
			hand_over(devices[0], &alice(), &charlie());
			let expected: Vec<_> =
				devices.iter().map(|d| Devices::<Test>::get(d).unwrap()).collect();
			// Write each record as version 0 stored it: without custody (`Device`, one zero
			// byte) and the agreement key (`None`, one zero byte) that versions 1 and 3 added.
			for (device, info) in devices.iter().zip(&expected) {
				let encoded = info.encode();
				assert_eq!(&encoded[encoded.len() - 2..], &[0, 0]);
				put_raw_record(device, &encoded[..encoded.len() - 2]);
			}
			StorageVersion::new(0).put::<Registry>();

			migrations::v1::MigrateToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Registry::on_chain_storage_version(), 1);
			let as_v2 = |device| {
				migrations::v3::v2_layout::Devices::<Test>::get(device).map(DeviceInfo::from)
			};
			for (device, info) in devices.iter().zip(&expected) {
				assert_eq!(as_v2(device).as_ref(), Some(info));
			}
			// A second run does nothing: the storage version guards it.
			migrations::v1::MigrateToV1::<Test>::on_runtime_upgrade();
			for (device, info) in devices.iter().zip(&expected) {
				assert_eq!(as_v2(device).as_ref(), Some(info));
			}
		});
	}

	#[test]
	fn the_v3_migration_gives_every_record_no_agreement_key() {
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		new_test_ext().execute_with(|| {
			let devices = [register(&alice(), &Key::sr("a")), register(&bob(), &Key::ed("b"))];
			let expected: Vec<_> =
				devices.iter().map(|d| Devices::<Test>::get(d).unwrap()).collect();
			for (device, info) in devices.iter().zip(&expected) {
				put_raw_record(device, &as_v2_bytes(info));
				assert!(Devices::<Test>::try_get(device).is_err(), "v2 bytes do not decode as v3");
			}
			StorageVersion::new(2).put::<Registry>();

			migrations::v3::MigrateToV3::<Test>::on_runtime_upgrade();
			assert_eq!(Registry::on_chain_storage_version(), 3);
			for (device, info) in devices.iter().zip(&expected) {
				assert_eq!(Devices::<Test>::get(device).as_ref(), Some(info));
			}
			Registry::do_try_state().expect("the registry's invariants hold after the migration");
			migrations::v3::MigrateToV3::<Test>::on_runtime_upgrade();
			for (device, info) in devices.iter().zip(&expected) {
				assert_eq!(Devices::<Test>::get(device).as_ref(), Some(info));
			}
		});
	}

	/// Writes `bytes` as the stored record of `device`, whatever layout they are in.
	pub(super) fn put_raw_record(device: &DeviceId, bytes: &[u8]) {
		use frame_support::{
			storage::{storage_prefix, unhashed},
			Blake2_128Concat, StorageHasher,
		};
		let mut key = storage_prefix(b"Registry", b"Devices").to_vec();
		key.extend(Blake2_128Concat::hash(&device.encode()));
		unhashed::put_raw(&key, bytes);
	}

	/// A record without an agreement key as versions 1 and 2 stored it: without the trailing
	/// `None`.
	pub(super) fn as_v2_bytes(info: &DeviceInfo<Test>) -> Vec<u8> {
		assert_eq!(info.agreement_key, None);
		let encoded = info.encode();
		encoded[..encoded.len() - 1].to_vec()
	}
}

mod lifecycle {
	use super::*;

	#[test]
	fn suspend_and_resume() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::NotSuspended
			);
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NotOwnerOrManager
			);
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), device));
			assert_eq!(last_event(), Event::Suspended { device_id: device, by: alice() }.into());
			assert_eq!(
				Pallet::<Test>::status_of(&device),
				Some(DeviceStatus::Suspended { by: SuspendedBy::Owner })
			);
			assert!(!Pallet::<Test>::is_active(&device));
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::NotActive
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NotOwnerOrManager
			);
			assert_ok!(Registry::resume(RuntimeOrigin::signed(alice()), device));
			assert_eq!(last_event(), Event::Resumed { device_id: device, by: alice() }.into());
			assert!(Pallet::<Test>::is_active(&device));
		});
	}

	#[test]
	fn a_manager_suspends_and_resumes_but_does_nothing_else() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			DeviceManagers::set(vec![(device, bob()), (device, charlie())]);
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(bob()), device));
			assert_eq!(last_event(), Event::Suspended { device_id: device, by: bob() }.into());
			assert_eq!(
				Pallet::<Test>::status_of(&device),
				Some(DeviceStatus::Suspended { by: SuspendedBy::Manager })
			);
			// What one manager suspended, another manager (or the owner) may resume.
			assert_ok!(Registry::resume(RuntimeOrigin::signed(charlie()), device));
			assert_eq!(last_event(), Event::Resumed { device_id: device, by: charlie() }.into());
			// Managing one device gives nothing on another.
			let other_device = register(&alice(), &Key::sr("other"));
			DeviceManagers::set(vec![(device, bob())]);
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(bob()), other_device),
				Error::<Test>::NotOwnerOrManager
			);

			let new = Key::sr("new");
			assert_noop!(
				Registry::rotate_key(
					RuntimeOrigin::signed(bob()),
					device,
					new.account(),
					rotation_proof(&new, device, &key.account()),
				),
				Error::<Test>::NotOwnerOrDevice
			);
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(bob()), device, bob()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(bob()), device, 1),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::update_metadata(RuntimeOrigin::signed(bob()), device, default_metadata()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NotOwner
			);
		});
	}

	#[test]
	fn report_compromised_marks_later_activity_suspect() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			System::set_block_number(20);
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 21),
				Error::<Test>::SinceInFuture
			);
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(bob()), device, 15),
				Error::<Test>::NotOwner
			);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 15));
			assert_eq!(last_event(), Event::Compromised { device_id: device, since: 15 }.into());
			assert_eq!(
				Pallet::<Test>::status_of(&device),
				Some(DeviceStatus::Compromised { since: 15 })
			);
			assert!(!Pallet::<Test>::is_active(&device));
			assert!(!Pallet::<Test>::is_suspect(&device, 14));
			assert!(Pallet::<Test>::is_suspect(&device, 15));
			assert!(Pallet::<Test>::is_suspect(&device, 1_000));
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 16),
				Error::<Test>::AlreadyCompromised
			);
			// A compromised device cannot be suspended or resumed, only recovered by rotation.
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::NotActive
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::NotSuspended
			);
		});
	}

	#[test]
	fn a_suspended_device_can_be_reported_compromised() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), device));
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 1));
			assert_eq!(
				Pallet::<Test>::status_of(&device),
				Some(DeviceStatus::Compromised { since: 1 })
			);
		});
	}

	#[test]
	fn a_manager_cannot_resume_what_the_owner_suspended() {
		test(|| {
			let device = register(&alice(), &Key::sr("sensor"));
			DeviceManagers::set(vec![(device, bob())]);
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), device));
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::SuspendedByOwner
			);
			assert_ok!(Registry::resume(RuntimeOrigin::signed(alice()), device));
			// And the owner may resume what a manager suspended.
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(bob()), device));
			assert_ok!(Registry::resume(RuntimeOrigin::signed(alice()), device));
			assert!(Pallet::<Test>::is_active(&device));
		});
	}

	/// Attack 5: the buyer reports the device compromised since block 0, tainting everything
	/// anchored under the previous owner.
	#[test]
	fn attack_backdated_compromise_report_taints_the_previous_owner() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			System::set_block_number(10);
			hand_over(device, &alice(), &bob());
			for since in [0, 9] {
				assert_noop!(
					Registry::report_compromised(RuntimeOrigin::signed(bob()), device, since),
					Error::<Test>::SinceTooEarly
				);
			}
			// From the block the buyer took over, the report stands.
			System::set_block_number(12);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(bob()), device, 10));
			assert!(!Pallet::<Test>::is_suspect(&device, 9), "alice's data stays clean");
			assert!(Pallet::<Test>::is_suspect(&device, 10));
		});
	}

	#[test]
	fn a_report_cannot_reach_before_the_previous_window_ended() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			System::set_block_number(10);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 4));
			System::set_block_number(20);
			let fresh = Key::sr("fresh");
			assert_ok!(rotate_key::rotate(device, &alice(), &fresh, &key.account()));
			System::set_block_number(30);
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 19),
				Error::<Test>::SinceTooEarly
			);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 20));
			assert_eq!(
				Devices::<Test>::get(device).unwrap().compromises.to_vec(),
				vec![
					CompromiseWindow { since: 4, until: Some(20) },
					CompromiseWindow { since: 20, until: None }
				]
			);
		});
	}

	/// Attack 6: one more report than `MaxCompromises` used to be refused, so data from the
	/// newly leaked key verified clean.
	#[test]
	fn attack_a_compromise_beyond_max_compromises_goes_unrecorded() {
		test(|| {
			let mut key = Key::sr("key0");
			let device = register(&alice(), &key);
			// Windows [10, 15), [20, 25), … one more than the history holds.
			for i in 1..=MAX_COMPROMISES as u64 + 1 {
				System::set_block_number(10 * i);
				assert_ok!(Registry::report_compromised(
					RuntimeOrigin::signed(alice()),
					device,
					10 * i
				));
				System::set_block_number(10 * i + 5);
				let next = Key::sr(&format!("key{i}"));
				assert_ok!(rotate_key::rotate(device, &alice(), &next, &key.account()));
				key = next;
			}
			// Never refused; the newest window is exact …
			let history = Devices::<Test>::get(device).unwrap().compromises;
			assert_eq!(history.len(), MAX_COMPROMISES as usize);
			let last = 10 * (MAX_COMPROMISES as u64 + 1);
			assert_eq!(
				history.last(),
				Some(&CompromiseWindow { since: last, until: Some(last + 5) })
			);
			// … and every block of every reported window is still suspect (the two oldest were
			// merged, the gap between them included: conservative).
			for i in 1..=MAX_COMPROMISES as u64 + 1 {
				for at in 10 * i..10 * i + 5 {
					assert!(Pallet::<Test>::is_suspect(&device, at), "block {at}");
				}
			}
			assert!(!Pallet::<Test>::is_suspect(&device, 9));
			assert!(!Pallet::<Test>::is_suspect(&device, last + 5));
		});
	}
}

mod retire {
	use super::*;

	#[test]
	fn returns_the_deposit_and_tombstones_id_and_key() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			System::set_block_number(7);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 3));
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), device, bob()));
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), device));

			assert_eq!(held(&alice()), 0);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT);
			assert!(!Devices::<Test>::contains_key(device));
			assert!(!DevicesOf::<Test>::contains_key(alice(), device));
			assert_eq!(DeviceByKey::<Test>::get(key.account()), None);
			assert_eq!(RetiredKeys::<Test>::get(key.account()), Some(device));
			assert_eq!(RetiredDevices::<Test>::get(device).unwrap().retired_at, 7);
			assert_eq!(System::sufficients(&key.account()), 0);
			assert_eq!(RetiredLog::get(), vec![device]);
			assert_eq!(
				last_event(),
				Event::Retired {
					device_id: device,
					owner: alice(),
					deposit_returned: DEFAULT_DEPOSIT
				}
				.into()
			);

			assert_eq!(Pallet::<Test>::status_of(&device), Some(DeviceStatus::Retired));
			assert_eq!(Pallet::<Test>::owner_of(&device), None);
			// What it did while compromised stays suspect after retirement.
			assert!(Pallet::<Test>::is_suspect(&device, 5));
			assert!(!Pallet::<Test>::is_suspect(&device, 2));

			// Retirement is final: nothing more can be done with the device.
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::DeviceRetired
			);
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::DeviceRetired
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(alice()), device),
				Error::<Test>::DeviceRetired
			);
		});
	}

	#[test]
	fn only_by_the_owner() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(bob()), device),
				Error::<Test>::NotOwner
			);
			// Not even by the device itself.
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(key.account()), device),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(alice()), UNKNOWN),
				Error::<Test>::UnknownDevice
			);
			assert_eq!(Pallet::<Test>::status_of(&UNKNOWN), None);
		});
	}

	#[test]
	fn succeeds_whatever_the_key_account_holds() {
		test(|| {
			let key = Key::sr("sensor");
			let device = register(&alice(), &key);
			// Something else (e.g. another pallet's hold) depends on the key account.
			assert_ok!(Balances::transfer_allow_death(
				RuntimeOrigin::signed(bob()),
				key.account(),
				1_000
			));
			assert_ok!(System::inc_consumers(&key.account()));
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), device));
			assert_eq!(System::sufficients(&key.account()), 0);
			assert_eq!(Balances::balance(&key.account()), 1_000);
			System::dec_consumers(&key.account());
		});
	}
}

/// Random sequences of calls from random origins keep every invariant.
mod properties {
	use super::*;
	use proptest::prelude::*;

	/// Who calls: the three owners, a stranger without funds, or a device key.
	#[derive(Clone, Copy, Debug)]
	enum Who {
		Account(u8),
		DeviceKey(u8),
	}

	#[derive(Clone, Debug)]
	enum Action {
		Register { owner: u8, key: u8, honest: bool },
		Rotate { who: Who, device: u8, key: u8 },
		Transfer { who: Who, device: u8, to: u8 },
		Accept { who: Who, device: u8 },
		Cancel { who: Who, device: u8 },
		UpdateMetadata { who: Who, device: u8, len: u8 },
		Suspend { who: Who, device: u8 },
		Resume { who: Who, device: u8 },
		Report { who: Who, device: u8, back: u8 },
		Retire { who: Who, device: u8 },
		ManagerOf { device: u8, account: u8 },
		Fund { key: u8 },
		Advance { blocks: u8 },
	}

	const KEYS: u8 = 8;

	fn who() -> impl Strategy<Value = Who> {
		prop_oneof![(0u8..4).prop_map(Who::Account), (0u8..KEYS).prop_map(Who::DeviceKey)]
	}

	fn action() -> impl Strategy<Value = Action> {
		let d = 0u8..KEYS;
		prop_oneof![
			(0u8..4, 0u8..KEYS, any::<bool>()).prop_map(|(owner, key, honest)| Action::Register {
				owner,
				key,
				honest
			}),
			(who(), d.clone(), 0u8..KEYS).prop_map(|(who, device, key)| Action::Rotate {
				who,
				device,
				key
			}),
			(who(), d.clone(), 0u8..4).prop_map(|(who, device, to)| Action::Transfer {
				who,
				device,
				to
			}),
			(who(), d.clone()).prop_map(|(who, device)| Action::Accept { who, device }),
			(who(), d.clone()).prop_map(|(who, device)| Action::Cancel { who, device }),
			(who(), d.clone(), 0u8..80).prop_map(|(who, device, len)| Action::UpdateMetadata {
				who,
				device,
				len
			}),
			(who(), d.clone()).prop_map(|(who, device)| Action::Suspend { who, device }),
			(who(), d.clone()).prop_map(|(who, device)| Action::Resume { who, device }),
			(who(), d.clone(), 0u8..30).prop_map(|(who, device, back)| Action::Report {
				who,
				device,
				back
			}),
			(who(), d.clone()).prop_map(|(who, device)| Action::Retire { who, device }),
			(d.clone(), 0u8..4).prop_map(|(device, account)| Action::ManagerOf { device, account }),
			(0u8..KEYS).prop_map(|key| Action::Fund { key }),
			(1u8..15).prop_map(|blocks| Action::Advance { blocks }),
		]
	}

	fn account(index: u8) -> AccountId {
		[alice(), bob(), charlie(), pauper()][index as usize % 4].clone()
	}

	fn key(index: u8) -> Key {
		Key::sr(&format!("prop-key-{index}"))
	}

	/// A device id: the id of the first key `index` names (registered or not).
	fn device(index: u8) -> DeviceId {
		device_id_of(&key(index).account())
	}

	fn origin(who: Who) -> RuntimeOrigin {
		RuntimeOrigin::signed(match who {
			Who::Account(index) => account(index),
			Who::DeviceKey(index) => key(index).account(),
		})
	}

	fn apply(action: Action) {
		// Results are not asserted: any call may fail, but none may panic or break an
		// invariant (checked after each one).
		let _ = match action {
			Action::Register { owner, key: k, honest } => {
				let signer = if honest { key(k) } else { key(k.wrapping_add(1) % KEYS) };
				Registry::register(
					RuntimeOrigin::signed(account(owner)),
					key(k).account(),
					registration_proof(&signer, &account(owner)),
					default_metadata(),
					None,
				)
			},
			Action::Rotate { who, device: d, key: k } => {
				let current = Devices::<Test>::get(device(d)).map(|r| r.key).unwrap_or(alice());
				Registry::rotate_key(
					origin(who),
					device(d),
					key(k).account(),
					rotation_proof(&key(k), device(d), &current),
				)
			},
			Action::Transfer { who, device: d, to } => {
				Registry::transfer_ownership(origin(who), device(d), account(to))
			},
			Action::Accept { who, device: d } => Registry::accept_ownership(origin(who), device(d)),
			Action::Cancel { who, device: d } => Registry::cancel_transfer(origin(who), device(d)),
			Action::UpdateMetadata { who, device: d, len } => {
				let text = "m".repeat(len as usize % (STRING_LIMIT as usize + 1));
				Registry::update_metadata(origin(who), device(d), metadata(&text, &text, "l"))
			},
			Action::Suspend { who, device: d } => Registry::suspend(origin(who), device(d)),
			Action::Resume { who, device: d } => Registry::resume(origin(who), device(d)),
			Action::Report { who, device: d, back } => {
				let since = System::block_number().saturating_sub(back.into());
				Registry::report_compromised(origin(who), device(d), since)
			},
			Action::Retire { who, device: d } => Registry::retire(origin(who), device(d)),
			Action::ManagerOf { device: d, account: a } => {
				DeviceManagers::mutate(|m| m.push((device(d), account(a))));
				Ok(())
			},
			Action::Fund { key: k } => Balances::transfer_allow_death(
				RuntimeOrigin::signed(charlie()),
				key(k).account(),
				50,
			),
			Action::Advance { blocks } => {
				System::set_block_number(System::block_number() + u64::from(blocks));
				Ok(())
			},
		};
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

		#[test]
		fn random_calls_from_random_origins_keep_the_invariants(
			actions in prop::collection::vec(action(), 1..40)
		) {
			new_test_ext().execute_with(|| {
				for action in actions {
					apply(action.clone());
					if let Err(e) = Registry::do_try_state() {
						panic!("after {action:?}: {e:?}");
					}
				}
			});
		}
	}
}

mod queries {
	use super::*;

	#[test]
	fn devices_of_pages_in_storage_order_and_caps_a_page() {
		test(|| {
			let owner = alice();
			assert_ok!(Balances::force_set_balance(
				RuntimeOrigin::root(),
				owner.clone(),
				1_000_000
			));
			let count = MAX_DEVICES_PER_PAGE + 1;
			let mut registered: Vec<DeviceId> =
				(0..count).map(|i| register(&owner, &Key::sr(&format!("device {i}")))).collect();
			register(&bob(), &Key::sr("bob's device"));

			// A limit above the cap gets a full page, not more.
			let first = Registry::devices_of(owner.clone(), None, u32::MAX);
			assert_eq!(first.len(), MAX_DEVICES_PER_PAGE as usize);
			// The page after the last id of the first holds the rest.
			let rest = Registry::devices_of(owner.clone(), first.last().copied(), u32::MAX);
			assert_eq!(rest.len(), 1);
			// Small pages chain up to the same list, every device once, none of Bob's.
			let mut paged = Vec::new();
			let mut after = None;
			loop {
				let page = Registry::devices_of(owner.clone(), after, 7);
				assert!(page.len() <= 7);
				let Some(last) = page.last().copied() else { break };
				paged.extend(page);
				after = Some(last);
			}
			assert_eq!(paged, [first, rest].concat());
			paged.sort();
			registered.sort();
			assert_eq!(paged, registered);
			assert_eq!(Registry::devices_of(owner.clone(), None, 0), Vec::<DeviceId>::new());
		});
	}
}

mod statement_allowances {
	use super::*;

	/// `n` times the allowance one active device confers.
	fn times(n: u32) -> StatementAllowance {
		let one = PerDeviceStatements::get();
		StatementAllowance::new(one.max_count * n, one.max_size * n)
	}

	fn allowance(who: &AccountId) -> StatementAllowance {
		Registry::statement_allowance(who)
	}

	#[test]
	fn an_active_device_gives_one_to_its_key_and_one_to_its_owner_per_device() {
		test(|| {
			let (sensor, valve) = (Key::sr("sensor"), Key::ed("valve"));
			assert_eq!(allowance(&alice()), times(0));
			register(&alice(), &sensor);
			assert_eq!(allowance(&sensor.account()), times(1));
			assert_eq!(allowance(&alice()), times(1));
			register(&alice(), &valve);
			assert_eq!(allowance(&valve.account()), times(1));
			assert_eq!(allowance(&alice()), times(2));
			// Somebody else's device gives Alice nothing.
			register(&bob(), &Key::sr("other"));
			assert_eq!(allowance(&alice()), times(2));
			assert_eq!(allowance(&bob()), times(1));
		});
	}

	#[test]
	fn suspension_and_compromise_take_it_back_and_recovery_gives_it_to_the_new_key() {
		test(|| {
			let (sensor, valve) = (Key::sr("sensor"), Key::sr("valve"));
			let device = register(&alice(), &sensor);
			register(&alice(), &valve);

			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), device));
			assert_eq!(allowance(&sensor.account()), times(0));
			assert_eq!(allowance(&alice()), times(1), "the other device's share stays");
			assert_ok!(Registry::resume(RuntimeOrigin::signed(alice()), device));
			assert_eq!(allowance(&sensor.account()), times(1));
			assert_eq!(allowance(&alice()), times(2));

			System::set_block_number(5);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), device, 5));
			assert_eq!(allowance(&sensor.account()), times(0));
			assert_eq!(allowance(&alice()), times(1));
			// The owner replaces the leaked key: the new key holds the allowance, the old none.
			let fresh = Key::sr("fresh");
			assert_ok!(rotate_key::rotate(device, &alice(), &fresh, &sensor.account()));
			assert_eq!(allowance(&fresh.account()), times(1));
			assert_eq!(allowance(&sensor.account()), times(0));
			assert_eq!(allowance(&alice()), times(2));
		});
	}

	#[test]
	fn a_transfer_moves_it_to_the_new_owner_once_the_device_is_active_again() {
		test(|| {
			let sensor = Key::sr("sensor");
			let device = register(&alice(), &sensor);
			hand_over(device, &alice(), &bob());
			// Suspended by the transfer: the key the previous owner may hold posts nothing.
			assert_eq!(allowance(&sensor.account()), times(0));
			assert_eq!(allowance(&alice()), times(0));
			assert_eq!(allowance(&bob()), times(0));
			assert_ok!(Registry::resume(RuntimeOrigin::signed(bob()), device));
			assert_eq!(allowance(&sensor.account()), times(1));
			assert_eq!(allowance(&bob()), times(1));
			assert_eq!(allowance(&alice()), times(0));
		});
	}

	#[test]
	fn retirement_takes_it_back() {
		test(|| {
			let sensor = Key::sr("sensor");
			let device = register(&alice(), &sensor);
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), device));
			assert_eq!(allowance(&sensor.account()), times(0));
			assert_eq!(allowance(&alice()), times(0));
		});
	}

	#[test]
	fn the_v2_migration_grants_the_allowances_of_active_devices_once() {
		use frame_support::{
			storage::unhashed,
			traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		};
		test(|| {
			let (sensor, valve) = (Key::sr("sensor"), Key::sr("valve"));
			let active = register(&alice(), &sensor);
			let suspended = register(&alice(), &valve);
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), suspended));
			// A version 1 registry: records in the version 1 layout, no allowances in state.
			for device in [active, suspended] {
				let info = Devices::<Test>::get(device).unwrap();
				super::custody::put_raw_record(&device, &super::custody::as_v2_bytes(&info));
			}
			for who in [alice(), sensor.account()] {
				unhashed::kill(&polkadot_sdk::sp_statement_store::statement_allowance_key(
					who.encode(),
				));
			}
			StorageVersion::new(1).put::<Registry>();
			assert_eq!(allowance(&alice()), times(0));

			migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
			assert_eq!(Registry::on_chain_storage_version(), 2);
			assert_eq!(allowance(&sensor.account()), times(1));
			assert_eq!(allowance(&valve.account()), times(0));
			assert_eq!(allowance(&alice()), times(1));
			// A second run does nothing: the storage version guards it.
			migrations::v2::MigrateToV2::<Test>::on_runtime_upgrade();
			assert_eq!(allowance(&alice()), times(1));
			migrations::v3::MigrateToV3::<Test>::on_runtime_upgrade();
		});
	}
}

mod agreement_keys {
	use super::*;

	const KEY: AgreementKey = [7; 32];

	#[test]
	fn the_owner_or_the_active_device_sets_it_and_a_rotation_clears_it() {
		test(|| {
			let sensor = Key::sr("sensor");
			let device = register(&alice(), &sensor);
			assert_eq!(Devices::<Test>::get(device).unwrap().agreement_key, None);

			assert_ok!(Registry::set_agreement_key(
				RuntimeOrigin::signed(alice()),
				device,
				Some(KEY)
			));
			assert_eq!(Devices::<Test>::get(device).unwrap().agreement_key, Some(KEY));
			assert_eq!(
				last_event(),
				Event::AgreementKeySet { device_id: device, key: Some(KEY) }.into()
			);
			assert_ok!(Registry::set_agreement_key(
				RuntimeOrigin::signed(sensor.account()),
				device,
				Some([8; 32])
			));
			assert_eq!(Devices::<Test>::get(device).unwrap().agreement_key, Some([8; 32]));

			let rotated = Key::sr("sensor 2");
			assert_ok!(Registry::rotate_key(
				RuntimeOrigin::signed(alice()),
				device,
				rotated.account(),
				rotation_proof(&rotated, device, &sensor.account()),
			));
			assert_eq!(Devices::<Test>::get(device).unwrap().agreement_key, None);
			// The old key no longer speaks for the device; the new one does.
			assert_noop!(
				Registry::set_agreement_key(
					RuntimeOrigin::signed(sensor.account()),
					device,
					Some(KEY)
				),
				Error::<Test>::NotOwnerOrDevice
			);
			assert_ok!(Registry::set_agreement_key(
				RuntimeOrigin::signed(rotated.account()),
				device,
				Some(KEY)
			));
			assert_ok!(Registry::set_agreement_key(RuntimeOrigin::signed(alice()), device, None));
			assert_eq!(Devices::<Test>::get(device).unwrap().agreement_key, None);
		});
	}

	#[test]
	fn a_stranger_or_an_inactive_device_cannot_set_it() {
		test(|| {
			let sensor = Key::sr("sensor");
			let device = register(&alice(), &sensor);
			assert_noop!(
				Registry::set_agreement_key(RuntimeOrigin::signed(bob()), device, Some(KEY)),
				Error::<Test>::NotOwnerOrDevice
			);
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), device));
			assert_noop!(
				Registry::set_agreement_key(
					RuntimeOrigin::signed(sensor.account()),
					device,
					Some(KEY)
				),
				Error::<Test>::NotActive
			);
			// The owner may, whatever the status.
			assert_ok!(Registry::set_agreement_key(
				RuntimeOrigin::signed(alice()),
				device,
				Some(KEY)
			));
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), device));
			assert_noop!(
				Registry::set_agreement_key(RuntimeOrigin::signed(alice()), device, Some(KEY)),
				Error::<Test>::DeviceRetired
			);
		});
	}
}
