//! The runtime's benchmarks (feature `runtime-benchmarks`): what `scripts/benchmark-weights.sh`
//! runs through the node's `benchmark pallet` to generate each pallet's `weights.rs`.
//!
//! The anchors and access benchmarks get their devices and grants from the device registry
//! and access control themselves, through their calls, as users would ([`BenchmarkHelper`]).

use crate::*;
use codec::Decode;
use frame_support::traits::fungible::Mutate;
use iotchain_primitives::{DeviceId, DeviceRegistry, Permissions, StreamId};

polkadot_sdk::frame_benchmarking::define_benchmarks!(
	[frame_system_extensions, frame_system_benchmarking::extensions::Pallet::<Runtime>]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_balances, Balances]
	[pallet_utility, Utility]
	[pallet_sudo, Sudo]
	[pallet_timestamp, Timestamp]
	[pallet_devices, Devices]
	[pallet_anchors, Anchors]
	[pallet_access, Access]
	[pallet_validator_set, ValidatorSet]
);

/// The transaction payment benchmarks need no set-up in this runtime.
impl pallet_transaction_payment::BenchmarkConfig for Runtime {}

/// Registers the devices and makes the grants the anchors and access benchmarks need.
pub struct BenchmarkHelper;

impl pallet_access::benchmarking::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn device(owner: &AccountId) -> DeviceId {
		pallet_devices::benchmarking::registered::<Runtime>(owner).0
	}
}

impl pallet_anchors::benchmarking::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn device() -> (DeviceId, AccountId) {
		let owner = frame_benchmarking::account("device owner", 0, 0);
		Balances::set_balance(&owner, Balance::MAX / 4);
		pallet_devices::benchmarking::registered::<Runtime>(&owner)
	}

	fn grant_write(device_id: &DeviceId, grantee: &AccountId, stream: StreamId) {
		let owner = Devices::owner_of(device_id).expect("the benchmark registered the device");
		Access::grant(
			RuntimeOrigin::signed(owner),
			*device_id,
			grantee.clone(),
			Permissions::WRITE,
			Some(stream),
			None,
			None,
		)
		.expect("the owner grants");
	}
}

impl pallet_validator_set::benchmarking::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn validator(index: u32) -> AccountId {
		// Session keys set as `session.setKeys` leaves them (the keys' values do not matter
		// to the validator set, only that they are set).
		let validator: AccountId = frame_benchmarking::account("validator", index, 0);
		let keys = SessionKeys::decode(&mut sp_runtime::traits::TrailingZeroInput::zeroes())
			.expect("session keys decode from zeroes");
		pallet_session::NextKeys::<Runtime>::insert(&validator, keys);
		validator
	}
}
