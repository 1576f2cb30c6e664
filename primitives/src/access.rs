//! Access grants: permission sets and what an access check answers.

use crate::Permission;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A set of [`Permission`]s, as bit flags: `READ` = 1, `WRITE` = 2, `MANAGE` = 4.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Permissions(pub u8);

impl Permissions {
	/// Read the device's data.
	pub const READ: Self = Self(1);
	/// Anchor data for the device.
	pub const WRITE: Self = Self(2);
	/// Manage grants and suspend or resume the device.
	pub const MANAGE: Self = Self(4);
	/// Every permission.
	pub const ALL: Self = Self(7);

	/// The flag of one permission.
	pub const fn of(permission: Permission) -> Self {
		match permission {
			Permission::Read => Self::READ,
			Permission::Write => Self::WRITE,
			Permission::Manage => Self::MANAGE,
		}
	}

	/// Whether the set holds `permission`.
	pub const fn contains(self, permission: Permission) -> bool {
		self.0 & Self::of(permission).0 != 0
	}

	/// Whether every permission of `self` is in `other`.
	pub const fn is_subset_of(self, other: Self) -> bool {
		self.0 & !other.0 == 0
	}

	/// Whether the set is empty or holds unknown bits.
	pub const fn is_valid(self) -> bool {
		self.0 != 0 && self.is_subset_of(Self::ALL)
	}
}

impl core::ops::BitOr for Permissions {
	type Output = Self;
	fn bitor(self, rhs: Self) -> Self {
		Self(self.0 | rhs.0)
	}
}

/// The answer of an access check, for off-chain data services.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct AccessDecision<BlockNumber> {
	/// Whether the access is allowed now.
	pub allowed: bool,
	/// The block the grant expires at (`None`: no expiry, or not allowed).
	pub expires_at: Option<BlockNumber>,
	/// The grantee's X25519 public key, to encrypt the data to it.
	pub grantee_key: Option<[u8; 32]>,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn permission_sets() {
		let rw = Permissions::READ | Permissions::WRITE;
		assert!(rw.contains(Permission::Read) && rw.contains(Permission::Write));
		assert!(!rw.contains(Permission::Manage));
		assert!(Permissions::READ.is_subset_of(rw));
		assert!(!Permissions::MANAGE.is_subset_of(rw));
		assert!(rw.is_valid() && Permissions::ALL.is_valid());
		assert!(!Permissions(0).is_valid() && !Permissions(8).is_valid());
	}
}
