//! Unit tests of every call, success and failure paths, with real signatures.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use polkadot_sdk::sp_core::{ecdsa, ed25519, sr25519, Pair};
use sp_runtime::{
	traits::IdentifyAccount, DispatchError, DispatchResult, MultiSignature, MultiSigner, TokenError,
};

const DEVICE: DeviceId = H256::repeat_byte(0xd1);
const OTHER_DEVICE: DeviceId = H256::repeat_byte(0xd2);

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

fn registration_proof(key: &Key, owner: &AccountId, device_id: DeviceId) -> MultiSignature {
	let payload = RegistrationPayload {
		genesis_hash: genesis(),
		owner: owner.clone(),
		device_id,
		key: key.account(),
	};
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

fn metadata(model: &str, manufacturer: &str, label: &str) -> DeviceMetadata {
	DeviceMetadata {
		model: model.as_bytes().to_vec(),
		manufacturer: manufacturer.as_bytes().to_vec(),
		label: label.as_bytes().to_vec(),
	}
}

fn default_metadata() -> DeviceMetadata {
	metadata("TH-200", "Acme", "greenhouse")
}

/// Deposit of [`default_metadata`]: base + 2 per byte × (6 + 4 + 10).
const DEFAULT_DEPOSIT: Balance = DEPOSIT_BASE + DEPOSIT_PER_BYTE * 20;

fn register(owner: &AccountId, device_id: DeviceId, key: &Key) {
	assert_ok!(Registry::register(
		RuntimeOrigin::signed(owner.clone()),
		device_id,
		key.account(),
		registration_proof(key, owner, device_id),
		default_metadata(),
		None,
	));
}

fn held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::DeviceDeposit.into(), who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event was emitted").event
}

/// The registry's invariants (see DESIGN.md), checked at the end of every test.
fn check_invariants() {
	for (key, device_id) in DeviceByKey::<Test>::iter() {
		let device = Devices::<Test>::get(device_id).expect("key index points to a device");
		assert_eq!(device.key, key, "key index entry is the device's current key");
	}
	for (device_id, device) in Devices::<Test>::iter() {
		assert_eq!(DeviceByKey::<Test>::get(&device.key), Some(device_id));
		assert!(DevicesOf::<Test>::contains_key(&device.owner, device_id));
		assert!(!RetiredDevices::<Test>::contains_key(device_id));
		assert!(System::providers(&device.key) >= 1, "device key account exists");
	}
	for owner in [alice(), bob(), charlie(), pauper()] {
		let deposits: Balance =
			Devices::<Test>::iter_values().filter(|d| d.owner == owner).map(|d| d.deposit).sum();
		assert_eq!(held(&owner), deposits, "held deposit of an owner = sum of its deposits");
	}
}

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		check_invariants();
	});
}

mod register {
	use super::*;

