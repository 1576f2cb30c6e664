//! Configuration of every pallet in the runtime.

use crate::*;
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::ParityDbWeight, ConstantMultiplier, IdentityFee},
};
use frame_system::limits::{BlockLength, BlockWeights};
use frame_system::EnsureRoot;
use pallet_devices::StatementAllowance;
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::{ConvertInto, One, OpaqueKeys};

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;

	/// The block's weight and length limits: two seconds of compute, 5 MiB, of which
	/// `NORMAL_DISPATCH_RATIO` is available to normal extrinsics; an empty block's and every
	/// transaction's base weight as measured (`weights::{block,extrinsic}_weights`).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
		.base_block(weights::block_weights::BlockExecutionWeight::get())
		.for_class(DispatchClass::all(), |class| {
			class.base_extrinsic = weights::extrinsic_weights::ExtrinsicBaseWeight::get();
		})
		.for_class(DispatchClass::Normal, |class| {
			class.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
		})
		.for_class(DispatchClass::Operational, |class| {
			class.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
			class.reserved = Some(MAXIMUM_BLOCK_WEIGHT - NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
		})
		.avg_block_initialization(Perbill::from_percent(10))
		.build_or_panic();
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAXIMUM_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |m| {
			*m = NORMAL_DISPATCH_RATIO * *m
		})
		.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

/// The default types are being injected by [`derive_impl`] from
/// [`frame_system::config_preludes::SolochainDefaultConfig`], only the ones that differ are set
/// here.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	type DbWeight = ParityDbWeight;
	/// The transaction extensions' weights, measured in this runtime.
	type ExtensionsWeightInfo = weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

/// The most validators (Aura authorities, GRANDPA voters) the chain has.
pub const MAX_VALIDATORS: u32 = 32;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = weights::pallet_timestamp::WeightInfo<Runtime>;
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	/// The type for recording an account's balance.
	type Balance = Balance;
	/// The ubiquitous event type.
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = weights::pallet_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// The fee per byte of a transaction: a block's bytes cost what its compute costs. A full
	/// block of bytes (5 MiB) costs as much as a full block of weight (2 s, at one planck per
	/// picosecond), so no call is a cheaper way than `system.remark` to fill blocks (and the
	/// history every archive node keeps) with bytes.
	pub const TransactionByteFee: Balance = TRANSACTION_BYTE_FEE;
}

/// See [`TransactionByteFee`]: 381 469 plancks per byte.
pub const TRANSACTION_BYTE_FEE: Balance =
	(MAXIMUM_BLOCK_WEIGHT.ref_time() / MAXIMUM_BLOCK_LENGTH as u64) as Balance;

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = weights::pallet_transaction_payment::WeightInfo<Runtime>;
}

impl pallet_skip_feeless_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = weights::pallet_utility::WeightInfo<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = weights::pallet_sudo::WeightInfo<Runtime>;
}

parameter_types! {
	/// Deposit for a device record: 1 IOT …
	pub const DeviceDepositBase: Balance = UNIT;
	/// … plus 0.01 IOT per byte of metadata.
	pub const DeviceDepositPerByte: Balance = 10 * MILLI_UNIT;
	/// While a device is active, its key may keep 8 messages (4 KiB of data in all) in each
	/// node's statement store, and its owner as much again per device.
	pub DeviceStatementAllowance: StatementAllowance =
		StatementAllowance::new(DEVICE_STATEMENTS, DEVICE_STATEMENT_BYTES);
}

/// The statements, and their bytes, one active device confers (to its key, and to its owner).
const DEVICE_STATEMENTS: u32 = 8;
const DEVICE_STATEMENT_BYTES: u32 = 4 * 1024;
/// A byte in the statement store lives off chain and expires: priced at a hundredth of a byte
/// of state.
const STATEMENT_DEPOSIT_PER_BYTE: Balance = DeviceDepositPerByte::get() / 100;
// The device deposit's base pays for the statement allowances a device confers.
const _: () = assert!(
	DeviceDepositBase::get() >= 2 * DEVICE_STATEMENT_BYTES as Balance * STATEMENT_DEPOSIT_PER_BYTE
);

