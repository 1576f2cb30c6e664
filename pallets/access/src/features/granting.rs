//! Granting and revoking, with the manager rules and the no-orphans cascade.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
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

	/// `who`'s active grant on `device_id` if it holds `Manage` on every stream.
	fn manager_grant(device_id: &DeviceId, who: &T::AccountId) -> Option<Grant<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		Grants::<T>::get(device_id, who)
			.filter(|g| g.is_active(now) && g.permissions.contains(Permission::Manage))
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

	pub(crate) fn do_grant(
		who: T::AccountId,
		device_id: DeviceId,
		grantee: T::AccountId,
		permissions: Permissions,
		stream: Option<StreamId>,
		expires_at: Option<BlockNumberFor<T>>,
		grantee_key: Option<[u8; 32]>,
	) -> DispatchResult {
		let owner = Self::owner(&device_id)?;
		ensure!(permissions.is_valid(), Error::<T>::InvalidPermissions);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(expires_at.is_none_or(|e| e > now), Error::<T>::ExpiryInPast);
		ensure!(grantee != owner, Error::<T>::GranteeIsOwner);
		Self::ensure_may_manage(&who, &owner, &device_id, permissions, stream, expires_at)?;

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
			Self::remove_with_dependents(&device_id, &grantee);
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
		GrantCount::<T>::mutate(device_id, |count| *count = count.saturating_add(1));

		Self::deposit_event(Event::Granted {
			device_id,
			grantee,
			permissions,
			stream,
			expires_at,
			granted_by: who,
		});
		Ok(())
	}

	pub(crate) fn do_revoke(
		who: T::AccountId,
		device_id: DeviceId,
		grantee: T::AccountId,
	) -> DispatchResult {
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
		Self::remove_with_dependents(&device_id, &grantee);
		Ok(())
	}

	pub(crate) fn do_renounce(who: T::AccountId, device_id: DeviceId) -> DispatchResult {
		ensure!(Grants::<T>::contains_key(device_id, &who), Error::<T>::NoGrant);
		Self::remove_with_dependents(&device_id, &who);
		Ok(())
	}

	/// Removes `grantee`'s grant on `device_id` and, transitively, every grant made by a
	/// removed grantee, returning each deposit to its payer.
	pub(crate) fn remove_with_dependents(device_id: &DeviceId, grantee: &T::AccountId) {
		let mut pending: Vec<T::AccountId> = alloc::vec![grantee.clone()];
		while let Some(next) = pending.pop() {
			if !Self::remove_grant(device_id, &next) {
				continue;
			}
			pending.extend(
				Grants::<T>::iter_prefix(device_id)
					.filter(|(_, grant)| grant.granted_by == next)
					.map(|(dependent, _)| dependent),
			);
			Self::deposit_event(Event::Revoked { device_id: *device_id, grantee: next });
		}
	}

	/// Removes one grant and returns its deposit; `false` if there was none.
	pub(crate) fn remove_grant(device_id: &DeviceId, grantee: &T::AccountId) -> bool {
		let Some(grant) = Grants::<T>::take(device_id, grantee) else { return false };
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