	#[test]
	fn stores_the_device_holds_the_deposit_and_provides_the_key_account() {
		test(|| {
			let key = Key::sr("sensor");
			assert_eq!(System::providers(&key.account()), 0);
			assert_ok!(Registry::register(
				RuntimeOrigin::signed(alice()),
				DEVICE,
				key.account(),
				registration_proof(&key, &alice(), DEVICE),
				default_metadata(),
				Some(H256::repeat_byte(0xf1)),
			));

			let device = Devices::<Test>::get(DEVICE).unwrap();
			assert_eq!(device.owner, alice());
			assert_eq!(device.key, key.account());
			assert_eq!(device.status, DeviceStatus::Active);
			assert_eq!(device.metadata.model.to_vec(), b"TH-200".to_vec());
			assert_eq!(device.metadata.label.to_vec(), b"greenhouse".to_vec());
			assert_eq!(device.firmware, Some(H256::repeat_byte(0xf1)));
			assert_eq!(device.registered_at, 1);
			assert_eq!(device.deposit, DEFAULT_DEPOSIT);
			assert_eq!(DeviceByKey::<Test>::get(key.account()), Some(DEVICE));
			assert!(DevicesOf::<Test>::contains_key(alice(), DEVICE));

			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT - DEFAULT_DEPOSIT);
			// The zero-balance key account exists thanks to the registry.
			assert_eq!(System::providers(&key.account()), 1);
			assert!(System::account_exists(&key.account()));
			assert_eq!(Balances::balance(&key.account()), 0);

			assert_eq!(
				last_event(),
				Event::Registered {
					device_id: DEVICE,
					owner: alice(),
					key: key.account(),
					deposit: DEFAULT_DEPOSIT,
				}
				.into()
			);
			assert_eq!(Pallet::<Test>::device_of_key(&key.account()), Some(DEVICE));
			assert_eq!(Pallet::<Test>::owner_of(&DEVICE), Some(alice()));
			assert!(Pallet::<Test>::is_active(&DEVICE));
		});
	}

	#[test]
	fn accepts_ed25519_and_ecdsa_keys() {
		test(|| {
			register(&alice(), DEVICE, &Key::ed("ed-sensor"));
			register(&alice(), OTHER_DEVICE, &Key::ecdsa("ecdsa-sensor"));
			assert_eq!(
				DeviceByKey::<Test>::get(Key::ecdsa("ecdsa-sensor").account()),
				Some(OTHER_DEVICE)
			);
			assert_eq!(held(&alice()), 2 * DEFAULT_DEPOSIT);
		});
	}

	#[test]
	fn deposit_grows_with_metadata_bytes() {
		test(|| {
			let key = Key::sr("sensor");
			assert_ok!(Registry::register(
				RuntimeOrigin::signed(alice()),
				DEVICE,
				key.account(),
				registration_proof(&key, &alice(), DEVICE),
				DeviceMetadata::default(),
				None,
			));
			assert_eq!(held(&alice()), DEPOSIT_BASE);
		});
	}

	#[test]
	fn rejects_a_proof_by_another_key() {
		test(|| {
			let (key, impostor) = (Key::sr("sensor"), Key::sr("impostor"));
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					DEVICE,
					key.account(),
					registration_proof(&impostor, &alice(), DEVICE),
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
					DEVICE,
					key.account(),
					registration_proof(&key, &alice(), DEVICE),
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
				device_id: DEVICE,
				key: key.account(),
			};
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					DEVICE,
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
	fn rejects_a_proof_made_for_another_device_or_purpose() {
		test(|| {
			let key = Key::sr("sensor");
			let for_other_device = registration_proof(&key, &alice(), OTHER_DEVICE);
			let rotation = rotation_proof(&key, DEVICE, &alice());
			for proof in [for_other_device, rotation] {
				assert_noop!(
					Registry::register(
						RuntimeOrigin::signed(alice()),
						DEVICE,
						key.account(),
						proof,
						default_metadata(),
						None,
					),
					Error::<Test>::BadProof
				);
			}
		});
	}

	#[test]
	fn rejects_a_duplicate_id_and_a_key_in_use() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			let other = Key::sr("other");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(bob()),
					DEVICE,
					other.account(),
					registration_proof(&other, &bob(), DEVICE),
					default_metadata(),
					None,
				),
				Error::<Test>::AlreadyRegistered
			);
			let key = Key::sr("sensor");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					OTHER_DEVICE,
					key.account(),
					registration_proof(&key, &alice(), OTHER_DEVICE),
					default_metadata(),
					None,
				),
				Error::<Test>::KeyInUse
			);
		});
	}

	#[test]
	fn never_registers_a_retired_id_or_key_again() {
		test(|| {
			let key = Key::sr("sensor");
			register(&alice(), DEVICE, &key);
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), DEVICE));

			let fresh = Key::sr("fresh");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					DEVICE,
					fresh.account(),
					registration_proof(&fresh, &alice(), DEVICE),
					default_metadata(),
					None,
				),
				Error::<Test>::DeviceRetired
			);
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					OTHER_DEVICE,
					key.account(),
					registration_proof(&key, &alice(), OTHER_DEVICE),
					default_metadata(),
					None,
				),
				Error::<Test>::KeyRetired
			);
		});
	}

	#[test]
	fn rejects_metadata_fields_over_the_limit() {
		test(|| {
			let key = Key::sr("sensor");
			let long = "x".repeat(STRING_LIMIT as usize + 1);
			for metadata in
				[metadata(&long, "", ""), metadata("", &long, ""), metadata("", "", &long)]
			{
				assert_noop!(
					Registry::register(
						RuntimeOrigin::signed(alice()),
						DEVICE,
						key.account(),
						registration_proof(&key, &alice(), DEVICE),
						metadata,
						None,
					),
					Error::<Test>::MetadataTooLong
				);
			}
			// Exactly at the limit is fine.
			let max = "x".repeat(STRING_LIMIT as usize);
			assert_ok!(Registry::register(
				RuntimeOrigin::signed(alice()),
				DEVICE,
				key.account(),
				registration_proof(&key, &alice(), DEVICE),
				metadata(&max, &max, &max),
				None,
			));
			assert_eq!(held(&alice()), DEPOSIT_BASE + DEPOSIT_PER_BYTE * 3 * STRING_LIMIT as u64);
		});
	}

	#[test]
	fn fails_without_funds_for_the_deposit() {
		test(|| {
			let key = Key::sr("sensor");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(pauper()),
					DEVICE,
					key.account(),
					registration_proof(&key, &pauper(), DEVICE),
					default_metadata(),
					None,
				),
				DispatchError::Token(TokenError::FundsUnavailable)
			);
			assert_eq!(System::providers(&key.account()), 0);
		});
	}

	#[test]
	fn needs_a_signed_origin() {
		test(|| {
			let key = Key::sr("sensor");
			assert_noop!(
				Registry::register(
					RuntimeOrigin::none(),
					DEVICE,
					key.account(),
					registration_proof(&key, &alice(), DEVICE),
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

	fn rotate(who: &AccountId, new_key: &Key, old_key: &AccountId) -> DispatchResult {
		Registry::rotate_key(
			RuntimeOrigin::signed(who.clone()),
			DEVICE,
			new_key.account(),
			rotation_proof(new_key, DEVICE, old_key),
		)
	}

	#[test]
	fn by_the_owner_moves_the_key_and_makes_the_old_one_useless() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::ed("new"));
			register(&alice(), DEVICE, &old);
			assert_ok!(rotate(&alice(), &new, &old.account()));

			assert_eq!(Devices::<Test>::get(DEVICE).unwrap().key, new.account());
			assert_eq!(DeviceByKey::<Test>::get(new.account()), Some(DEVICE));
			assert_eq!(DeviceByKey::<Test>::get(old.account()), None);
			assert_eq!(RetiredKeys::<Test>::get(old.account()), Some(DEVICE));
			assert_eq!(System::providers(&old.account()), 0);
			assert_eq!(System::providers(&new.account()), 1);
			assert_eq!(
				last_event(),
				Event::KeyRotated {
					device_id: DEVICE,
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
				rotate(&old.account(), &newer, &new.account()),
				Error::<Test>::NotOwnerOrDevice
			);
			// … and can never be registered again.
			assert_noop!(
				Registry::register(
					RuntimeOrigin::signed(alice()),
					OTHER_DEVICE,
					old.account(),
					registration_proof(&old, &alice(), OTHER_DEVICE),
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
			register(&alice(), DEVICE, &old);
			assert_ok!(rotate(&old.account(), &new, &old.account()));
			assert_eq!(Pallet::<Test>::device_of_key(&new.account()), Some(DEVICE));
		});
	}

	#[test]
	fn not_by_a_suspended_or_compromised_device_nor_a_stranger() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::sr("new"));
			register(&alice(), DEVICE, &old);
			assert_noop!(rotate(&bob(), &new, &old.account()), Error::<Test>::NotOwnerOrDevice);

			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), DEVICE));
			assert_noop!(rotate(&old.account(), &new, &old.account()), Error::<Test>::NotActive);

			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 1));
			// The leaked key must not be able to hand the device to the attacker.
			assert_noop!(rotate(&old.account(), &new, &old.account()), Error::<Test>::NotActive);
		});
	}

	#[test]
	fn recovers_a_compromised_device_and_closes_the_window() {
		test(|| {
			let (old, new) = (Key::sr("old"), Key::sr("new"));
			register(&alice(), DEVICE, &old);
			System::set_block_number(10);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 5));
			System::set_block_number(12);
			assert_ok!(rotate(&alice(), &new, &old.account()));

			let device = Devices::<Test>::get(DEVICE).unwrap();
			assert_eq!(device.status, DeviceStatus::Active);
			assert_eq!(
				device.compromises.to_vec(),
				vec![CompromiseWindow { since: 5, until: Some(12) }]
			);
			assert!(!Pallet::<Test>::is_suspect(&DEVICE, 4));
			assert!(Pallet::<Test>::is_suspect(&DEVICE, 5));
			assert!(Pallet::<Test>::is_suspect(&DEVICE, 11));
			assert!(!Pallet::<Test>::is_suspect(&DEVICE, 12));
		});
	}

	#[test]
	fn rejects_keys_in_use_retired_keys_and_bad_proofs() {
		test(|| {
			let (old, other) = (Key::sr("old"), Key::sr("other"));
			register(&alice(), DEVICE, &old);
			register(&alice(), OTHER_DEVICE, &other);
			assert_noop!(rotate(&alice(), &other, &old.account()), Error::<Test>::KeyInUse);
			assert_noop!(rotate(&alice(), &old, &old.account()), Error::<Test>::KeyInUse);

			let new = Key::sr("new");
			// A proof made for another transition (wrong old key) does not do.
			assert_noop!(rotate(&alice(), &new, &bob()), Error::<Test>::BadProof);
			// Nor a registration proof by the new key.
			assert_noop!(
				Registry::rotate_key(
					RuntimeOrigin::signed(alice()),
					DEVICE,
					new.account(),
					registration_proof(&new, &alice(), DEVICE),
				),
				Error::<Test>::BadProof
			);

			assert_ok!(rotate(&alice(), &new, &old.account()));
			// Rotating back to the replaced key: it is tombstoned.
			assert_noop!(rotate(&alice(), &old, &new.account()), Error::<Test>::KeyRetired);
		});
	}

	#[test]
	fn of_unknown_or_retired_devices_fails() {
		test(|| {
			let new = Key::sr("new");
			assert_noop!(rotate(&alice(), &new, &alice()), Error::<Test>::UnknownDevice);
			let old = Key::sr("old");
			register(&alice(), DEVICE, &old);
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), DEVICE));
			assert_noop!(rotate(&alice(), &new, &old.account()), Error::<Test>::DeviceRetired);
		});
	}
}