impl pallet_devices::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DepositBase = DeviceDepositBase;
	type DepositPerByte = DeviceDepositPerByte;
	type StringLimit = ConstU32<64>;
	type MaxCompromises = ConstU32<8>;
	/// A transfer offer stays open for a week.
	type TransferOfferPeriod = ConstU32<{ 7 * DAYS }>;
	type StatementAllowance = DeviceStatementAllowance;
	type DeviceSignature = Signature;
	type DeviceSigner = <Signature as sp_runtime::traits::Verify>::Signer;
	/// Grants go when a device changes hands or retires; so does a retired device's quota.
	type LifecycleHooks = (Access, Anchors);
	type Managers = Access;
	type WeightInfo = pallet_devices::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

impl pallet_anchors::Config for Runtime {
	type Registry = Devices;
	/// Owners, and accounts with a `Write` grant (gateways).
	type Access = Access;
	type Time = Timestamp;
	type MaxUriLen = ConstU32<128>;
	type MaxBatchSize = ConstU32<4096>;
	/// At most a million readings skipped per anchor: reaching `u64::MAX` would take 10¹³
	/// anchors.
	type MaxSeqGap = ConstU64<1_000_000>;
	/// A device's 16 stream heads (about 110 bytes each) are covered by its registry deposit.
	type MaxStreamsPerDevice = ConstU32<16>;
	/// More than a block's weight allows (about 8 400 of the lightest anchor).
	type MaxAnchorsPerBlock = ConstU32<16_384>;
	/// A device may anchor 100 times an hour without fees.
	type FreeAnchorsPerWindow = ConstU32<100>;
	type FreeWindow = ConstU32<{ HOURS }>;
	type WeightInfo = pallet_anchors::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::BenchmarkHelper;
}

parameter_types! {
	/// Deposit for a grant: 0.1 IOT.
	pub const GrantDeposit: Balance = 100 * MILLI_UNIT;
}

impl pallet_access::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registry = Devices;
	type GrantDeposit = GrantDeposit;
	type MaxGrantsPerDevice = ConstU32<64>;
	type WeightInfo = pallet_access::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::BenchmarkHelper;
}

/// One leaf per block, committing to the previous block's anchors (`pallet_anchors` is the leaf
/// provider). Its nodes live in the off-chain index; the state holds the root and peaks.
impl pallet_mmr::Config for Runtime {
	const INDEXING_PREFIX: &'static [u8] = iotchain_primitives::MMR_INDEXING_PREFIX;
	type Hashing = BlakeTwo256;
	type LeafData = Anchors;
	type OnNewRoot = ();
	type BlockHashProvider = pallet_mmr::DefaultBlockHashProvider<Runtime>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	/// Deposit for a validator's session keys: 1 IOT, returned when it purges them.
	pub const SessionKeyDeposit: Balance = UNIT;
}

/// Sessions of `pallet_validator_set::SessionLength` blocks, from block 0.
pub type Sessions =
	pallet_session::PeriodicSessions<pallet_validator_set::SessionLengthOf<Runtime>, ConstU32<0>>;

/// A validator is an account: the one that set its session keys.
impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = ValidatorSet;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// No offences are reported on this chain: nobody is disabled.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_validator_set::Config for Runtime {
	type ValidatorId = AccountId;
	type ValidatorSet = Session;
	type ValidatorRegistration = Session;
	type AddRemoveOrigin = EnsureRoot<AccountId>;
	type MinValidators = ConstU32<1>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	/// A minute: a rotation takes a whole block, so sessions are never shorter.
	type MinSessionLength = ConstU32<MINUTES>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::BenchmarkHelper;
}
