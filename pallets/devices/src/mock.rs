//! A test runtime: System, Balances and the device registry, with `AccountId32` accounts so
//! that real sr25519/ed25519/ecdsa signatures prove possession.

use crate as pallet_devices;
use crate::*;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use polkadot_sdk::{pallet_balances, sp_io};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage, MultiSignature, MultiSigner};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;
pub type Balance = u64;

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
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type Registry = pallet_devices;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	/// What each active device confers in the statement store.
	pub PerDeviceStatements: StatementAllowance = StatementAllowance::new(4, 1024);
	/// Devices whose retirement the hooks were told of, in order.
	pub static RetiredLog: Vec<DeviceId> = Vec::new();
	/// Ownership changes the hooks were told of, in order.
	pub static TransferLog: Vec<(DeviceId, AccountId, AccountId)> = Vec::new();
	/// (device, manager) pairs, as `pallet-access` would report them.
	pub static DeviceManagers: Vec<(DeviceId, AccountId)> = Vec::new();
}

/// Managers over [`DeviceManagers`].
pub struct MockManagers;
impl AccessControl<AccountId, u64> for MockManagers {
	fn has_permission(
		_: &DeviceId,
		_: &AccountId,
		_: iotchain_primitives::StreamId,
		_: iotchain_primitives::Permission,
		_: u64,
	) -> bool {
		false
	}
	fn is_manager(device: &DeviceId, who: &AccountId, _: u64) -> bool {
		DeviceManagers::get().iter().any(|(d, m)| d == device && m == who)
	}
}

/// Records what the registry reports, like `pallet-access` reacts to it.
pub struct RecordingHooks;
impl DeviceLifecycleHooks<AccountId> for RecordingHooks {
	fn on_ownership_changed(device: &DeviceId, previous_owner: &AccountId, new_owner: &AccountId) {
		TransferLog::mutate(|log| log.push((*device, previous_owner.clone(), new_owner.clone())));
	}
	fn on_retired(device: &DeviceId) {
		RetiredLog::mutate(|log| log.push(*device));
	}
	fn max_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

pub const DEPOSIT_BASE: Balance = 100;
pub const DEPOSIT_PER_BYTE: Balance = 2;
pub const STRING_LIMIT: u32 = 16;
pub const MAX_COMPROMISES: u32 = 2;
pub const ENDOWMENT: Balance = 10_000;
pub const TRANSFER_OFFER_PERIOD: u64 = 20;

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DepositBase = frame_support::traits::ConstU64<DEPOSIT_BASE>;
	type DepositPerByte = frame_support::traits::ConstU64<DEPOSIT_PER_BYTE>;
	type StringLimit = ConstU32<STRING_LIMIT>;
	type MaxCompromises = ConstU32<MAX_COMPROMISES>;
	type TransferOfferPeriod = frame_support::traits::ConstU64<TRANSFER_OFFER_PERIOD>;
	type StatementAllowance = PerDeviceStatements;
	type DeviceSignature = MultiSignature;
	type DeviceSigner = MultiSigner;
	type LifecycleHooks = RecordingHooks;
	type Managers = MockManagers;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

/// Owners in the tests.
pub fn alice() -> AccountId {
	polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id()
}
pub fn bob() -> AccountId {
	polkadot_sdk::sp_keyring::Sr25519Keyring::Bob.to_account_id()
}
pub fn charlie() -> AccountId {
	polkadot_sdk::sp_keyring::Sr25519Keyring::Charlie.to_account_id()
}
/// An account without funds.
pub fn pauper() -> AccountId {
	polkadot_sdk::sp_keyring::Sr25519Keyring::Ferdie.to_account_id()
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(alice(), ENDOWMENT), (bob(), ENDOWMENT), (charlie(), ENDOWMENT)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// [`new_test_ext`] with a keystore, in which the benchmarks make their device keys.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	use polkadot_sdk::sp_keystore::{testing::MemoryKeystore, KeystoreExt};
	let mut ext = new_test_ext();
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext
}