mod ownership {
	use super::*;

	#[test]
	fn moves_the_device_and_the_deposit_on_accept() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), DEVICE, bob()));
			assert_eq!(
				last_event(),
				Event::TransferOffered { device_id: DEVICE, from: alice(), to: bob() }.into()
			);
			// Not accepted yet: nothing changed hands.
			assert_eq!(Pallet::<Test>::owner_of(&DEVICE), Some(alice()));
			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);
			assert_eq!(held(&bob()), 0);
			assert!(TransferLog::get().is_empty());

			assert_ok!(Registry::accept_ownership(RuntimeOrigin::signed(bob()), DEVICE));
			let device = Devices::<Test>::get(DEVICE).unwrap();
			assert_eq!(device.owner, bob());
			assert_eq!(device.pending_owner, None);
			assert_eq!(held(&alice()), 0);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT);
			assert_eq!(held(&bob()), DEFAULT_DEPOSIT);
			assert_eq!(Balances::balance(&bob()), ENDOWMENT - DEFAULT_DEPOSIT);
			assert!(!DevicesOf::<Test>::contains_key(alice(), DEVICE));
			assert!(DevicesOf::<Test>::contains_key(bob(), DEVICE));
			assert_eq!(TransferLog::get(), vec![(DEVICE, alice(), bob())]);
			assert_eq!(
				last_event(),
				Event::OwnershipTransferred {
					device_id: DEVICE,
					from: alice(),
					to: bob(),
					deposit: DEFAULT_DEPOSIT,
				}
				.into()
			);

			// The previous owner has no say any more.
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::NotOwnerOrManager
			);
		});
	}

	#[test]
	fn only_the_owner_offers_and_not_to_itself() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(bob()), DEVICE, bob()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(alice()), DEVICE, alice()),
				Error::<Test>::AlreadyOwner
			);
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(alice()), OTHER_DEVICE, bob()),
				Error::<Test>::UnknownDevice
			);
		});
	}

	#[test]
	fn only_the_offered_account_accepts() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::NoPendingTransfer
			);
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), DEVICE, bob()));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(charlie()), DEVICE),
				Error::<Test>::NotPendingOwner
			);
			// A new offer replaces the pending one.
			assert_ok!(Registry::transfer_ownership(
				RuntimeOrigin::signed(alice()),
				DEVICE,
				charlie()
			));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::NotPendingOwner
			);
			assert_ok!(Registry::accept_ownership(RuntimeOrigin::signed(charlie()), DEVICE));
			assert_eq!(Pallet::<Test>::owner_of(&DEVICE), Some(charlie()));
		});
	}

	#[test]
	fn accept_fails_if_the_new_owner_cannot_pay_the_deposit() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_ok!(Registry::transfer_ownership(
				RuntimeOrigin::signed(alice()),
				DEVICE,
				pauper()
			));
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(pauper()), DEVICE),
				DispatchError::Token(TokenError::FundsUnavailable)
			);
			assert_eq!(held(&alice()), DEFAULT_DEPOSIT);
		});
	}

	#[test]
	fn cancel_by_owner_or_offered_account() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_noop!(
				Registry::cancel_transfer(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::NoPendingTransfer
			);
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), DEVICE, bob()));
			assert_noop!(
				Registry::cancel_transfer(RuntimeOrigin::signed(charlie()), DEVICE),
				Error::<Test>::NotOwner
			);
			assert_ok!(Registry::cancel_transfer(RuntimeOrigin::signed(alice()), DEVICE));
			assert_eq!(last_event(), Event::TransferCancelled { device_id: DEVICE }.into());
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::NoPendingTransfer
			);

			// The offered account may decline.
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), DEVICE, bob()));
			assert_ok!(Registry::cancel_transfer(RuntimeOrigin::signed(bob()), DEVICE));
			assert_eq!(Devices::<Test>::get(DEVICE).unwrap().pending_owner, None);
			assert_eq!(Pallet::<Test>::owner_of(&DEVICE), Some(alice()));
		});
	}
}

