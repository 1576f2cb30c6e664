//! Access control wired into the real runtime: gateways anchor with `Write` grants only on
//! their stream and until expiry or revocation; grants go when a device changes hands or
//! retires; managers suspend and resume; `AccessApi` answers data services.

mod common;

use codec::{Decode, Encode};
use common::*;
use iotchain_primitives::{AccessDecision, Permission, Permissions};
use iotchain_runtime::{apis::api::dispatch, BlockNumber, Runtime, RuntimeOrigin, System};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold},
	sp_core::H256,
	sp_keyring::Sr25519Keyring,
};

/// The device of [`sensor`], the key every test registers.
fn device() -> DeviceId {
	device_id_of(&account(&sensor()))
}

fn sensor() -> polkadot_sdk::sp_core::sr25519::Pair {
	device_key("sensor")
}
const STREAM: u32 = 1;
const OTHER_STREAM: u32 = 2;

type Access = pallet_access::Pallet<Runtime>;
type Anchors = pallet_anchors::Pallet<Runtime>;
type Devices = pallet_devices::Pallet<Runtime>;

fn alice() -> iotchain_runtime::AccountId {
	Sr25519Keyring::Alice.to_account_id()
}
fn gateway() -> iotchain_runtime::AccountId {
	Sr25519Keyring::Bob.to_account_id()
}

fn grant_gateway(permissions: Permissions, stream: Option<u32>, expires_at: Option<BlockNumber>) {
	assert_ok!(Access::grant(
		RuntimeOrigin::signed(alice()),
		device(),
		gateway(),
		permissions,
		stream,
		expires_at,
		Some([5; 32]),
	));
}

fn gateway_batch(stream: u32, first_seq: u64) -> polkadot_sdk::sp_runtime::DispatchResult {
	Anchors::anchor_batch(
		RuntimeOrigin::signed(gateway()),
		Some(device()),
		stream,
		first_seq,
		10,
		H256::repeat_byte(7),
		None,
	)
}

fn grant_deposits_of(who: &iotchain_runtime::AccountId) -> u128 {
	iotchain_runtime::Balances::balance_on_hold(
		&pallet_access::HoldReason::GrantDeposit.into(),
		who,
	)
}

#[test]
fn a_gateway_anchors_on_its_stream_until_expiry_or_revocation() {
	test(|| {
		register_device(&sensor());
		assert_noop!(gateway_batch(STREAM, 1), pallet_anchors::Error::<Runtime>::NotAllowed);

		grant_gateway(Permissions::WRITE, Some(STREAM), Some(5));
		assert_ok!(gateway_batch(STREAM, 1));
		assert_noop!(gateway_batch(OTHER_STREAM, 1), pallet_anchors::Error::<Runtime>::NotAllowed);

		start_block(4);
		assert_ok!(gateway_batch(STREAM, 11));
		start_block(5);
		assert_noop!(gateway_batch(STREAM, 21), pallet_anchors::Error::<Runtime>::NotAllowed);

		grant_gateway(Permissions::WRITE, Some(STREAM), None);
		assert_ok!(gateway_batch(STREAM, 21));
		assert_ok!(Access::revoke(RuntimeOrigin::signed(alice()), device(), gateway()));
		assert_noop!(gateway_batch(STREAM, 31), pallet_anchors::Error::<Runtime>::NotAllowed);
		assert_eq!(grant_deposits_of(&alice()), 0);
	});
}

#[test]
fn transfer_and_retirement_drop_the_grants() {
	test(|| {
		register_device(&sensor());
		grant_gateway(Permissions::WRITE, None, None);
		assert!(grant_deposits_of(&alice()) > 0);

		let charlie = Sr25519Keyring::Charlie.to_account_id();
		assert_ok!(iotchain_runtime::Balances::force_set_balance(
			RuntimeOrigin::root(),
			charlie.clone().into(),
			iotchain_runtime::UNIT * 100,
		));
		assert_ok!(Devices::transfer_ownership(
			RuntimeOrigin::signed(alice()),
			device(),
			charlie.clone()
		));
		assert_ok!(Devices::accept_ownership(RuntimeOrigin::signed(charlie.clone()), device()));
		assert!(pallet_access::Grants::<Runtime>::get(device(), gateway()).is_none());
		assert_eq!(grant_deposits_of(&alice()), 0);
		assert_noop!(gateway_batch(STREAM, 1), pallet_anchors::Error::<Runtime>::NotAllowed);

		assert_ok!(Access::grant(
			RuntimeOrigin::signed(charlie.clone()),
			device(),
			gateway(),
			Permissions::READ,
			None,
			None,
			None
		));
		assert_ok!(Devices::retire(RuntimeOrigin::signed(charlie.clone()), device()));
		assert_eq!(pallet_access::GrantCount::<Runtime>::get(device()), 0);
		assert_eq!(grant_deposits_of(&charlie), 0);
	});
}

#[test]
fn a_manager_suspends_and_resumes_through_the_registry() {
	test(|| {
		register_device(&sensor());
		assert_noop!(
			Devices::suspend(RuntimeOrigin::signed(gateway()), device()),
			pallet_devices::Error::<Runtime>::NotOwnerOrManager
		);
		grant_gateway(Permissions::MANAGE, None, None);
		assert_ok!(Devices::suspend(RuntimeOrigin::signed(gateway()), device()));
		System::assert_last_event(
			pallet_devices::Event::<Runtime>::Suspended { device_id: device(), by: gateway() }
				.into(),
		);
		assert_ok!(Devices::resume(RuntimeOrigin::signed(gateway()), device()));
		System::assert_last_event(
			pallet_devices::Event::<Runtime>::Resumed { device_id: device(), by: gateway() }.into(),
		);
		assert_noop!(
			Devices::retire(RuntimeOrigin::signed(gateway()), device()),
			pallet_devices::Error::<Runtime>::NotOwner
		);
	});
}

#[test]
fn check_access_through_the_runtime_api() {
	test(|| {
		register_device(&sensor());
		grant_gateway(Permissions::READ, Some(STREAM), Some(9));
		let check = |stream: u32, permission: Permission| -> AccessDecision<BlockNumber> {
			let out = dispatch(
				"AccessApi_check_access",
				&(device(), gateway(), stream, permission).encode(),
			)
			.expect("the runtime implements AccessApi");
			Decode::decode(&mut &out[..]).unwrap()
		};
		assert_eq!(
			check(STREAM, Permission::Read),
			AccessDecision { allowed: true, expires_at: Some(9), grantee_key: Some([5; 32]) }
		);
		assert!(!check(OTHER_STREAM, Permission::Read).allowed);
		assert!(!check(STREAM, Permission::Write).allowed);
		start_block(9);
		assert!(!check(STREAM, Permission::Read).allowed);
		assert_eq!(System::block_number(), 9);
	});
}
