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
	sp_runtime::{
		generic::Era,
		traits::Header as _,
		transaction_validity::{TransactionSource, TransactionValidity},
		BuildStorage, MultiSignature,
	},
};

pub use iotchain_primitives::{device_id_of, DeviceId, RegistrationPayload};
pub use pallet_devices::DeviceMetadata;

/// The runtime with Alice and Bob endowed, at block 1. Sessions last a day: no rotation (which
/// takes a whole block) falls within these tests' blocks.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
	pallet_validator_set::GenesisConfig::<Runtime> { session_length: iotchain_runtime::DAYS }
		.assimilate_storage(&mut storage)
		.unwrap();
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

/// Ends the current block as far as the MMR and the anchors need (the anchors' `on_finalize`
/// and the system's, which computes the state root), then starts the next one with the ended
/// block's hash as parent. Returns the ended block's header.
pub fn next_block() -> Header {
	let header = end_block();
	start_block_after(&header);
	header
}

/// The first half of [`next_block`]: ends the current block, returns its header.
pub fn end_block() -> Header {
	use polkadot_sdk::frame_support::traits::Hooks;
	pallet_anchors::Pallet::<Runtime>::on_finalize(System::block_number());
	System::finalize()
}

/// The second half of [`next_block`]: starts the block after `parent`.
pub fn start_block_after(parent: &Header) {
	let number = parent.number + 1;
	let next = Header::new(number, H256::zero(), H256::zero(), parent.hash(), Default::default());
	Executive::initialize_block(&next);
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
		pallet_anchors::CheckFreeAnchor::<Runtime>::new(),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("payload builds");
	let signature = MultiSignature::from(payload.using_encoded(|bytes| signer.sign(bytes)));
	UncheckedExtrinsic::new_signed(call, account(signer).into(), signature, extension)
}

/// Validates `xt` as the transaction pool does: against the current state, which the
/// validation leaves as it found it (it runs in a storage transaction that is rolled back).
pub fn validate_in_pool(xt: UncheckedExtrinsic) -> TransactionValidity {
	sp_io::storage::start_transaction();
	let validity =
		Executive::validate_transaction(TransactionSource::External, xt, System::block_hash(0));
	sp_io::storage::rollback_transaction();
	validity
}

/// Registers the device of `key`, owned by Alice; returns its id.
pub fn register_device(key: &sr25519::Pair) -> DeviceId {
	register_device_of(&Sr25519Keyring::Alice.to_account_id(), key)
}

/// Registers the device of `key`, owned by `owner`; returns its id.
pub fn register_device_of(owner: &AccountId, key: &sr25519::Pair) -> DeviceId {
	let payload = RegistrationPayload {
		genesis_hash: System::block_hash(0),
		owner: owner.clone(),
		key: account(key),
	};
	let proof = MultiSignature::from(key.sign(&payload.signing_bytes()));
	assert_ok!(pallet_devices::Pallet::<Runtime>::register(
		RuntimeOrigin::signed(owner.clone()),
		account(key),
		proof,
		DeviceMetadata::default(),
		None,
	));
	device_id_of(&account(key))
}

/// The proof that `new_key` takes over from `old_key` on `device`.
pub fn rotation_proof(
	new_key: &sr25519::Pair,
	device: DeviceId,
	old_key: &AccountId,
) -> MultiSignature {
	let payload = pallet_devices::RotationPayload {
		genesis_hash: System::block_hash(0),
		device_id: device,
		old_key: old_key.clone(),
		new_key: account(new_key),
	};
	MultiSignature::from(new_key.sign(&payload.signing_bytes()))
}

/// Checks the invariants of every iotchain pallet: every runtime test ends with it.
pub fn check_invariants() {
	pallet_devices::Pallet::<Runtime>::do_try_state().expect("registry invariants hold");
	pallet_anchors::Pallet::<Runtime>::do_try_state().expect("anchors invariants hold");
	pallet_access::Pallet::<Runtime>::do_try_state().expect("access invariants hold");
}

/// Runs `f` on a fresh runtime (Alice and Bob endowed, block 1), then checks the invariants.
pub fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		check_invariants();
	});
}

/// A fresh device key.
pub fn device_key(seed: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{seed}"), None).expect("valid seed")
}
