//! Device identity: ids, lifecycle status and the proof-of-possession payloads.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{sp_core::H256, sp_crypto_hashing::blake2_256};
use scale_info::TypeInfo;

/// A device's stable identity: [`device_id_of`] its first key. Kept across key rotations and
/// ownership transfers.
pub type DeviceId = H256;

/// Domain separation tag of [`device_id_of`].
pub const DEVICE_ID_DOMAIN: [u8; 18] = *b"iotchain:device:id";

/// The id of the device registered with `key` as its first key:
/// `blake2_256("iotchain:device:id" ‖ SCALE(key))`.
///
/// Deriving the id from the key means only the holder of that key can make the id exist (it
/// signs the registration) and nobody can claim or tombstone another device's id in advance.
/// Serial numbers and other names belong in the device's metadata.
pub fn device_id_of<AccountId: Encode>(key: &AccountId) -> DeviceId {
	H256(blake2_256(&(DEVICE_ID_DOMAIN, key).encode()))
}

/// Who suspended a device, which decides who may resume it.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum SuspendedBy {
	/// The owner: only the owner may resume.
	Owner,
	/// A manager: the owner or any manager may resume.
	Manager,
	/// A change of owner: the previous owner may still hold the device key. The new owner
	/// rotates the key, or resumes the device to keep it.
	Transfer,
}

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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "camelCase"))]
pub enum DeviceStatus<BlockNumber> {
	/// The device may act: its key signs extrinsics on its behalf.
	Active,
	/// Paused; `by` decides who may resume it.
	Suspended {
		/// Who suspended the device.
		by: SuspendedBy,
	},
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

/// Who holds a device's key and so vouches for the readings anchored for it, as its owner
/// declares it in the registry. Every anchor records the custody in force when it was made, and
/// verification reports it.
#[derive(
	Clone,
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "camelCase"))]
pub enum Custody<AccountId> {
	/// The device holds its key and signs for itself: its readings are as trustworthy as the
	/// device.
	#[default]
	Device,
	/// A key-less sensor: the gateway `account` receives its readings (over MQTT, say) and
	/// anchors them with its `Write` grant. Its readings are as trustworthy as the gateway and
	/// the link between the sensor and the gateway.
	Gateway {
		/// The gateway's account.
		account: AccountId,
	},
}

/// Domain separation tag of [`RegistrationPayload`].
pub const REGISTRATION_DOMAIN: [u8; 24] = *b"iotchain:device:register";
/// Domain separation tag of [`RotationPayload`].
pub const ROTATION_DOMAIN: [u8; 22] = *b"iotchain:device:rotate";

/// What a device key signs to prove, at registration, that the owner holds the device: it
/// binds the chain (genesis hash), the owner and the key (and so the device id,
/// [`device_id_of`] the key), so the signature cannot be replayed on another chain or for
/// another owner.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct RegistrationPayload<Hash, AccountId> {
	/// Genesis hash of the chain the registration is meant for.
	pub genesis_hash: Hash,
	/// The account that will own the device.
	pub owner: AccountId,
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
			key: Sr25519Keyring::Bob.to_account_id(),
		};
		let bytes = payload.signing_bytes();
		assert_eq!(bytes.len(), 24 + 3 * 32);
		assert_eq!(&bytes[..24], b"iotchain:device:register");
		assert_eq!(&bytes[24..], &payload.encode()[..]);
	}

	#[test]
	fn a_rotation_proof_cannot_pass_for_a_registration_proof() {
		// Chosen so that the registration's encoding is a prefix of the rotation's.
		let (a, b) = ([0xaa; 32], [0xbb; 32]);
		let registration = RegistrationPayload::<H256, AccountId32> {
			genesis_hash: H256::repeat_byte(1),
			owner: a.into(),
			key: b.into(),
		};
		let rotation = RotationPayload::<H256, AccountId32> {
			genesis_hash: H256::repeat_byte(1),
			device_id: H256(a),
			old_key: b.into(),
			new_key: b.into(),
		};
		assert!(rotation.encode().starts_with(&registration.encode()));
		assert!(!rotation.signing_bytes().starts_with(&registration.signing_bytes()));
	}

	#[test]
	fn device_ids_are_the_domain_separated_hash_of_the_first_key() {
		let key = Sr25519Keyring::Alice.to_account_id();
		let mut preimage = b"iotchain:device:id".to_vec();
		preimage.extend_from_slice(key.as_ref());
		assert_eq!(device_id_of(&key), H256(blake2_256(&preimage)));
		assert_ne!(device_id_of(&key), device_id_of(&Sr25519Keyring::Bob.to_account_id()));
	}
}
