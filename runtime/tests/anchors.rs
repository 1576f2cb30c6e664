//! Anchoring in the real runtime: free anchors of zero-balance devices through the actual
//! transaction extensions (as the pool and block building apply them), and verification
//! through the `AnchorsApi` runtime API with the real device registry behind it.

mod common;

use codec::{Decode, Encode};
use common::*;
use iotchain_primitives::{merkle_proof, merkle_root, MerkleProof, Verification};
use iotchain_runtime::{
	apis::api::dispatch, AccountId, Balances, BlockNumber, Executive, Runtime, RuntimeCall,
	RuntimeOrigin, System,
};
use polkadot_sdk::{
	frame_support::{assert_ok, traits::Get},
	sp_core::H256,
	sp_keyring::Sr25519Keyring,
	sp_runtime::transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityError,
	},
};

/// The device of [`sensor`], the key every test registers.
fn device() -> DeviceId {
	device_id_of(&account(&sensor()))
}

fn sensor() -> polkadot_sdk::sp_core::sr25519::Pair {
	device_key("sensor")
}
const STREAM: u32 = 1;

fn anchor_call(seq: u64) -> RuntimeCall {
	RuntimeCall::Anchors(pallet_anchors::Call::anchor {
		stream: STREAM,
		seq,
		digest: H256::from_low_u64_be(seq),
		uri: None,
	})
}

fn free_quota() -> u32 {
	<Runtime as pallet_anchors::Config>::FreeAnchorsPerWindow::get()
}

fn verify(
	seq: u64,
	digest: H256,
	proof: Option<MerkleProof>,
) -> Verification<AccountId, BlockNumber, u64> {
	let result =
		dispatch("AnchorsApi_verify_reading", &(device(), STREAM, seq, digest, proof).encode())
			.expect("the runtime implements AnchorsApi");
	Decode::decode(&mut &result[..]).expect("the API returns a Verification")
}

#[test]
fn a_zero_balance_device_gets_exactly_its_quota_of_free_anchors() {
	test(|| {
		let key = device_key("sensor");
		register_device(&key);
		assert_eq!(Balances::free_balance(account(&key)), 0);
		let quota = free_quota();
		assert!(quota > 0);

		for seq in 1..=quota as u64 {
			let xt = signed(&key, seq as u32 - 1, anchor_call(seq));
			// The pool accepts it …
			assert!(Executive::validate_transaction(
				TransactionSource::External,
				xt.clone(),
				System::block_hash(0)
			)
			.is_ok());
			// … and it is included and dispatched successfully, free.
			assert_ok!(Executive::apply_extrinsic(xt).expect("included"));
		}
		assert_eq!(pallet_anchors::Pallet::<Runtime>::free_anchors_used(&device()), quota);
		assert_eq!(Balances::free_balance(account(&key)), 0);

		// The next one must pay, which a zero-balance key cannot: refused by the pool and by
		// block building alike, never included.
		let over = signed(&key, quota, anchor_call(quota as u64 + 1));
		let refused = Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));
		assert_eq!(
			Executive::validate_transaction(
				TransactionSource::External,
				over.clone(),
				System::block_hash(0)
			)
			.map(|_| ()),
			refused
		);
		assert_eq!(Executive::apply_extrinsic(over).map(|_| ()), refused);
		assert!(
			pallet_anchors::Anchors::<Runtime>::get((device(), STREAM, quota as u64 + 1)).is_none()
		);
		assert_eq!(System::account_nonce(account(&key)), quota);
	});
}

#[test]
fn a_zero_balance_account_that_is_no_device_gets_nothing_included() {
	test(|| {
		let stranger = device_key("stranger");
		let xt = signed(&stranger, 0, anchor_call(1));
		assert!(Executive::validate_transaction(
			TransactionSource::External,
			xt.clone(),
			System::block_hash(0)
		)
		.is_err());
		assert!(Executive::apply_extrinsic(xt).is_err());

		// Nor a suspended device.
		let key = device_key("sensor");
		register_device(&key);
		assert_ok!(pallet_devices::Pallet::<Runtime>::suspend(
			RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
			device()
		));
		let xt = signed(&key, 0, anchor_call(1));
		assert_eq!(
			Executive::apply_extrinsic(xt).map(|_| ()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))
		);
	});
}

