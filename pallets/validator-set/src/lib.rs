//! # Validator set pallet
//!
//! Who authors blocks (Aura) and votes on finality (GRANDPA), changed while the chain runs,
//! without a runtime upgrade.
//!
//! `pallet-session` does the work: it keeps each validator's session keys (set by the validator
//! with `session.set_keys`, after `author_rotateKeysWithOwner` on its node), rotates sessions
//! every [`SessionLength`] blocks, and hands each new set to Aura and GRANDPA. This pallet is its
//! [`SessionManager`]: it decides the set.
//!
//! ## Model
//!
//! - [`Validators`] is the set that sessions will use once the changes made so far take effect:
//!   at genesis the set `pallet-session` starts with (its `keys`), then changed by
//!   [`Config::AddRemoveOrigin`] (sudo, or a collective) with [`Pallet::add_validator`] and
//!   [`Pallet::remove_validator`].
//! - A change takes effect at a session boundary: at the next rotation the changed set is
//!   planned for the session after, so a validator added or removed during session `n` authors
//!   from (or stops at) the start of session `n + 2`, between one and two sessions later.
//! - Only a validator whose session keys are set can be added ([`Error::NoSessionKeys`]): it
//!   could not author or vote otherwise. A validator that removes its keys later is left out of
//!   the sessions by `pallet-session` until it sets them again.
//! - The set never drops below [`Config::MinValidators`] nor grows beyond
//!   [`Config::MaxValidators`].
//! - [`SessionLength`] (blocks per session) is set at genesis and by the same origin with
//!   [`Pallet::set_session_length`]; the runtime reads it through [`SessionLengthOf`]. Every
//!   rotation takes a whole block's weight in `pallet-session`, so short sessions (a minute) suit
//!   test networks and long ones (hours) production.
//!
//! The pallet must come after `pallet-session` in the runtime: its genesis reads the set that
//! `pallet-session`'s genesis made.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod benchmarking;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use core::marker::PhantomData;
use polkadot_sdk::{frame_support, frame_system, pallet_session, sp_runtime, sp_staking};

