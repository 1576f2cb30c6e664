//! Attacks on the runtime as a whole, with real balances, real transaction extensions and the
//! real fee rules: each test performs the attack and checks that it no longer works.

mod common;

use codec::{Decode, Encode};
use common::*;
use iotchain_runtime::{
	configs::TRANSACTION_BYTE_FEE, AccountId, Balance, Balances, Executive, Runtime, RuntimeCall,
	RuntimeOrigin, System, TransactionPayment, UncheckedExtrinsic, UNIT,
};
use pallet_anchors::WeightInfo as _;
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::Get},
	frame_system, pallet_balances,
	sp_core::{sr25519, H256},
	sp_keyring::Sr25519Keyring,
	sp_runtime::{
		traits::Dispatchable,
		transaction_validity::{InvalidTransaction, ValidTransaction},
		BoundedVec, DispatchError,
	},
};
use std::collections::BTreeSet;

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

fn sensor() -> sr25519::Pair {
	device_key("sensor")
}

fn rotate(device: DeviceId, old: &sr25519::Pair, new: &sr25519::Pair) -> RuntimeCall {
	RuntimeCall::Devices(pallet_devices::Call::rotate_key {
		device_id: device,
		new_key: account(new),
		proof: rotation_proof(new, device, &account(old)),
	})
}

/// Attack 1: the holder of a leaked device key funds the key account, registers a throwaway
/// device with it as owner (the deposit hold is a consumer of the account) and sends every free
/// unit away. The registry's reference used to be the account's last provider, which a
/// consumer pins: the owner could then never rotate the key or retire the device.
#[test]
fn attack_a_leaked_key_pins_its_account_so_the_owner_cannot_rotate() {
	test(|| {
		let leaked = device_key("leaked");
		let device = register_device(&leaked);
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(alice()),
			account(&leaked).into(),
			10 * UNIT
		));
		register_device_of(&account(&leaked), &device_key("throwaway"));
		assert_ok!(Balances::transfer_all(
			RuntimeOrigin::signed(account(&leaked)),
			Sr25519Keyring::Bob.to_account_id().into(),
			false
		));
		assert_eq!(System::consumers(&account(&leaked)), 1);

		// The owner rotates the key away from the attacker …
		let fresh = device_key("fresh");
		let rotation = rotate(device, &leaked, &fresh);
		assert_ok!(rotation.dispatch(RuntimeOrigin::signed(alice())));
		assert_eq!(pallet_devices::DeviceByKey::<Runtime>::get(account(&fresh)), Some(device));
		// … and could retire the device as well, whatever the old key account holds.
		assert_ok!(pallet_devices::Pallet::<Runtime>::retire(
			RuntimeOrigin::signed(alice()),
			device
		));
		assert_eq!(System::sufficients(&account(&fresh)), 0);
	});
}

/// The extrinsic of `call` signed by Alice, and the fee the runtime charges for it.
fn fee_of(call: RuntimeCall) -> (u32, Balance) {
	let xt = signed(&device_key("Alice"), 0, call);
	let len = xt.encoded_size() as u32;
	(len, TransactionPayment::query_info(xt, len).partial_fee)
}

/// The fee of a `system.remark` whose extrinsic is exactly `len` bytes long.
fn remark_fee(len: u32) -> Balance {
	let mut bytes = len as usize;
	loop {
		let (remark_len, fee) =
			fee_of(RuntimeCall::System(frame_system::Call::remark { remark: vec![0; bytes] }));
		match remark_len.cmp(&len) {
			std::cmp::Ordering::Equal => return fee,
			std::cmp::Ordering::Greater => bytes -= 1,
			std::cmp::Ordering::Less => panic!("no remark of exactly {len} bytes"),
		}
	}
}

fn full<S: Get<u32>>() -> BoundedVec<u8, S> {
	vec![b'x'; S::get() as usize].try_into().unwrap()
}