#[test]
fn a_free_anchor_that_would_fail_is_never_included() {
	test(|| {
		let key = device_key("sensor");
		register_device(&key);
		assert_ok!(Executive::apply_extrinsic(signed(&key, 0, anchor_call(1))).unwrap());
		// A replayed sequence number would fail in dispatch: not free, so unpayable.
		let replay = signed(&key, 1, anchor_call(1));
		assert_eq!(
			Executive::apply_extrinsic(replay).map(|_| ()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))
		);
		assert_eq!(System::account_nonce(account(&key)), 1);
		assert_eq!(pallet_anchors::Pallet::<Runtime>::free_anchors_used(&device()), 1);
	});
}

#[test]
fn the_quota_renews_with_the_window() {
	test(|| {
		let key = device_key("sensor");
		register_device(&key);
		let quota = free_quota();
		for seq in 1..=quota as u64 {
			assert_ok!(
				Executive::apply_extrinsic(signed(&key, seq as u32 - 1, anchor_call(seq))).unwrap()
			);
		}
		let window: BlockNumber = <Runtime as pallet_anchors::Config>::FreeWindow::get();
		start_block(window);
		assert_ok!(
			Executive::apply_extrinsic(signed(&key, quota, anchor_call(quota as u64 + 1))).unwrap()
		);
		assert_eq!(pallet_anchors::Pallet::<Runtime>::free_anchors_used(&device()), 1);
	});
}

#[test]
fn verification_through_the_runtime_api() {
	test(|| {
		let key = device_key("sensor");
		register_device(&key);
		assert_ok!(Executive::apply_extrinsic(signed(&key, 0, anchor_call(1))).unwrap());
		let digests: Vec<H256> = (2..=5).map(H256::from_low_u64_be).collect();
		let batch = RuntimeCall::Anchors(pallet_anchors::Call::anchor_batch {
			device_id: None,
			stream: STREAM,
			first_seq: 2,
			count: 4,
			merkle_root: merkle_root(2, &digests),
			uri: None,
		});
		assert_ok!(Executive::apply_extrinsic(signed(&key, 1, batch)).unwrap());

		let anchored = Verification::Anchored {
			block: 1,
			timestamp: timestamp_of(1),
			submitter: account(&key),
			suspect: false,
		};
		assert_eq!(verify(1, H256::from_low_u64_be(1), None), anchored);
		assert_eq!(verify(1, H256::from_low_u64_be(9), None), Verification::Mismatch);
		assert_eq!(verify(4, digests[2], merkle_proof(2, &digests, 2)), anchored);
		assert_eq!(
			verify(4, H256::from_low_u64_be(9), merkle_proof(2, &digests, 2)),
			Verification::Mismatch
		);
		assert_eq!(verify(6, H256::from_low_u64_be(6), None), Verification::NotAnchored);

		// The registry's compromise report makes later anchors suspect.
		start_block(2);
		assert_ok!(Executive::apply_extrinsic(signed(&key, 2, anchor_call(6))).unwrap());
		assert_ok!(pallet_devices::Pallet::<Runtime>::report_compromised(
			RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
			device(),
			2
		));
		assert_eq!(verify(1, H256::from_low_u64_be(1), None), anchored);
		match verify(6, H256::from_low_u64_be(6), None) {
			Verification::Anchored { block: 2, suspect: true, .. } => {},
			other => panic!("expected a suspect anchor at block 2, got {other:?}"),
		}

		let head = dispatch("AnchorsApi_anchor_head", &(device(), STREAM).encode()).unwrap();
		let head: Option<iotchain_primitives::AnchorHead<BlockNumber>> =
			Decode::decode(&mut &head[..]).unwrap();
		assert_eq!(head.map(|h| (h.seq, h.count)), Some((6, 3)));
	});
}