mod metadata {
	use super::*;

	#[test]
	fn update_adjusts_the_deposit_both_ways() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			let bigger = metadata("TH-200-PRO-MAX", "Acme Sensors", "greenhouse north");
			let bigger_deposit = DEPOSIT_BASE + DEPOSIT_PER_BYTE * (14 + 12 + 16);
			assert_ok!(Registry::update_metadata(RuntimeOrigin::signed(alice()), DEVICE, bigger));
			assert_eq!(held(&alice()), bigger_deposit);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT - bigger_deposit);
			assert_eq!(
				last_event(),
				Event::MetadataUpdated { device_id: DEVICE, deposit: bigger_deposit }.into()
			);
			assert_eq!(
				Devices::<Test>::get(DEVICE).unwrap().metadata.manufacturer.to_vec(),
				b"Acme Sensors".to_vec()
			);

			assert_ok!(Registry::update_metadata(
				RuntimeOrigin::signed(alice()),
				DEVICE,
				metadata("T", "", "")
			));
			assert_eq!(held(&alice()), DEPOSIT_BASE + DEPOSIT_PER_BYTE);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT - DEPOSIT_BASE - DEPOSIT_PER_BYTE);
		});
	}

	#[test]
	fn update_checks_owner_and_length() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_noop!(
				Registry::update_metadata(RuntimeOrigin::signed(bob()), DEVICE, default_metadata()),
				Error::<Test>::NotOwner
			);
			let long = "x".repeat(STRING_LIMIT as usize + 1);
			assert_noop!(
				Registry::update_metadata(
					RuntimeOrigin::signed(alice()),
					DEVICE,
					metadata(&long, "", "")
				),
				Error::<Test>::MetadataTooLong
			);
		});
	}

	#[test]
	fn firmware_history_is_in_the_events() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			let (v1, v2) = (H256::repeat_byte(1), H256::repeat_byte(2));
			assert_ok!(Registry::set_firmware(RuntimeOrigin::signed(alice()), DEVICE, v1));
			assert_eq!(
				last_event(),
				Event::FirmwareUpdated { device_id: DEVICE, old: None, new: v1 }.into()
			);
			assert_ok!(Registry::set_firmware(RuntimeOrigin::signed(alice()), DEVICE, v2));
			assert_eq!(
				last_event(),
				Event::FirmwareUpdated { device_id: DEVICE, old: Some(v1), new: v2 }.into()
			);
			assert_eq!(Devices::<Test>::get(DEVICE).unwrap().firmware, Some(v2));
			assert_noop!(
				Registry::set_firmware(RuntimeOrigin::signed(bob()), DEVICE, v1),
				Error::<Test>::NotOwner
			);
		});
	}
}

