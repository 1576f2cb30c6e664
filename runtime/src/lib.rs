//! The iotchain runtime.
//!
//! A solochain runtime (Aura block production, GRANDPA finality) that hosts the device registry,
//! data anchoring and access control pallets. Pallet configuration lives in [`configs`], the
//! runtime API implementations in [`apis`] and the genesis presets in
//! [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!`/`#[runtime]` does a lot of recursion and requires us to increase the limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// Before `apis`: the macros it defines are used there.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
pub mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use alloc::vec::Vec;
use polkadot_sdk::*;

use frame_support::weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature, Perbill,
};
use sp_version::{runtime_version, RuntimeVersion};

/// Opaque types. These are used by the CLI to instantiate machinery that don't need to know the
/// specifics of the runtime. They can then be made to be agnostic over specific formats of data
/// like extrinsics, allowing for them to continue syncing the network through upgrades to even
/// the core data structures.
pub mod opaque {
	use super::*;
	use sp_runtime::{generic, traits::Hash as HashT};

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: one for block production, one for finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's identity, as reported by `state_getRuntimeVersion`.
///
/// `spec_version` must be increased whenever the runtime logic changes, `transaction_version`
/// whenever a call index or the encoding of a call's arguments changes.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("iotchain"),
	impl_name: alloc::borrow::Cow::Borrowed("iotchain"),
	authoring_version: 1,
	spec_version: 107,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

mod block_times {
	/// Target block time. Aura produces a block every slot of this length and GRANDPA finalizes
	/// behind it.
	pub const MILLI_SECS_PER_BLOCK: u64 = 6000;

	// NOTE: Currently it is not possible to change the slot duration after the chain has started.
	// Attempting to do so will brick block production.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
}
pub use block_times::*;

/// Block numbers for one minute, hour and day at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// The weight budget of a block: two seconds of compute.
pub const MAXIMUM_BLOCK_WEIGHT: Weight =
	Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND.saturating_mul(2), u64::MAX);
/// The length budget of a block: 5 MiB.
pub const MAXIMUM_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
/// The share of a block's weight and length that normal (non-operational) extrinsics may use.
pub const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Token units: `IOT` has 12 decimals, so one `IOT` is `10^12` plancks.
pub const UNIT: Balance = 1_000_000_000_000;
/// One thousandth of an `IOT`.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// One millionth of an `IOT`.
pub const MICRO_UNIT: Balance = 1_000_000;

/// The minimum balance an account must hold to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The token symbol shown by wallets and Polkadot.js.
pub const TOKEN_SYMBOL: &str = "IOT";
/// The number of decimals of [`TOKEN_SYMBOL`].
pub const TOKEN_DECIMALS: u8 = 12;
/// The SS58 address format of the chain (42: the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;

/// Some way of identifying an account on the chain. We intentionally make it equivalent
/// to the public key of our transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account.
pub type Balance = u128;

/// Index of a transaction in the chain.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// An index to a block.
pub type BlockNumber = u32;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;

/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions that are added to the runtime, checked in this order.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	// Fees, unless the call is feeless (a device's free anchors, see `pallet-anchors`).
	pallet_skip_feeless_payment::SkipCheckIfFeeless<
		Runtime,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	>,
	// At most one free anchor per device waits in the pool (no data: wallets can ignore it).
	pallet_anchors::CheckFreeAnchor<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// All migrations of the runtime, aside from the ones declared in the pallets.
///
/// This can be a tuple of types, each implementing `OnRuntimeUpgrade`.
#[allow(unused_parens)]
type Migrations = (
	pallet_devices::migrations::v1::MigrateToV1<Runtime>,
	pallet_devices::migrations::v2::MigrateToV2<Runtime>,
	pallet_devices::migrations::v3::MigrateToV3<Runtime>,
);

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

// The pallets of the runtime. Their indices are part of the transaction format: never reorder
// or reuse an index.
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
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type SkipFeelessPayment = pallet_skip_feeless_payment;

	#[runtime::pallet_index(8)]
	pub type Utility = pallet_utility;

	/// The Merkle Mountain Range of every block's anchors (see `pallet_anchors`).
	#[runtime::pallet_index(9)]
	pub type Mmr = pallet_mmr;

	// iotchain's own pallets.

	#[runtime::pallet_index(10)]
	pub type Devices = pallet_devices;

	#[runtime::pallet_index(11)]
	pub type Anchors = pallet_anchors;

	#[runtime::pallet_index(12)]
	pub type Access = pallet_access;

	// Validators. `ValidatorSet` comes after `Session`: its genesis reads the set that
	// `Session`'s genesis made.

	/// Session keys and rotation: hands each session's validators to Aura and GRANDPA.
	#[runtime::pallet_index(13)]
	pub type Session = pallet_session;

	/// Who the validators are: added and removed by sudo (see `pallet_validator_set`).
	#[runtime::pallet_index(14)]
	pub type ValidatorSet = pallet_validator_set;
}
