//! Storage migrations of the device registry.

use crate::*;

/// Version 1: device records gain [`DeviceInfo::custody`]. Every device registered before it
/// signed for itself, so each record becomes `Custody::Device`.
pub mod v1 {
	use super::*;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// A device record as version 0 stored it.
	#[derive(Encode, Decode)]
	pub struct DeviceInfoV0<T: Config> {
		pub(super) owner: T::AccountId,
		pub(super) key: T::AccountId,
		pub(super) status: DeviceStatus<BlockNumberFor<T>>,
		pub(super) metadata: DeviceMetadataOf<T>,
		pub(super) firmware: Option<H256>,
		pub(super) registered_at: BlockNumberFor<T>,
		pub(super) owner_since: BlockNumberFor<T>,
		pub(super) deposit: BalanceOf<T>,
		pub(super) transfer_offer: Option<TransferOffer<T::AccountId, BlockNumberFor<T>>>,
		pub(super) compromises: CompromisesOf<T>,
	}

	/// Rewrites every device record in one block: one read and one write per device, which
	/// the runtime upgrade's block must hold (fine for the device counts of today's networks; a
	/// registry of millions of devices needs a multi-block migration instead).
	pub struct UncheckedMigrateToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			v3::v2_layout::Devices::<T>::translate_values::<DeviceInfoV0<T>, _>(|v0| {
				translated = translated.saturating_add(1);
				Some(v3::DeviceInfoV2 { v0, custody: Custody::Device })
			});
			T::DbWeight::get().reads_writes(translated, translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Devices::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
			let after = v3::v2_layout::Devices::<T>::iter_values().count() as u64;
			ensure!(before == after, "device records were lost in the migration");
			Ok(())
		}
	}

	/// The migration to version 1, run only on a registry at version 0.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		UncheckedMigrateToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 2: the key and the owner of every `Active` device hold a statement allowance
/// ([`Config::StatementAllowance`]), so that registered devices can message each other through
/// the nodes' statement store. Records are unchanged.
pub mod v2 {
	use super::*;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};

	/// Grants the allowances, in one block: one read per device and two writes per active
	/// one (fine for today's registries, as [`super::v1`]).
	pub struct UncheckedMigrateToV2<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut read, mut written) = (0u64, 0u64);
			for device in v3::v2_layout::Devices::<T>::iter_values() {
				read = read.saturating_add(1);
				let device = DeviceInfo::from(device);
				if Pallet::<T>::statement_senders(&device).is_some() {
					Pallet::<T>::move_statement_allowances(None, Some(&device));
					written = written.saturating_add(2);
				}
			}
			T::DbWeight::get().reads_writes(read.saturating_add(written), written)
		}
	}

	/// The migration to version 2, run only on a registry at version 1.
	pub type MigrateToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 3: device records gain [`DeviceInfo::agreement_key`], the X25519 key messages to the
/// device are encrypted to. No device has one yet: every record gets `None`.
pub mod v3 {
	use super::*;
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, storage_alias,
		traits::UncheckedOnRuntimeUpgrade,
	};

	/// A device record as versions 1 and 2 stored it: version 0's, then the custody (SCALE
	/// encodes a nested struct as its fields, in order).
	#[derive(Encode, Decode)]
	pub struct DeviceInfoV2<T: Config> {
		pub(super) v0: v1::DeviceInfoV0<T>,
		pub(super) custody: Custody<T::AccountId>,
	}

	/// The storage of versions 1 and 2 (what the earlier migrations read and write).
	pub mod v2_layout {
		use super::*;

		/// [`crate::Devices`] with records in the version 1 and 2 layout.
		#[storage_alias]
		pub type Devices<T: Config> =
			StorageMap<Pallet<T>, Blake2_128Concat, DeviceId, DeviceInfoV2<T>>;
	}

	impl<T: Config> From<DeviceInfoV2<T>> for DeviceInfo<T> {
		fn from(DeviceInfoV2 { v0, custody }: DeviceInfoV2<T>) -> Self {
			DeviceInfo {
				owner: v0.owner,
				key: v0.key,
				status: v0.status,
				metadata: v0.metadata,
				firmware: v0.firmware,
				registered_at: v0.registered_at,
				owner_since: v0.owner_since,
				deposit: v0.deposit,
				transfer_offer: v0.transfer_offer,
				compromises: v0.compromises,
				custody,
				agreement_key: None,
			}
		}
	}

	/// Rewrites every device record in one block (as [`super::v1`]).
	pub struct UncheckedMigrateToV3<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			Devices::<T>::translate_values::<DeviceInfoV2<T>, _>(|old| {
				translated = translated.saturating_add(1);
				Some(old.into())
			});
			T::DbWeight::get().reads_writes(translated, translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((v2_layout::Devices::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("undecodable pre-upgrade state"))?;
			let after = Devices::<T>::iter_values().count() as u64;
			ensure!(before == after, "device records were lost in the migration");
			Pallet::<T>::do_try_state()
		}
	}

	/// The migration to version 3, run only on a registry at version 2.
	pub type MigrateToV3<T> = VersionedMigration<
		2,
		3,
		UncheckedMigrateToV3<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
