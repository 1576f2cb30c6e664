//! A test runtime: System, Timestamp and the anchors pallet, with a registry and access control
//! that the tests set up directly.

use crate as pallet_anchors;
use crate::*;
use alloc::collections::BTreeMap;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, Hooks},
};
use iotchain_primitives::{Custody, DeviceStatus};
use polkadot_sdk::{pallet_timestamp, sp_io};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
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
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type AnchorsPallet = pallet_anchors;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

/// A device as the mock registry knows it.
#[derive(Clone)]
pub struct MockDevice {
	pub owner: AccountId,
	pub key: AccountId,
	pub status: DeviceStatus<BlockNumber>,
}

parameter_types! {
	pub static Registered: BTreeMap<DeviceId, MockDevice> = BTreeMap::new();
	/// `Write` grants: (device, grantee, stream, expires at).
	pub static WriteGrants: Vec<(DeviceId, AccountId, StreamId, BlockNumber)> = Vec::new();
	pub static MaxAnchorsPerBlock: u32 = 100_000;
	/// Devices whose key a gateway holds: (device, gateway).
	pub static Gateways: Vec<(DeviceId, AccountId)> = Vec::new();
}

/// The registry, as `pallet-devices` implements it, over [`Registered`].
pub struct MockRegistry;
impl DeviceRegistry<AccountId, BlockNumber> for MockRegistry {
	fn device_of_key(key: &AccountId) -> Option<DeviceId> {
		Registered::get()
			.into_iter()
			.find(|(_, d)| d.key == *key && d.status != DeviceStatus::Retired)
			.map(|(id, _)| id)
	}
	fn owner_of(device: &DeviceId) -> Option<AccountId> {
		Registered::get().get(device).filter(|d| d.status != DeviceStatus::Retired).map(|d| d.owner)
	}
	fn status_of(device: &DeviceId) -> Option<DeviceStatus<BlockNumber>> {
		Registered::get().get(device).map(|d| d.status)
	}
	fn custody_of(device: &DeviceId) -> Custody<AccountId> {
		Gateways::get()
			.into_iter()
			.find(|(d, _)| d == device)
			.map_or(Custody::Device, |(_, account)| Custody::Gateway { account })
	}
	fn is_suspect(device: &DeviceId, at: BlockNumber) -> bool {
		matches!(Self::status_of(device), Some(DeviceStatus::Compromised { since }) if at >= since)
	}
}

/// Access control over [`WriteGrants`].
pub struct MockAccess;
impl AccessControl<AccountId, BlockNumber> for MockAccess {
	fn has_permission(
		device: &DeviceId,
		who: &AccountId,
		stream: StreamId,
		permission: Permission,
		now: BlockNumber,
	) -> bool {
		permission == Permission::Write
			&& WriteGrants::get().iter().any(|(d, grantee, s, expires)| {
				d == device && grantee == who && *s == stream && now < *expires
			})
	}
	fn is_manager(_: &DeviceId, _: &AccountId, _: BlockNumber) -> bool {
		false
	}
}

pub const MAX_URI_LEN: u32 = 32;
pub const MAX_BATCH: u32 = 100;
pub const MAX_SEQ_GAP: Seq = 1_000;
pub const MAX_STREAMS: u32 = 3;
pub const FREE_ANCHORS: u32 = 3;
pub const FREE_WINDOW: BlockNumber = 10;

impl Config for Test {
	type Registry = MockRegistry;
	type Access = MockAccess;
	type Time = Timestamp;
	type MaxUriLen = ConstU32<MAX_URI_LEN>;
	type MaxBatchSize = ConstU32<MAX_BATCH>;
	type MaxSeqGap = frame_support::traits::ConstU64<MAX_SEQ_GAP>;
	type MaxStreamsPerDevice = ConstU32<MAX_STREAMS>;
	type MaxAnchorsPerBlock = MaxAnchorsPerBlock;
	type FreeAnchorsPerWindow = ConstU32<FREE_ANCHORS>;
	type FreeWindow = frame_support::traits::ConstU64<FREE_WINDOW>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// Devices and grants for the benchmarks, in [`Registered`] and [`WriteGrants`].
#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl benchmarking::BenchmarkHelper<AccountId> for MockHelper {
	fn device() -> (DeviceId, AccountId) {
		let index = Registered::get().len() as u64;
		let device_id = DeviceId::from_low_u64_be(1_000 + index);
		let key = 1_000 + index;
		let device = MockDevice { owner: OWNER, key, status: DeviceStatus::Active };
		Registered::mutate(|registered| registered.insert(device_id, device));
		(device_id, key)
	}

	fn grant_write(device_id: &DeviceId, grantee: &AccountId, stream: StreamId) {
		WriteGrants::mutate(|grants| grants.push((*device_id, *grantee, stream, BlockNumber::MAX)));
	}
}

pub const OWNER: AccountId = 1;
pub const DEVICE_KEY: AccountId = 2;
pub const GATEWAY: AccountId = 3;
pub const STRANGER: AccountId = 4;
pub const DEVICE: DeviceId = DeviceId::repeat_byte(0xd1);

/// Sets `DEVICE`'s status; retiring it tells the pallet, as the registry does in the runtime.
pub fn set_status(status: DeviceStatus<BlockNumber>) {
	Registered::mutate(|r| {
		if let Some(d) = r.get_mut(&DEVICE) {
			d.status = status
		}
	});
	if status == DeviceStatus::Retired {
		<AnchorsPallet as DeviceLifecycleHooks<AccountId>>::on_retired(&DEVICE);
	}
}

/// Ends the current block and starts the next, as the executive would: `on_finalize`, a new
/// parent hash (the ended block's), `on_initialize`.
pub fn next_block() {
	let now = System::block_number();
	AnchorsPallet::on_finalize(now);
	let hash = System::finalize().hash();
	System::reset_events();
	System::initialize(&(now + 1), &hash, &Default::default());
	AnchorsPallet::on_initialize(now + 1);
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(1_000);
		Registered::set(BTreeMap::from([(
			DEVICE,
			MockDevice { owner: OWNER, key: DEVICE_KEY, status: DeviceStatus::Active },
		)]));
		WriteGrants::set(Vec::new());
	});
	ext
}
