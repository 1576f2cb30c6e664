//! Granting and revoking: the manager rule, the tree of grants and the no-orphans cascade.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	dispatch::DispatchResultWithPostInfo,
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// The owner of `device_id`, which must be registered.
	fn owner(device_id: &DeviceId) -> Result<T::AccountId, Error<T>> {
		T::Registry::owner_of(device_id).ok_or(Error::<T>::UnknownDevice)
	}

	/// `who`'s grant on `device_id` if it makes `who` a manager now ([`Grant::is_manager`]).
	pub(crate) fn manager_grant(device_id: &DeviceId, who: &T::AccountId) -> Option<Grant<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		Grants::<T>::get(device_id, who).filter(|grant| grant.is_manager(now))
	}

	/// Ensures `who` may make or revoke a grant of `permissions` on `stream` until
	/// `expires_at` on `device_id`: the owner, or a manager whose grant covers it.
	fn ensure_may_manage(
		who: &T::AccountId,
		owner: &T::AccountId,
		device_id: &DeviceId,
		permissions: Permissions,
		stream: Option<StreamId>,
		expires_at: Option<BlockNumberFor<T>>,
	) -> DispatchResult {
		if who == owner {
			return Ok(());
		}
		let grant = Self::manager_grant(device_id, who).ok_or(Error::<T>::NotAllowed)?;
		ensure!(grant.covers(permissions, stream, expires_at), Error::<T>::Escalation);
		Ok(())
	}

	/// Ensures `grantee` is neither `manager` nor an account `manager`'s grant derives from (a
	/// granter on its `granted_by` chain up to the owner): replacing such a grant would remove
	/// the very grant `manager` acts under and re-issue it from below, escaping the cascade.
	/// Returns how many grants it read: the chain is at most `MaxGrantsPerDevice` long, and the
	/// walk stops there whatever the storage says.
	fn ensure_not_circular(
		device_id: &DeviceId,
		grantee: &T::AccountId,
		manager: &T::AccountId,
	) -> Result<u32, Error<T>> {
		let mut current = manager.clone();
		for read in 0..=T::MaxGrantsPerDevice::get() {
			ensure!(current != *grantee, Error::<T>::CircularGrant);
			match Grants::<T>::get(device_id, &current) {
				Some(grant) => current = grant.granted_by,
				None => return Ok(read),
			}
		}
		Ok(T::MaxGrantsPerDevice::get())
	}

	pub(crate) fn do_grant(
		who: T::AccountId,
		device_id: DeviceId,
		grantee: T::AccountId,
		permissions: Permissions,
		stream: Option<StreamId>,
		expires_at: Option<BlockNumberFor<T>>,
		grantee_key: Option<[u8; 32]>,
	) -> DispatchResultWithPostInfo {
		let owner = Self::owner(&device_id)?;
		ensure!(permissions.is_valid(), Error::<T>::InvalidPermissions);
		ensure!(
			stream.is_none() || !permissions.contains(Permission::Manage),
			Error::<T>::ManageOnStream
		);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(expires_at.is_none_or(|e| e > now), Error::<T>::ExpiryInPast);
		ensure!(grantee != owner, Error::<T>::GranteeIsOwner);
		Self::ensure_may_manage(&who, &owner, &device_id, permissions, stream, expires_at)?;
		let mut touched =
			if who == owner { 0 } else { Self::ensure_not_circular(&device_id, &grantee, &who)? };

		// A replaced grant goes like a revoked one: the caller must be able to revoke it.
		if let Some(previous) = Grants::<T>::get(device_id, &grantee) {
			Self::ensure_may_manage(
				&who,
				&owner,
				&device_id,
				previous.permissions,
				previous.stream,
				previous.expires_at,
			)?;
			touched = touched.saturating_add(Self::remove_with_dependents(&device_id, &grantee));
		}
		ensure!(
			GrantCount::<T>::get(device_id) < T::MaxGrantsPerDevice::get(),
			Error::<T>::TooManyGrants
		);

		let deposit = T::GrantDeposit::get();
		T::Currency::hold(&HoldReason::GrantDeposit.into(), &who, deposit)?;
		Grants::<T>::insert(
			device_id,
			&grantee,
			Grant::<T> {
				permissions,
				stream,
				expires_at,
				grantee_key,
				granted_by: who.clone(),
				deposit,
			},
		);
		Dependents::<T>::insert((device_id, &who, &grantee), ());
		GrantCount::<T>::mutate(device_id, |count| *count = count.saturating_add(1));

		Self::deposit_event(Event::Granted {
			device_id,
			grantee,
			permissions,
			stream,
			expires_at,
			granted_by: who,
		});
		Ok(Some(T::WeightInfo::grant(touched)).into())
	}

	pub(crate) fn do_revoke(
		who: T::AccountId,
		device_id: DeviceId,
		grantee: T::AccountId,
	) -> DispatchResultWithPostInfo {
		let owner = Self::owner(&device_id)?;
		let grant = Grants::<T>::get(device_id, &grantee).ok_or(Error::<T>::NoGrant)?;
		Self::ensure_may_manage(
			&who,
			&owner,
			&device_id,
			grant.permissions,
			grant.stream,
			grant.expires_at,
		)?;
		let removed = Self::remove_with_dependents(&device_id, &grantee);
		Ok(Some(T::WeightInfo::revoke(removed)).into())
	}

	pub(crate) fn do_renounce(
		who: T::AccountId,
		device_id: DeviceId,
	) -> DispatchResultWithPostInfo {
		ensure!(Grants::<T>::contains_key(device_id, &who), Error::<T>::NoGrant);
		let removed = Self::remove_with_dependents(&device_id, &who);
		Ok(Some(T::WeightInfo::revoke(removed)).into())
	}

	/// Removes `grantee`'s grant on `device_id` and, transitively, every grant made by a
	/// removed grantee, returning each deposit to its payer. Reads only the grants it removes
	/// (through [`Dependents`]); returns how many it removed.
	pub(crate) fn remove_with_dependents(device_id: &DeviceId, grantee: &T::AccountId) -> u32 {
		let mut removed = 0u32;
		let mut pending: Vec<T::AccountId> = alloc::vec![grantee.clone()];
		while let Some(next) = pending.pop() {
			if !Self::remove_grant(device_id, &next) {
				continue;
			}
			removed = removed.saturating_add(1);
			pending.extend(Dependents::<T>::iter_key_prefix((*device_id, next.clone())));
			Self::deposit_event(Event::Revoked { device_id: *device_id, grantee: next });
		}
		removed
	}

	/// Removes one grant, its index entry, and returns its deposit; `false` if there was none.
	pub(crate) fn remove_grant(device_id: &DeviceId, grantee: &T::AccountId) -> bool {
		let Some(grant) = Grants::<T>::take(device_id, grantee) else { return false };
		Dependents::<T>::remove((device_id, &grant.granted_by, grantee));
		// The deposit was held when the grant was made; releasing at most that cannot fail
		// in a way the caller could act on, so a shortfall is released best-effort.
		let _ = T::Currency::release(
			&HoldReason::GrantDeposit.into(),
			&grant.granted_by,
			grant.deposit,
			Precision::BestEffort,
		);
		GrantCount::<T>::mutate_exists(device_id, |count| {
			*count = count.and_then(|c| c.checked_sub(1)).filter(|c| *c > 0);
		});
		true
	}

	/// Removes every grant on `device_id` (it retired or changed hands).
	pub(crate) fn remove_all(device_id: &DeviceId) {
		let grantees: Vec<T::AccountId> =
			Grants::<T>::iter_prefix(device_id).map(|(grantee, _)| grantee).collect();
		for grantee in grantees {
			if Self::remove_grant(device_id, &grantee) {
				Self::deposit_event(Event::Revoked { device_id: *device_id, grantee });
			}
		}
	}
}
