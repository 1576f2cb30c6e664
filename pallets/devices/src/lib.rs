//! # Devices pallet
//!
//! The device registry of iotchain: the root of trust for everything devices do on chain.
//!
//! A device is on chain only if it proved it holds its key. The owner registers it with a
//! signature *made by the device key* over a [`RegistrationPayload`] that binds the chain's
//! genesis hash, the owner and the key: nobody can register somebody else's device key, and a
//! proof cannot be replayed on another chain or for another owner.
//!
//! ## Model
//!
//! - A device has a stable [`DeviceId`], derived from its first key ([`device_id_of`]:
//!   `blake2_256("iotchain:device:id" ‖ key)`) and kept across key rotations and transfers, and
//!   a current key, an account ([`frame_system::Config::AccountId`]; sr25519, ed25519 or ecdsa
//!   through `MultiSigner`). Because the id comes from the key, only the key's holder can make
//!   it exist, and nobody can register or tombstone another device's id ahead of it (serial
//!   numbers go into the metadata). [`DeviceByKey`] maps each current key to its device, so an
//!   extrinsic signed by a device key resolves to the device
//!   ([`DeviceRegistry::device_of_key`]).
//! - The registry gives each device key account a *sufficient reference*: the account exists
//!   with zero balance and can sign its own extrinsics (other pallets decide which ones it may
//!   send for free). The reference moves with key rotation and goes on retirement. Dropping a
//!   sufficient reference cannot fail, so nothing the key account holds or does (funds, holds,
//!   consumers) can stop its owner from rotating the key or retiring the device.
//! - Status ([`DeviceStatus`]): `Active`; `Suspended { by }` (by the owner, a manager, or a
//!   transfer, see below); `Compromised { since }` (the owner reports the key leaked; what the
//!   device did from `since` on is suspect, and it cannot act until the key is rotated); and
//!   `Retired` (final).
//! - Custody ([`Custody`]): who holds the device's key, as the owner declares it. `Device` (the
//!   default) when the device signs for itself; `Gateway { account }` for a key-less sensor
//!   whose readings a gateway receives and anchors with its `Write` grant. The anchors pallet
//!   records the custody in every anchor, so a verifier learns whether a reading was signed by
//!   the device or vouched for by a gateway. It stays through transfers and key rotations until
//!   the owner declares otherwise.
//! - Messages ([`Config::StatementAllowance`]): while a device is `Active`, its key and its
//!   owner may post statements (signed, encrypted device-to-device messages) to the nodes'
//!   statement store, within the allowance this pallet keeps in state for each of them; any
//!   other status takes it back, and the nodes refuse and evict their statements. Messages to
//!   a device are encrypted to its *key-agreement key* (X25519), which the owner or the device
//!   declares ([`set_agreement_key`](Pallet::set_agreement_key)) and which a key rotation
//!   clears: whoever held the old key may hold that secret too.
//! - Retirement removes the record and leaves a tombstone: a retired device id, and every key a
//!   device ever had, can never be registered again ([`RetiredDevices`], [`RetiredKeys`]).
//!
//! ## Rules that hold against an adversary
//!
//! - **Suspension remembers who suspended.** A device the owner suspended is resumed only by the
//!   owner; one a manager suspended, by the owner or any manager.
//! - **A transfer takes the key out of play.** Transfer offers expire after
//!   [`Config::TransferOfferPeriod`] blocks. When the new owner accepts, the device is
//!   `Suspended { by: Transfer }`: the previous owner may still hold the device key, so the
//!   device cannot anchor (nor rotate its own key) until the new owner rotates the key
//!   ([`rotate_key`](Pallet::rotate_key), which makes it active) or explicitly keeps it
//!   ([`resume`](Pallet::resume)). A device compromised at transfer stays compromised.
//! - **Compromise reports cannot reach into somebody else's time.** `since` must be at or after
//!   the latest of: the block the current owner took the device over (registration or
//!   accepted transfer), and the end of the previous compromise window.
//! - **A report is never refused for lack of room.** The history keeps
//!   [`Config::MaxCompromises`] windows; when full, the two oldest merge into one spanning both
//!   (the gap between them included), so no reading made inside a reported window ever
//!   verifies as not suspect.
//! - **Bytes are bounded before the pool.** Metadata fields are bounded vectors in the call
//!   itself: an oversized call does not decode.
//! - The owner pays a deposit for the record, held with the `fungible` hold API
//!   ([`HoldReason::DeviceDeposit`]): [`Config::DepositBase`] plus [`Config::DepositPerByte`]
//!   for each metadata byte. It follows metadata changes, moves to the new owner on a transfer,
//!   and is returned in full on retirement.
//!
//! ## Calls
//!
//! | call | who | does |
//! |---|---|---|
//! | [`register`](Pallet::register) | owner | registers a device (id from its key) with proof of possession |
//! | [`rotate_key`](Pallet::rotate_key) | owner, or the active device | replaces the key |
//! | [`transfer_ownership`](Pallet::transfer_ownership) | owner | offers the device to another account |
//! | [`accept_ownership`](Pallet::accept_ownership) | offered account | takes the device over |
//! | [`cancel_transfer`](Pallet::cancel_transfer) | owner or offered account | withdraws the offer |
//! | [`update_metadata`](Pallet::update_metadata) | owner | replaces the metadata |
//! | [`set_firmware`](Pallet::set_firmware) | owner | declares the firmware hash |
//! | [`set_custody`](Pallet::set_custody) | owner | declares who holds the key: the device or a gateway |
//! | [`set_agreement_key`](Pallet::set_agreement_key) | owner, or the active device | declares (or clears) the X25519 key messages to the device are encrypted to |
//! | [`suspend`](Pallet::suspend) | owner or manager | pauses |
//! | [`resume`](Pallet::resume) | owner, or a manager if a manager suspended | resumes (after a transfer: keeps the key) |
//! | [`report_compromised`](Pallet::report_compromised) | owner | marks the key compromised |
//! | [`retire`](Pallet::retire) | owner | retires the device for good |
//!
//! ## Seams
//!
//! Other pallets see the registry through [`DeviceRegistry`] (implemented here) and learn of
//! transfers and retirements through [`Config::LifecycleHooks`]; the registry asks
//! [`Config::Managers`] who manages a device.
//!
//! ## Storage growth
//!
//! A device record is at most `DeviceInfo::max_encoded_len()` bytes, paid for by the deposit.
//! Tombstones (a few dozen bytes per retired device and per replaced key) are kept forever,
//! which is what makes re-registration impossible; they are paid for by the fees of `retire`
//! and `rotate_key`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod common_functions;
mod features;
mod impls;
mod invariants;
pub use impls::MAX_DEVICES_PER_PAGE;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use iotchain_primitives::{
	device_id_of, AccessControl, Custody, DeviceId, DeviceLifecycleHooks, DeviceRegistry,
	DeviceStatus, RegistrationPayload, RotationPayload, SuspendedBy,
};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

