//! Types stored by the access pallet.

use crate::Config;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, traits::fungible};
use frame_system::pallet_prelude::BlockNumberFor;
use iotchain_primitives::{Permission, Permissions, StreamId};
use polkadot_sdk::*;
use scale_info::TypeInfo;

pub(crate) type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// What a grantee may do with a device's data.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Grant<T: Config> {
	/// The permissions granted (`READ` 1, `WRITE` 2, `MANAGE` 4).
	pub permissions: Permissions,
	/// The one stream the grant is limited to; `None`: every stream.
	pub stream: Option<StreamId>,
	/// The block from which the grant no longer counts; `None`: until revoked.
	pub expires_at: Option<BlockNumberFor<T>>,
	/// The grantee's X25519 public key, to encrypt the data to it.
	pub grantee_key: Option<[u8; 32]>,
	/// Who granted it (the owner or a manager) and paid its deposit.
	pub granted_by: T::AccountId,
	/// The deposit held from `granted_by`.
	pub deposit: BalanceOf<T>,
}

impl<T: Config> Grant<T> {
	/// Whether the grant counts at block `now`.
	pub fn is_active(&self, now: BlockNumberFor<T>) -> bool {
		self.expires_at.is_none_or(|expires_at| now < expires_at)
	}

	/// Whether the grant makes its holder a manager of the device at block `now`: it holds
	/// `MANAGE` (which is always device-wide) and has not expired. The one manager rule, used
	/// for granting, revoking and (through [`AccessControl::is_manager`]) suspending.
	///
	/// [`AccessControl::is_manager`]: iotchain_primitives::AccessControl::is_manager
	pub fn is_manager(&self, now: BlockNumberFor<T>) -> bool {
		self.is_active(now) && self.permissions.contains(Permission::Manage)
	}

	/// Whether the grant gives `permission` on `stream` at block `now`.
	pub fn allows(&self, stream: StreamId, permission: Permission, now: BlockNumberFor<T>) -> bool {
		self.is_active(now)
			&& self.permissions.contains(permission)
			&& self.stream.is_none_or(|s| s == stream)
	}

	/// Whether a manager holding this grant may make (or revoke) a grant of `permissions` on
	/// `stream` expiring at `expires_at`: no more permissions, no wider stream, no later expiry.
	pub fn covers(
		&self,
		permissions: Permissions,
		stream: Option<StreamId>,
		expires_at: Option<BlockNumberFor<T>>,
	) -> bool {
		let stream_within = match (self.stream, stream) {
			(None, _) => true,
			(Some(mine), Some(theirs)) => mine == theirs,
			(Some(_), None) => false,
		};
		let expiry_within = match (self.expires_at, expires_at) {
			(None, _) => true,
			(Some(mine), Some(theirs)) => theirs <= mine,
			(Some(_), None) => false,
		};
		permissions.is_subset_of(self.permissions) && stream_within && expiry_within
	}
}