/// Attack 8: call arguments were unbounded byte strings checked only at dispatch, and bytes
/// cost 1 planck each: a failing 3.75 MiB `update_metadata` cost ~140× less than a remark of
/// the same size and stayed in block history. Now an oversized argument does not decode, and
/// every call costs at least a `system.remark` of the same length.
#[test]
fn attack_oversized_arguments_cost_less_than_a_remark_of_the_same_length() {
	test(|| {
		let device = register_device(&sensor());
		// 1 MiB of metadata, encoded as a client would: refused before any pool sees it.
		let huge = (Vec::<u8>::new(), Vec::<u8>::new(), Vec::<u8>::new(), vec![b'x'; 1 << 20]);
		let call = (10u8, 5u8, device, huge).encode();
		assert!(RuntimeCall::decode(&mut &call[..]).is_err());
		let uri = Some(vec![b'x'; 1 << 20]);
		let call = (11u8, 1u8, device, 1u32, 1u64, H256::zero(), uri).encode();
		assert!(RuntimeCall::decode(&mut &call[..]).is_err());

		// At their largest, the calls that carry bytes cost at least a remark as long.
		let metadata = pallet_devices::DeviceMetadata {
			model: full(),
			manufacturer: full(),
			serial: full(),
			label: full(),
		};
		let key = device_key("other");
		let payload = RegistrationPayload {
			genesis_hash: System::block_hash(0),
			owner: alice(),
			key: account(&key),
		};
		let uri = Some(full());
		for call in [
			RuntimeCall::Devices(pallet_devices::Call::register {
				key: account(&key),
				proof: polkadot_sdk::sp_core::Pair::sign(&key, &payload.signing_bytes()).into(),
				metadata: metadata.clone(),
				firmware: Some(H256::zero()),
			}),
			RuntimeCall::Devices(pallet_devices::Call::update_metadata {
				device_id: device,
				metadata,
			}),
			RuntimeCall::Anchors(pallet_anchors::Call::anchor_for {
				device_id: device,
				stream: 1,
				seq: 1,
				digest: H256::zero(),
				uri: uri.clone(),
			}),
			RuntimeCall::Anchors(pallet_anchors::Call::anchor_batch {
				device_id: Some(device),
				stream: 1,
				first_seq: 1,
				count: 4096,
				merkle_root: H256::zero(),
				uri,
			}),
		] {
			let (len, fee) = fee_of(call.clone());
			let remark = remark_fee(len);
			assert!(fee >= remark, "{call:?}: {fee} < remark {remark} for {len} bytes");
			// Bytes are priced so that a block full of them costs what a block full of compute
			// does.
			assert!(fee >= Balance::from(len) * TRANSACTION_BYTE_FEE);
		}
	});
}

/// Attack 9: a device got thousands of nonce-chained free anchors validated against the same
/// state, parked in the pool although only its quota could ever be included.
#[test]
fn attack_a_device_parks_thousands_of_free_anchors_in_the_pool() {
	test(|| {
		let key = sensor();
		register_device(&key);
		let anchor = |seq: u64| {
			RuntimeCall::Anchors(pallet_anchors::Call::anchor {
				stream: 1,
				seq,
				digest: H256::from_low_u64_be(seq),
				uri: None,
			})
		};
		let validate = |nonce: u32, seq: u64| -> ValidTransaction {
			validate_in_pool(signed(&key, nonce, anchor(seq)))
				.expect("each one is valid on its own")
		};
		// How many of 1 000 chained free anchors can wait in the pool at once: the pool keeps
		// a transaction only if no transaction it holds provides one of the same tags.
		let mut provided = BTreeSet::new();
		let mut waiting = 0;
		for nonce in 0..1_000u32 {
			let valid = validate(nonce, u64::from(nonce) + 1);
			if valid.provides.iter().all(|tag| !provided.contains(tag)) {
				waiting += 1;
				provided.extend(valid.provides);
			}
		}
		assert_eq!(waiting, 1, "one free anchor per device waits in the pool");
		// Its tag lives until the quota window ends, no longer: the pool validates for the next
		// block, and the window [0, FreeWindow) ends after block FreeWindow - 1.
		let window: u32 = <Runtime as pallet_anchors::Config>::FreeWindow::get();
		let next_block = System::block_number() + 1;
		assert_eq!(validate(0, 1).longevity, u64::from(window - next_block));

		// Once it is in a block, the next one takes the next slot.
		let first = validate(0, 1);
		assert_ok!(Executive::apply_extrinsic(signed(&key, 0, anchor(1))).unwrap());
		let second = validate(1, 2);
		assert!(second.provides.iter().all(|tag| !first.provides.contains(tag)));
	});
}

