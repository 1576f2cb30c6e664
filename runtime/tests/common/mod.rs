//! Helpers for tests that run the real runtime natively: genesis, signed extrinsics built with
//! the runtime's own transaction extensions, and blocks driven through `Executive`.

#![allow(dead_code)]

use codec::Encode;
use iotchain_runtime::{
	genesis_config_presets::ENDOWMENT, AccountId, Executive, Header, Runtime, RuntimeCall,
	RuntimeOrigin, SignedPayload, System, TxExtension, UncheckedExtrinsic,
};
use polkadot_sdk::{
	frame_support::assert_ok,
	frame_system, pallet_balances, pallet_skip_feeless_payment, pallet_timestamp,
	pallet_transaction_payment,
	sp_core::{sr25519, Pair, H256},
	sp_io,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{generic::Era, traits::Header as _, BuildStorage, MultiSignature},
};

pub use iotchain_primitives::{DeviceId, RegistrationPayload};
pub use pallet_devices::DeviceMetadata;

/// The runtime with Alice and Bob endowed, at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Runtime> {
		balances: vec![
			(Sr25519Keyring::Alice.to_account_id(), ENDOWMENT),
			(Sr25519Keyring::Bob.to_account_id(), ENDOWMENT),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| start_block(1));
	ext
}

/// The timestamp the tests give block `number`.
pub fn timestamp_of(number: u32) -> u64 {
	1_700_000_000_000 + u64::from(number) * iotchain_runtime::MILLI_SECS_PER_BLOCK
}

/// Starts block `number` the way a block author does, with its timestamp; the blocks in
/// between are skipped. (Blocks are not finalized: that would need Aura's slot digest and the
/// timestamp inherent.)
pub fn start_block(number: u32) {
	System::set_block_number(number.saturating_sub(1));
	let parent = System::block_hash(number.saturating_sub(1));
	let header = Header::new(number, H256::zero(), H256::zero(), parent, Default::default());
	Executive::initialize_block(&header);
	pallet_timestamp::Now::<Runtime>::put(timestamp_of(number));
}

/// A key and its account.
pub fn account(pair: &sr25519::Pair) -> AccountId {
	pair.public().into()
}

/// `call` signed by `signer` with nonce `nonce` and the runtime's transaction extensions.
pub fn signed(signer: &sr25519::Pair, nonce: u32, call: RuntimeCall) -> UncheckedExtrinsic {
	let extension: TxExtension = (
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_skip_feeless_payment::SkipCheckIfFeeless::from(
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("payload builds");
	let signature = MultiSignature::from(payload.using_encoded(|bytes| signer.sign(bytes)));
	UncheckedExtrinsic::new_signed(call, account(signer).into(), signature, extension)
}

/// Registers a device with key `key`, owned by Alice.
pub fn register_device(device_id: DeviceId, key: &sr25519::Pair) {
	let owner = Sr25519Keyring::Alice.to_account_id();
	let payload = RegistrationPayload {
		genesis_hash: System::block_hash(0),
		owner: owner.clone(),
		device_id,
		key: account(key),
	};
	let proof = MultiSignature::from(key.sign(&payload.signing_bytes()));
	assert_ok!(pallet_devices::Pallet::<Runtime>::register(
		RuntimeOrigin::signed(owner),
		device_id,
		account(key),
		proof,
		DeviceMetadata::default(),
		None,
	));
}

/// A fresh device key.
pub fn device_key(seed: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{seed}"), None).expect("valid seed")
}
