//! # Access pallet
//!
//! Owners decide who may read, write or manage a device's data. The chain enforces write
//! rights itself (`pallet-anchors` asks [`AccessControl`] before a gateway anchors) and answers
//! read-right questions for off-chain data services (the `AccessApi` runtime API).
//!
//! ## Model
//!
//! A [`Grant`] is keyed by (device, grantee account): a set of [`Permissions`] (`READ`,
//! `WRITE`, `MANAGE`), optionally limited to one stream, optionally expiring at a block, with
//! the grantee's X25519 key for encrypting data to it. The account that granted it pays a
//! deposit ([`Config::GrantDeposit`]), returned when the grant goes.
//!
//! - Expiry is enforced at every check: a grant gives nothing from its `expires_at` block on,
//!   even before it is cleaned up. Expired grants are removed in bounded `on_idle` work, their
//!   deposit returned to whoever paid it.
//! - **Managers.** One rule, [`Grant::is_manager`]: a manager holds an unexpired grant with
//!   `MANAGE`, and `MANAGE` is always device-wide (a grant of `MANAGE` limited to one stream is
//!   refused, [`Error::ManageOnStream`]). The owner may grant anything. A manager may grant
//!   only what it holds: no permission it lacks, no wider stream, no later expiry (or no
//!   expiry when its own expires). It may revoke the grants it could have made, and suspend the
//!   device or resume what a manager suspended (through the registry), but never transfer,
//!   retire or rotate it.
//! - **Grants form a tree rooted at the owner.** Every grant's `granted_by` is the owner or a
//!   manager whose grant covers it. A manager cannot grant to itself or to any account its own
//!   grant derives from ([`Error::CircularGrant`]), so no grant can be re-issued to escape the
//!   cascade below, and no cycle can form.
//! - **No orphans.** When a grant is revoked, renounced or replaced, every grant its holder
//!   made on the device goes with it, transitively, with their deposits returned. Each grant is
//!   indexed under its granter ([`Dependents`]), so a cascade reads only the grants it removes
//!   (linear in their number), and the unused part of the call's weight is refunded. Expiry
//!   needs no cascade: a grant never outlives the manager that made it.
//! - A device that retires or changes hands loses all its grants ([`DeviceLifecycleHooks`]).
//! - At most [`Config::MaxGrantsPerDevice`] grants per device (a per-device, not chain-wide,
//!   bound), which bounds the work of a cascade or a retirement.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod features;
mod impls;
mod invariants;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use iotchain_primitives::{
	AccessControl, AccessDecision, DeviceId, DeviceLifecycleHooks, DeviceRegistry, Permission,
	Permissions, StreamId,
};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use polkadot_sdk::{frame_support, frame_system, sp_runtime};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, MutateHold},
	};
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency the deposits are held in.
		type Currency: Inspect<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The device registry: who owns a device.
		type Registry: DeviceRegistry<Self::AccountId, BlockNumberFor<Self>>;

		/// The deposit held for each grant from the account that made it.
		#[pallet::constant]
		type GrantDeposit: Get<BalanceOf<Self>>;

		/// The maximum number of grants on one device.
		#[pallet::constant]
		type MaxGrantsPerDevice: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes the devices the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// The reasons this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a grant.
		#[codec(index = 0)]
		GrantDeposit,
	}

	/// The grants on each device, by grantee.
	#[pallet::storage]
	pub type Grants<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, DeviceId, Blake2_128Concat, T::AccountId, Grant<T>>;

	/// The grants on each device indexed by who made them: (device, granter, grantee). Lets a
	/// cascade find the grants a removed grantee made without reading the device's others.
	#[pallet::storage]
	pub type Dependents<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, DeviceId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		(),
	>;

	/// The number of grants on each device.
	#[pallet::storage]
	pub type GrantCount<T: Config> = StorageMap<_, Blake2_128Concat, DeviceId, u32, ValueQuery>;

	/// Where the `on_idle` clean-up of expired grants goes on from (a raw storage key).
	#[pallet::storage]
	pub type CleanupCursor<T: Config> = StorageValue<_, BoundedVec<u8, ConstU32<256>>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `grantee` received (or had replaced) a grant on the device.
		Granted {
			device_id: DeviceId,
			grantee: T::AccountId,
			permissions: Permissions,
			stream: Option<StreamId>,
			expires_at: Option<BlockNumberFor<T>>,
			granted_by: T::AccountId,
		},
		/// A grant was removed (revoked, renounced, cascaded from its granter's removal, or
		/// dropped with the device) and its deposit returned.
		Revoked { device_id: DeviceId, grantee: T::AccountId },
		/// An expired grant was cleaned up and its deposit returned.
		Expired { device_id: DeviceId, grantee: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The device is not registered (or retired).
		UnknownDevice,
		/// The permissions are empty or hold unknown bits.
		InvalidPermissions,
		/// The expiry block is not in the future.
		ExpiryInPast,
		/// The owner needs no grant.
		GranteeIsOwner,
		/// Only the owner or a manager of the device may do this.
		NotAllowed,
		/// A manager may not grant or revoke more than it holds: permissions, stream or expiry.
		Escalation,
		/// The device has `MaxGrantsPerDevice` grants already.
		TooManyGrants,
		/// The account has no grant on the device.
		NoGrant,
		/// `MANAGE` is a right over the whole device: it cannot be limited to one stream.
		ManageOnStream,
		/// A manager cannot grant to itself, nor to an account its own grant derives from.
		CircularGrant,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Removes expired grants, as many as the block's spare weight allows, and returns
		/// their deposits.
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::clean_up_expired(now, remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Grant `permissions` on `device_id` to `grantee`: on one `stream` or all (`None`;
		/// `MANAGE` is always on all), until `expires_at` (the first block it no longer counts)
		/// or revoked, with the grantee's X25519 `grantee_key`. Replaces the grantee's previous
		/// grant, and removes the grants that one made.
		///
		/// By the owner, or a manager within its own grant and never to itself or an account its
		/// grant derives from. Holds `GrantDeposit` from the caller.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::grant(T::MaxGrantsPerDevice::get()))]
		pub fn grant(
			origin: OriginFor<T>,
			device_id: DeviceId,
			grantee: T::AccountId,
			permissions: Permissions,
			stream: Option<StreamId>,
			expires_at: Option<BlockNumberFor<T>>,
			grantee_key: Option<[u8; 32]>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_grant(who, device_id, grantee, permissions, stream, expires_at, grantee_key)
		}

		/// Revoke `grantee`'s grant on `device_id`, and every grant it made there. By the owner
		/// or a manager that could have made the grant. Deposits are returned to their payers.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::revoke(T::MaxGrantsPerDevice::get()))]
		pub fn revoke(
			origin: OriginFor<T>,
			device_id: DeviceId,
			grantee: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_revoke(who, device_id, grantee)
		}

		/// Drop the caller's own grant on `device_id` (and every grant it made there).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::revoke(T::MaxGrantsPerDevice::get()))]
		pub fn renounce(origin: OriginFor<T>, device_id: DeviceId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_renounce(who, device_id)
		}
	}
}