mod lifecycle {
	use super::*;

	#[test]
	fn suspend_and_resume() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::NotSuspended
			);
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::NotOwnerOrManager
			);
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), DEVICE));
			assert_eq!(last_event(), Event::Suspended { device_id: DEVICE, by: alice() }.into());
			assert_eq!(Pallet::<Test>::status_of(&DEVICE), Some(DeviceStatus::Suspended));
			assert!(!Pallet::<Test>::is_active(&DEVICE));
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::NotActive
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::NotOwnerOrManager
			);
			assert_ok!(Registry::resume(RuntimeOrigin::signed(alice()), DEVICE));
			assert_eq!(last_event(), Event::Resumed { device_id: DEVICE, by: alice() }.into());
			assert!(Pallet::<Test>::is_active(&DEVICE));
		});
	}

	#[test]
	fn a_manager_suspends_and_resumes_but_does_nothing_else() {
		test(|| {
			let key = Key::sr("sensor");
			register(&alice(), DEVICE, &key);
			DeviceManagers::set(vec![(DEVICE, bob())]);
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(bob()), DEVICE));
			assert_eq!(last_event(), Event::Suspended { device_id: DEVICE, by: bob() }.into());
			assert_ok!(Registry::resume(RuntimeOrigin::signed(bob()), DEVICE));
			assert_eq!(last_event(), Event::Resumed { device_id: DEVICE, by: bob() }.into());
			// Managing one device gives nothing on another.
			register(&alice(), OTHER_DEVICE, &Key::sr("other"));
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(bob()), OTHER_DEVICE),
				Error::<Test>::NotOwnerOrManager
			);

			let new = Key::sr("new");
			assert_noop!(
				Registry::rotate_key(
					RuntimeOrigin::signed(bob()),
					DEVICE,
					new.account(),
					rotation_proof(&new, DEVICE, &key.account()),
				),
				Error::<Test>::NotOwnerOrDevice
			);
			assert_noop!(
				Registry::transfer_ownership(RuntimeOrigin::signed(bob()), DEVICE, bob()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(bob()), DEVICE, 1),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::update_metadata(RuntimeOrigin::signed(bob()), DEVICE, default_metadata()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::NotOwner
			);
		});
	}

	#[test]
	fn report_compromised_marks_later_activity_suspect() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			System::set_block_number(20);
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 21),
				Error::<Test>::SinceInFuture
			);
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(bob()), DEVICE, 15),
				Error::<Test>::NotOwner
			);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 15));
			assert_eq!(last_event(), Event::Compromised { device_id: DEVICE, since: 15 }.into());
			assert_eq!(
				Pallet::<Test>::status_of(&DEVICE),
				Some(DeviceStatus::Compromised { since: 15 })
			);
			assert!(!Pallet::<Test>::is_active(&DEVICE));
			assert!(!Pallet::<Test>::is_suspect(&DEVICE, 14));
			assert!(Pallet::<Test>::is_suspect(&DEVICE, 15));
			assert!(Pallet::<Test>::is_suspect(&DEVICE, 1_000));
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 16),
				Error::<Test>::AlreadyCompromised
			);
			// A compromised device cannot be suspended or resumed, only recovered by rotation.
			assert_noop!(
				Registry::suspend(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::NotActive
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::NotSuspended
			);
		});
	}

	#[test]
	fn a_suspended_device_can_be_reported_compromised() {
		test(|| {
			register(&alice(), DEVICE, &Key::sr("sensor"));
			assert_ok!(Registry::suspend(RuntimeOrigin::signed(alice()), DEVICE));
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 1));
			assert_eq!(
				Pallet::<Test>::status_of(&DEVICE),
				Some(DeviceStatus::Compromised { since: 1 })
			);
		});
	}

	#[test]
	fn compromise_reports_are_bounded() {
		test(|| {
			let mut key = Key::sr("key0");
			register(&alice(), DEVICE, &key);
			for i in 1..=MAX_COMPROMISES {
				assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 1));
				let next = Key::sr(&format!("key{i}"));
				assert_ok!(Registry::rotate_key(
					RuntimeOrigin::signed(alice()),
					DEVICE,
					next.account(),
					rotation_proof(&next, DEVICE, &key.account()),
				));
				key = next;
			}
			assert_noop!(
				Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 1),
				Error::<Test>::TooManyCompromises
			);
		});
	}
}