use frame_support::traits::{Get, ValidatorRegistration, ValidatorSet};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_session::SessionManager;
use sp_staking::SessionIndex;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Zero;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// A validator's identifier (the runtime's `pallet_session::Config::ValidatorId`).
		type ValidatorId: Member + Parameter + MaxEncodedLen;

		/// The validators of the current session (`pallet-session`).
		type ValidatorSet: ValidatorSet<Self::AccountId, ValidatorId = Self::ValidatorId>;

		/// Whether a validator has set its session keys (`pallet-session`).
		type ValidatorRegistration: ValidatorRegistration<Self::ValidatorId>;

		/// Who may add and remove validators and set the session length.
		type AddRemoveOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The fewest validators the set may have.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// The most validators the set may have (at most what Aura and GRANDPA accept).
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The shortest session, in blocks (at least one).
		#[pallet::constant]
		type MinSessionLength: Get<BlockNumberFor<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes the validators the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::ValidatorId>;
	}

	/// The validators, with every change made so far: the set that sessions use once those
	/// changes take effect.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::ValidatorId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since a set was last planned for a session.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// The number of blocks in a session.
	#[pallet::storage]
	pub type SessionLength<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, T::MinSessionLength>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The number of blocks in a session (at least `MinSessionLength`).
		pub session_length: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self { session_length: T::MinSessionLength::get() }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				self.session_length >= T::MinSessionLength::get(),
				"genesis session length is below MinSessionLength"
			);
			SessionLength::<T>::put(self.session_length);
			let validators = BoundedVec::try_from(T::ValidatorSet::validators())
				.expect("genesis has more validators than MaxValidators");
			Validators::<T>::put(validators);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `validator` joins the set at the session after the next rotation.
		ValidatorAdded { validator: T::ValidatorId },
		/// `validator` leaves the set at the session after the next rotation.
		ValidatorRemoved { validator: T::ValidatorId },
		/// The changed set was planned: it validates from session `session_index` on.
		NewSetPlanned { session_index: SessionIndex, validators: Vec<T::ValidatorId> },
		/// Sessions are `length` blocks long from now on.
		SessionLengthSet { length: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The account has not set its session keys (`session.setKeys`).
		NoSessionKeys,
		/// The set has `MaxValidators` validators already.
		TooManyValidators,
		/// The set would have fewer than `MinValidators` validators.
		TooFewValidators,
		/// The session length is below `MinSessionLength`.
		SessionTooShort,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(!T::MinSessionLength::get().is_zero(), "MinSessionLength must be at least 1");
			assert!(T::MinValidators::get() >= 1, "MinValidators must be at least 1");
			assert!(
				T::MinValidators::get() <= T::MaxValidators::get(),
				"MinValidators must not exceed MaxValidators"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add `validator` to the set. It authors and votes from the session after the next
		/// rotation. Its session keys must be set (`session.setKeys`).
		///
		/// By `AddRemoveOrigin`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, validator: T::ValidatorId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			let mut validators = Validators::<T>::get();
			ensure!(!validators.contains(&validator), Error::<T>::AlreadyValidator);
			ensure!(T::ValidatorRegistration::is_registered(&validator), Error::<T>::NoSessionKeys);
			validators.try_push(validator.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(validators);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { validator });
			Ok(())
		}

		/// Remove `validator` from the set. It stops authoring and voting at the session after
		/// the next rotation; its session keys (and their deposit) stay until it purges them.
		///
		/// By `AddRemoveOrigin`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, validator: T::ValidatorId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			let mut validators = Validators::<T>::get();
			let index =
				validators.iter().position(|v| v == &validator).ok_or(Error::<T>::NotValidator)?;
			ensure!(
				validators.len() > T::MinValidators::get() as usize,
				Error::<T>::TooFewValidators
			);
			validators.remove(index);
			Validators::<T>::put(validators);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { validator });
			Ok(())
		}

		/// Make sessions `length` blocks long (at least `MinSessionLength`). The next rotation
		/// is at the next block number that `length` divides.
		///
		/// By `AddRemoveOrigin`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_session_length())]
		pub fn set_session_length(
			origin: OriginFor<T>,
			length: BlockNumberFor<T>,
		) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			ensure!(length >= T::MinSessionLength::get(), Error::<T>::SessionTooShort);
			SessionLength::<T>::put(length);
			Self::deposit_event(Event::SessionLengthSet { length });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants: the set has no duplicates and at least `MinValidators`
	/// validators; sessions are at least `MinSessionLength` blocks long.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let validators = Validators::<T>::get();
		frame_support::ensure!(
			validators.len() >= T::MinValidators::get() as usize,
			"fewer validators than MinValidators"
		);
		for (i, validator) in validators.iter().enumerate() {
			frame_support::ensure!(
				!validators.iter().skip(i + 1).any(|v| v == validator),
				"a validator is in the set twice"
			);
		}
		frame_support::ensure!(
			SessionLength::<T>::get() >= T::MinSessionLength::get(),
			"a session shorter than MinSessionLength"
		);
		Ok(())
	}
}

/// Plans the changed set, if it changed, for the session after the one starting.
impl<T: Config> SessionManager<T::ValidatorId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::ValidatorId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let validators = Validators::<T>::get().into_inner();
		Self::deposit_event(Event::NewSetPlanned {
			session_index: new_index,
			validators: validators.clone(),
		});
		Some(validators)
	}

	/// The genesis set is `pallet-session`'s own (its `keys`).
	fn new_session_genesis(_: SessionIndex) -> Option<Vec<T::ValidatorId>> {
		None
	}

	fn end_session(_: SessionIndex) {}

	fn start_session(_: SessionIndex) {}
}

/// [`SessionLength`] as a `Get`, for `pallet_session::PeriodicSessions`.
pub struct SessionLengthOf<T>(PhantomData<T>);

impl<T: Config> Get<BlockNumberFor<T>> for SessionLengthOf<T> {
	fn get() -> BlockNumberFor<T> {
		SessionLength::<T>::get()
	}
}
