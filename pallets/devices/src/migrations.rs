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
		owner: T::AccountId,
		key: T::AccountId,
		status: DeviceStatus<BlockNumberFor<T>>,
		metadata: DeviceMetadataOf<T>,
		firmware: Option<H256>,
		registered_at: BlockNumberFor<T>,
		owner_since: BlockNumberFor<T>,
		deposit: BalanceOf<T>,
		transfer_offer: Option<TransferOffer<T::AccountId, BlockNumberFor<T>>>,
		compromises: CompromisesOf<T>,
	}

	impl<T: Config> From<DeviceInfoV0<T>> for DeviceInfo<T> {
		fn from(old: DeviceInfoV0<T>) -> Self {
			DeviceInfo {
				owner: old.owner,
				key: old.key,
				status: old.status,
				metadata: old.metadata,
				firmware: old.firmware,
				registered_at: old.registered_at,
				owner_since: old.owner_since,
				deposit: old.deposit,
				transfer_offer: old.transfer_offer,
				compromises: old.compromises,
				custody: Custody::Device,
			}
		}
	}

	/// Rewrites every device record in one block: one read and one write per device, which
	/// the runtime upgrade's block must hold (fine for the device counts of today's networks; a
	/// registry of millions of devices needs a multi-block migration instead).
	pub struct UncheckedMigrateToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			Devices::<T>::translate_values::<DeviceInfoV0<T>, _>(|old| {
				translated = translated.saturating_add(1);
				Some(old.into())
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
			let after = Devices::<T>::iter_values().count() as u64;
			ensure!(before == after, "device records were lost in the migration");
			Pallet::<T>::do_try_state()
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
	use polkadot_sdk::sp_statement_store::increase_allowance_by;

	/// Grants the allowances, in one block: one read per device and two writes per active
	/// one (fine for today's registries, as [`super::v1`]).
	pub struct UncheckedMigrateToV2<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut read, mut written) = (0u64, 0u64);
			let per_device = T::StatementAllowance::get();
			for device in Devices::<T>::iter_values() {
				read = read.saturating_add(1);
				for who in Pallet::<T>::statement_senders(&device).into_iter().flatten() {
					increase_allowance_by(who.encode(), per_device.clone());
					written = written.saturating_add(1);
				}
			}
			T::DbWeight::get().reads_writes(read.saturating_add(written), written)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
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