mod retire {
	use super::*;

	#[test]
	fn returns_the_deposit_and_tombstones_id_and_key() {
		test(|| {
			let key = Key::sr("sensor");
			register(&alice(), DEVICE, &key);
			System::set_block_number(7);
			assert_ok!(Registry::report_compromised(RuntimeOrigin::signed(alice()), DEVICE, 3));
			assert_ok!(Registry::transfer_ownership(RuntimeOrigin::signed(alice()), DEVICE, bob()));
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), DEVICE));

			assert_eq!(held(&alice()), 0);
			assert_eq!(Balances::balance(&alice()), ENDOWMENT);
			assert!(!Devices::<Test>::contains_key(DEVICE));
			assert!(!DevicesOf::<Test>::contains_key(alice(), DEVICE));
			assert_eq!(DeviceByKey::<Test>::get(key.account()), None);
			assert_eq!(RetiredKeys::<Test>::get(key.account()), Some(DEVICE));
			assert_eq!(RetiredDevices::<Test>::get(DEVICE).unwrap().retired_at, 7);
			assert_eq!(System::providers(&key.account()), 0);
			assert_eq!(RetiredLog::get(), vec![DEVICE]);
			assert_eq!(
				last_event(),
				Event::Retired {
					device_id: DEVICE,
					owner: alice(),
					deposit_returned: DEFAULT_DEPOSIT
				}
				.into()
			);