pub use polkadot_sdk::sp_statement_store::StatementAllowance;
use polkadot_sdk::{frame_support, frame_system, sp_core::H256, sp_runtime};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{IdentifyAccount, Verify};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency the deposits are held in.
		type Currency: Inspect<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The deposit held for every device record, whatever its metadata.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;

		/// The deposit held for each byte of a device's metadata.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// The maximum length, in bytes, of each metadata field (model, manufacturer, label).
		#[pallet::constant]
		type StringLimit: Get<u32>;

		/// How many compromise windows are kept per device (at least 1). Beyond this, the two
		/// oldest are merged into one that spans both.
		#[pallet::constant]
		type MaxCompromises: Get<u32>;

		/// How many blocks a transfer offer stays open.
		#[pallet::constant]
		type TransferOfferPeriod: Get<BlockNumberFor<Self>>;

		/// The signature a device key makes over a registration or rotation payload.
		type DeviceSignature: Verify<Signer = Self::DeviceSigner> + Parameter;

		/// The public key behind [`Config::DeviceSignature`], identifying an account.
		type DeviceSigner: IdentifyAccount<AccountId = Self::AccountId>;

		/// What an Active device may keep in every node's statement store (number of
		/// statements and bytes of data), for device-to-device messages: its key holds it, and
		/// its owner holds it once more per Active device. A device that is suspended,
		/// compromised or retired gives it back, so the nodes refuse (and evict) its statements.
		/// [`Config::DepositBase`] should pay for it (the bytes, twice: key and owner).
		#[pallet::constant]
		type StatementAllowance: Get<StatementAllowance>;

		/// What other pallets do when a device changes hands or retires.
		type LifecycleHooks: DeviceLifecycleHooks<Self::AccountId>;

		/// Who besides the owner manages a device: managers may suspend and resume it (and
		/// nothing else here: not transfer, retire, rotate keys or report compromise).
		type Managers: AccessControl<Self::AccountId, BlockNumberFor<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes device keys and their proofs for the benchmarks (`()` for `AccountId32`
		/// accounts and `MultiSignature` proofs).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId, Self::DeviceSignature>;
	}

	/// The reasons this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a device record.
		#[codec(index = 0)]
		DeviceDeposit,
	}

	/// The registered devices (retired ones are removed and tombstoned in [`RetiredDevices`]).
	#[pallet::storage]
	pub type Devices<T: Config> = StorageMap<_, Blake2_128Concat, DeviceId, DeviceInfo<T>>;

	/// The device each current device key belongs to.
	#[pallet::storage]
	pub type DeviceByKey<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, DeviceId>;

	/// The devices of each owner (an index for listing; the record is in [`Devices`]).
	#[pallet::storage]
	pub type DevicesOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		DeviceId,
		(),
		OptionQuery,
	>;

	/// Tombstones of retired devices: their id can never be registered again. Keeps the
	/// compromise history, so what a retired device did while compromised stays suspect.
	#[pallet::storage]
	pub type RetiredDevices<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, RetiredDevice<T>>;

	/// Tombstones of keys that were replaced or whose device retired, with the device they
	/// belonged to: such a key can never be registered again.
	#[pallet::storage]
	pub type RetiredKeys<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, DeviceId>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A device was registered.
		Registered {
			device_id: DeviceId,
			owner: T::AccountId,
			key: T::AccountId,
			deposit: BalanceOf<T>,
		},
		/// A device's key was replaced; the old key is tombstoned and the key-agreement key
		/// cleared. A compromised device is active again.
		KeyRotated { device_id: DeviceId, old_key: T::AccountId, new_key: T::AccountId },
		/// The owner offered the device to `to`; it changes hands when `to` accepts, before
		/// block `expires_at`.
		TransferOffered {
			device_id: DeviceId,
			from: T::AccountId,
			to: T::AccountId,
			expires_at: BlockNumberFor<T>,
		},
		/// A pending transfer was withdrawn or declined.
		TransferCancelled { device_id: DeviceId },
		/// The device changed hands; the deposit is now held from the new owner. The device is
		/// suspended until the new owner rotates its key or resumes it.
		OwnershipTransferred {
			device_id: DeviceId,
			from: T::AccountId,
			to: T::AccountId,
			deposit: BalanceOf<T>,
		},
		/// The device's metadata was replaced; the deposit was adjusted to it.
		MetadataUpdated { device_id: DeviceId, deposit: BalanceOf<T> },
		/// The device's declared firmware changed. The firmware history is this event's history.
		FirmwareUpdated { device_id: DeviceId, old: Option<H256>, new: H256 },
		/// The device was suspended by `by`, its owner or a manager.
		Suspended { device_id: DeviceId, by: T::AccountId },
		/// The device was resumed by `by`, its owner or a manager.
		Resumed { device_id: DeviceId, by: T::AccountId },
		/// The owner declared who holds the device's key from now on.
		CustodySet { device_id: DeviceId, custody: Custody<T::AccountId> },
		/// The device's key-agreement key (X25519, for messages to it) was set, or cleared
		/// (`None`).
		AgreementKeySet { device_id: DeviceId, key: Option<AgreementKey> },
		/// The owner reported the device's key compromised from block `since` on.
		Compromised { device_id: DeviceId, since: BlockNumberFor<T> },
		/// The device was retired for good and its deposit returned to its owner.
		Retired { device_id: DeviceId, owner: T::AccountId, deposit_returned: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No device is registered under this id.
		UnknownDevice,
		/// The device is retired; retired devices cannot be changed or registered again.
		DeviceRetired,
		/// The key is the current key of a device.
		KeyInUse,
		/// The key belonged to a device before (replaced or retired) and can never be used again.
		KeyRetired,
		/// The proof is not the key's signature over the expected payload (wrong key, owner,
		/// device, chain or payload).
		BadProof,
		/// Only the device's owner may do this.
		NotOwner,
		/// Only the device's owner or a manager of the device may do this.
		NotOwnerOrManager,
		/// Only the device's owner or its (active) device key may do this.
		NotOwnerOrDevice,
		/// The device is not active.
		NotActive,
		/// The device is not suspended.
		NotSuspended,
		/// The owner suspended the device, or it changed hands: only the owner may resume it.
		SuspendedByOwner,
		/// The device is already reported compromised; rotate its key first.
		AlreadyCompromised,
		/// A compromise cannot start in the future.
		SinceInFuture,
		/// A compromise cannot start before the current owner took the device over, nor before
		/// the end of the previous compromise window.
		SinceTooEarly,
		/// The account already owns the device.
		AlreadyOwner,
		/// The device is not offered to anybody.
		NoPendingTransfer,
		/// The device is offered to another account.
		NotPendingOwner,
		/// The transfer offer expired; the owner may make a new one.
		TransferExpired,
		/// A gateway holds the key of a key-less sensor: it cannot be the device's own key.
		GatewayIsDeviceKey,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxCompromises::get() >= 1, "MaxCompromises must keep at least one window");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the device whose key is `key`, owned by the caller, under the id
		/// [`device_id_of`]`(key)`.
		///
		/// `proof` is `key`'s signature over [`RegistrationPayload`] (genesis hash, caller,
		/// `key`), proving the caller holds the device. Holds the deposit (`DepositBase` +
		/// `DepositPerByte` × metadata bytes) from the caller and gives the key account a
		/// sufficient reference, so a zero-balance device can sign extrinsics.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			key: T::AccountId,
			proof: T::DeviceSignature,
			metadata: DeviceMetadataOf<T>,
			firmware: Option<H256>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register(owner, key, proof, metadata, firmware)
		}

		/// Replace the key of `device_id` with `new_key`; the old key is tombstoned and can no
		/// longer act for the device.
		///
		/// Called by the owner (in any status and whatever the old key's account holds; this is
		/// how a compromised device, or one that just changed hands, becomes active again) or
		/// by the current device key while the device is active. `proof` is `new_key`'s
		/// signature over [`RotationPayload`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::rotate_key())]
		pub fn rotate_key(
			origin: OriginFor<T>,
			device_id: DeviceId,
			new_key: T::AccountId,
			proof: T::DeviceSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_rotate_key(who, device_id, new_key, proof)
		}

		/// Offer `device_id` to `new_owner`, for `TransferOfferPeriod` blocks. Nothing changes
		/// until `new_owner` accepts with [`accept_ownership`](Pallet::accept_ownership). A new
		/// offer replaces a pending one.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::transfer_ownership())]
		pub fn transfer_ownership(
			origin: OriginFor<T>,
			device_id: DeviceId,
			new_owner: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_transfer_ownership(who, device_id, new_owner)
		}

		/// Accept the device offered to the caller, before the offer expires. The previous
		/// owner's deposit is released and the deposit is held from the caller instead; other
		/// pallets drop what they granted on the device (e.g. access grants). The device is
		/// `Suspended { by: Transfer }` (unless compromised) until the caller rotates its key
		/// or resumes it.
		#[pallet::call_index(3)]
		#[pallet::weight(
			T::WeightInfo::accept_ownership().saturating_add(T::LifecycleHooks::max_weight())
		)]
		pub fn accept_ownership(origin: OriginFor<T>, device_id: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_ownership(who, device_id)
		}

		/// Withdraw (owner) or decline (offered account) a pending transfer.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_transfer())]
		pub fn cancel_transfer(origin: OriginFor<T>, device_id: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_transfer(who, device_id)
		}

		/// Replace the metadata of a device. The deposit is adjusted to the new size: the owner
		/// pays for more bytes, and gets back what fewer bytes no longer need.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::update_metadata())]
		pub fn update_metadata(
			origin: OriginFor<T>,
			device_id: DeviceId,
			metadata: DeviceMetadataOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_metadata(who, device_id, metadata)
		}

		/// Declare the hash of the firmware the device runs. The event carries the old and the
		/// new hash, so the chain's events are the device's firmware history.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_firmware())]
		pub fn set_firmware(
			origin: OriginFor<T>,
			device_id: DeviceId,
			firmware: H256,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_firmware(who, device_id, firmware)
		}

		/// Suspend an active device: it cannot act until resumed. By the owner or a manager.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(origin: OriginFor<T>, device_id: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_suspend(who, device_id)
		}

		/// Resume a suspended device. By the owner; by a manager only if a manager suspended it.
		/// After a transfer, the new owner resuming keeps the device's current key.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>, device_id: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_resume(who, device_id)
		}

		/// Report the device's key compromised from block `since` on: at most the current block,
		/// and not before the caller took the device over or the previous compromise window
		/// ended. The device cannot act until its owner rotates the key, and whatever it did
		/// from `since` until the rotation is reported as suspect. Never refused for lack of
		/// room: the oldest windows merge.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::report_compromised())]
		pub fn report_compromised(
			origin: OriginFor<T>,
			device_id: DeviceId,
			since: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_report_compromised(who, device_id, since)
		}

		/// Declare who holds the device's key: `Device` when the device signs for itself,
		/// `Gateway { account }` when `account` anchors the readings of a key-less sensor (it
		/// needs a `Write` grant to do so). Every anchor from now on records it. By the owner.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_custody())]
		pub fn set_custody(
			origin: OriginFor<T>,
			device_id: DeviceId,
			custody: Custody<T::AccountId>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_custody(who, device_id, custody)
		}

		/// Declare the X25519 public key that messages to `device_id` are encrypted to, or clear
		/// it with `None`. By the owner, or by the device's key while the device is active.
		/// Rotating the device's key clears it, so a rotation is followed by a new one.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_agreement_key())]
		pub fn set_agreement_key(
			origin: OriginFor<T>,
			device_id: DeviceId,
			key: Option<AgreementKey>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_agreement_key(who, device_id, key)
		}

		/// Retire the device for good: its deposit is returned, its key loses its sufficient
		/// reference, and its id and key are tombstoned (never registrable again). Other pallets
		/// drop what they granted on the device.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::retire().saturating_add(T::LifecycleHooks::max_weight()))]
		pub fn retire(origin: OriginFor<T>, device_id: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_retire(who, device_id)
		}
	}
}
