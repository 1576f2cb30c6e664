//! A test runtime: System, Balances and the access pallet, with a registry the tests set up.

use crate as pallet_access;
use crate::*;
use alloc::collections::BTreeMap;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use iotchain_primitives::{Custody, DeviceStatus};
use polkadot_sdk::sp_runtime::BuildStorage;
use polkadot_sdk::{pallet_balances, sp_io};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;
pub type BlockNumber = u64;

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
	pub type AccessPallet = pallet_access;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	/// Device → owner.
	pub static Owners: BTreeMap<DeviceId, AccountId> = BTreeMap::new();
}

/// The registry, as `pallet-devices` implements it, over [`Owners`].
pub struct MockRegistry;
impl DeviceRegistry<AccountId, BlockNumber> for MockRegistry {
	fn device_of_key(_: &AccountId) -> Option<DeviceId> {
		None
	}
	fn owner_of(device: &DeviceId) -> Option<AccountId> {
		Owners::get().get(device).copied()
	}
	fn status_of(device: &DeviceId) -> Option<DeviceStatus<BlockNumber>> {
		Owners::get().contains_key(device).then_some(DeviceStatus::Active)
	}
	fn custody_of(_: &DeviceId) -> Custody<AccountId> {
		Custody::Device
	}
	fn is_suspect(_: &DeviceId, _: BlockNumber) -> bool {
		false
	}
}

pub const DEPOSIT: Balance = 10;
pub const MAX_GRANTS: u32 = 5;
pub const ENDOWMENT: Balance = 1_000;

/// The weights the test runtime uses.
pub type Weights = ();

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = MockRegistry;
	type GrantDeposit = frame_support::traits::ConstU64<DEPOSIT>;
	type MaxGrantsPerDevice = ConstU32<MAX_GRANTS>;
	type WeightInfo = Weights;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// Devices for the benchmarks, in [`Owners`].
#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl benchmarking::BenchmarkHelper<AccountId> for MockHelper {
	fn device(owner: &AccountId) -> DeviceId {
		let device_id = DeviceId::from_low_u64_be(1_000 + Owners::get().len() as u64);
		Owners::mutate(|owners| owners.insert(device_id, *owner));
		device_id
	}
}

pub const OWNER: AccountId = 1;
pub const MANAGER: AccountId = 2;
pub const GATEWAY: AccountId = 3;
pub const READER: AccountId = 4;
pub const STRANGER: AccountId = 5;
pub const DEVICE: DeviceId = DeviceId::repeat_byte(0xd1);
pub const OTHER_DEVICE: DeviceId = DeviceId::repeat_byte(0xd2);

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=5).map(|a| (a, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Owners::set(BTreeMap::from([(DEVICE, OWNER), (OTHER_DEVICE, OWNER)]));
	});
	ext
}
