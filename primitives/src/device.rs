//! Device identity: ids, lifecycle status and the proof-of-possession payloads.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_core::H256;
use scale_info::TypeInfo;

/// A device's stable identity. Chosen by the owner at registration (for example the hash of a
/// serial number) and kept across key rotations and ownership transfers.
pub type DeviceId = H256;

/// A device's lifecycle status.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum DeviceStatus<BlockNumber> {
	/// The device may act: its key signs extrinsics on its behalf.
	Active,
	/// Paused by its owner; can be resumed.
	Suspended,
	/// Its key is known or suspected to be in an attacker's hands since block `since`. The device
	/// cannot act until its owner rotates the key; data anchored from `since` on is suspect.
	Compromised {
		/// The first block from which the device's key may have been misused.
		since: BlockNumber,
	},
	/// Taken out of service for good. Neither its id nor any key it ever had can be registered
	/// again.
	Retired,
}

/// Domain separation tag of [`RegistrationPayload`].
pub const REGISTRATION_DOMAIN: [u8; 24] = *b"iotchain:device:register";
/// Domain separation tag of [`RotationPayload`].
pub const ROTATION_DOMAIN: [u8; 22] = *b"iotchain:device:rotate";

/// What a device key signs to prove, at registration, that the owner holds the device: it
/// binds the chain (genesis hash), the owner, the device id and the key, so the signature cannot
/// be replayed on another chain, for another owner, or for another device.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct RegistrationPayload<Hash, AccountId> {
	/// Genesis hash of the chain the registration is meant for.
	pub genesis_hash: Hash,
	/// The account that will own the device.
	pub owner: AccountId,
	/// The id the device is registered under.
	pub device_id: DeviceId,
	/// The device's key (as an account).
	pub key: AccountId,
}

impl<Hash: Encode, AccountId: Encode> RegistrationPayload<Hash, AccountId> {
	/// The exact bytes the device key signs: the domain tag followed by the SCALE encoding.
	pub fn signing_bytes(&self) -> Vec<u8> {
		(REGISTRATION_DOMAIN, self).encode()
	}
}

/// What a device's new key signs to prove possession when the key is rotated: it binds the
/// chain, the device, the key being replaced and the new key, so a rotation proof is good for
/// exactly one transition.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct RotationPayload<Hash, AccountId> {
	/// Genesis hash of the chain the rotation is meant for.
	pub genesis_hash: Hash,
	/// The device whose key is rotated.
	pub device_id: DeviceId,
	/// The key being replaced.
	pub old_key: AccountId,
	/// The key taking over.
	pub new_key: AccountId,
}

impl<Hash: Encode, AccountId: Encode> RotationPayload<Hash, AccountId> {
	/// The exact bytes the new key signs: the domain tag followed by the SCALE encoding.
	pub fn signing_bytes(&self) -> Vec<u8> {
		(ROTATION_DOMAIN, self).encode()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::{sp_keyring::Sr25519Keyring, sp_runtime::AccountId32};

	#[test]
	fn signing_bytes_are_tag_then_scale() {
		let payload = RegistrationPayload {
			genesis_hash: H256::repeat_byte(1),
			owner: Sr25519Keyring::Alice.to_account_id(),
			device_id: H256::repeat_byte(2),
			key: Sr25519Keyring::Bob.to_account_id(),
		};
		let bytes = payload.signing_bytes();
		assert_eq!(bytes.len(), 24 + 4 * 32);
		assert_eq!(&bytes[..24], b"iotchain:device:register");
		assert_eq!(&bytes[24..], &payload.encode()[..]);
	}

	#[test]
	fn a_rotation_proof_cannot_pass_for_a_registration_proof() {
		// Chosen so that both payloads have byte-identical SCALE encodings.
		let (a, b, d) = ([0xaa; 32], [0xbb; 32], [0xdd; 32]);
		let registration = RegistrationPayload::<H256, AccountId32> {
			genesis_hash: H256::repeat_byte(1),
			owner: d.into(),
			device_id: H256(a),
			key: b.into(),
		};
		let rotation = RotationPayload::<H256, AccountId32> {
			genesis_hash: H256::repeat_byte(1),
			device_id: H256(d),
			old_key: a.into(),
			new_key: b.into(),
		};
		assert_eq!(registration.encode(), rotation.encode());
		assert_ne!(registration.signing_bytes(), rotation.signing_bytes());
	}
}