			assert_eq!(Pallet::<Test>::status_of(&DEVICE), Some(DeviceStatus::Retired));
			assert_eq!(Pallet::<Test>::owner_of(&DEVICE), None);
			// What it did while compromised stays suspect after retirement.
			assert!(Pallet::<Test>::is_suspect(&DEVICE, 5));
			assert!(!Pallet::<Test>::is_suspect(&DEVICE, 2));

			// Retirement is final: nothing more can be done with the device.
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::DeviceRetired
			);
			assert_noop!(
				Registry::accept_ownership(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::DeviceRetired
			);
			assert_noop!(
				Registry::resume(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::DeviceRetired
			);
		});
	}

	#[test]
	fn only_by_the_owner() {
		test(|| {
			let key = Key::sr("sensor");
			register(&alice(), DEVICE, &key);
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(bob()), DEVICE),
				Error::<Test>::NotOwner
			);
			// Not even by the device itself.
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(key.account()), DEVICE),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(alice()), OTHER_DEVICE),
				Error::<Test>::UnknownDevice
			);
			assert_eq!(Pallet::<Test>::status_of(&OTHER_DEVICE), None);
		});
	}

	#[test]
	fn fails_while_the_key_account_is_still_referenced() {
		test(|| {
			let key = Key::sr("sensor");
			register(&alice(), DEVICE, &key);
			// Something else (e.g. another pallet's hold) depends on the key account.
			assert_ok!(System::inc_consumers(&key.account()));
			assert_noop!(
				Registry::retire(RuntimeOrigin::signed(alice()), DEVICE),
				Error::<Test>::KeyAccountInUse
			);
			System::dec_consumers(&key.account());
			assert_ok!(Registry::retire(RuntimeOrigin::signed(alice()), DEVICE));
		});
	}
}