#[test]
fn the_free_anchor_check_is_in_the_weight_of_every_anchor_that_could_be_free() {
	test(|| {
		let key = sensor();
		let device = register_device(&key);
		let check = <Runtime as pallet_anchors::Config>::WeightInfo::free_anchor_check();
		let info = |call: RuntimeCall| {
			let xt: UncheckedExtrinsic = signed(&key, 0, call);
			polkadot_sdk::frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&xt)
				.extension_weight
		};
		let anchor = RuntimeCall::Anchors(pallet_anchors::Call::anchor {
			stream: 1,
			seq: 1,
			digest: H256::zero(),
			uri: None,
		});
		let by_owner = RuntimeCall::Anchors(pallet_anchors::Call::anchor_for {
			device_id: device,
			stream: 1,
			seq: 1,
			digest: H256::zero(),
			uri: None,
		});
		assert_eq!(info(anchor).saturating_sub(info(by_owner)), check);
	});
}

/// Fleet operators fund a device key and rotate to it in one atomic step.
#[test]
fn utility_batch_all_funds_and_rotates_atomically() {
	test(|| {
		let old = sensor();
		let device = register_device(&old);
		let new = device_key("new");
		let fund = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: account(&new).into(),
			value: UNIT,
		});
		let batch =
			|calls| RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all { calls });

		// A bad rotation proof undoes the transfer too.
		let wrong = device_key("wrong");
		let bad_rotation = RuntimeCall::Devices(pallet_devices::Call::rotate_key {
			device_id: device,
			new_key: account(&new),
			proof: rotation_proof(&wrong, device, &account(&old)),
		});
		let result =
			batch(vec![fund.clone(), bad_rotation]).dispatch(RuntimeOrigin::signed(alice()));
		assert_eq!(
			result.map_err(|e| e.error),
			Err(DispatchError::from(pallet_devices::Error::<Runtime>::BadProof))
		);
		assert_eq!(Balances::free_balance(account(&new)), 0);

		assert_ok!(
			batch(vec![fund, rotate(device, &old, &new)]).dispatch(RuntimeOrigin::signed(alice()))
		);
		assert_eq!(Balances::free_balance(account(&new)), UNIT);
		assert_eq!(pallet_devices::DeviceByKey::<Runtime>::get(account(&new)), Some(device));
		assert_noop!(
			pallet_devices::Pallet::<Runtime>::retire(RuntimeOrigin::signed(account(&new)), device),
			pallet_devices::Error::<Runtime>::NotOwner
		);
	});
}

/// After a rotation the replaced key speaks for the device no more: the chain itself refuses it,
/// free or paid (not only a client's lookup).
#[test]
fn a_rotated_out_key_cannot_anchor() {
	test(|| {
		let old = sensor();
		let device = register_device(&old);
		let new = device_key("new");
		assert_ok!(rotate(device, &old, &new).dispatch(RuntimeOrigin::signed(alice())));
		let anchor = RuntimeCall::Anchors(pallet_anchors::Call::anchor {
			stream: 1,
			seq: 1,
			digest: H256::zero(),
			uri: None,
		});
		// Not free any more, and it holds nothing to pay with.
		assert_eq!(
			validate_in_pool(signed(&old, 0, anchor.clone())),
			Err(InvalidTransaction::Payment.into())
		);
		// Funded, it pays and the call itself fails.
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(alice()),
			account(&old).into(),
			UNIT
		));
		let result = Executive::apply_extrinsic(signed(&old, 0, anchor)).expect("included");
		assert_eq!(result, Err(DispatchError::from(pallet_anchors::Error::<Runtime>::NotADevice)));
		assert!(pallet_anchors::Heads::<Runtime>::get(device, 1).is_none());
	});
}
