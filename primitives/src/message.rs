//! Device-to-device messages: what a sender puts in a statement of the nodes' statement store
//! and how a recipient finds, decrypts and authenticates it.
//!
//! A message is the data of a statement signed by the sender (a device key, or the owner of the
//! device the message is from). Its first topic is [`message_topic`]`(to, channel)`, so the
//! recipient subscribes to exactly its own messages. The data is a SCALE [`Envelope`]:
//!
//! - a [`MessageHeader`]: `from`, the device the message comes from (signed by its key) or
//!   speaks for (signed by its owner; the recipient checks the statement's signer against the
//!   registry), and `to`, `channel`, `sent_at_ms`: where it goes and when it was sent (the
//!   sender's clock);
//! - `ephemeral_key`: a fresh X25519 public key, one per message;
//! - `ciphertext`: the plaintext encrypted with ChaCha20-Poly1305 under a key derived from the
//!   X25519 agreement between the ephemeral key and the recipient's key-agreement key (a
//!   device's is in the registry, an account's is its grant's `grantee_key`).
//!
//! The AEAD's associated data binds the statement's signer, the header, the ephemeral key and
//! the recipient's key ([`associated_data`]), so a ciphertext re-signed by another account, moved
//! to another recipient or channel, or given another header fails to decrypt. (The statement's
//! id cannot be the associated data itself: it is the hash of the statement, ciphertext
//! included.)

use crate::DeviceId;
use alloc::vec::Vec;
use codec::{Decode, Encode};
use polkadot_sdk::sp_crypto_hashing::blake2_256;

/// The version of [`Envelope`] this crate writes and reads.
pub const MESSAGE_VERSION: u8 = 1;

/// Domain separation tag of [`message_topic`].
pub const TOPIC_DOMAIN: [u8; 18] = *b"iotchain:msg:topic";
/// Domain separation tag of [`associated_data`].
pub const AD_DOMAIN: [u8; 15] = *b"iotchain:msg:ad";
/// Domain separation tag of the key derivation (see [`crypto::seal`]).
pub const KDF_DOMAIN: [u8; 16] = *b"iotchain:msg:kdf";
/// Domain separation tag of [`crypto::agreement_secret`].
pub const AGREEMENT_SECRET_DOMAIN: [u8; 19] = *b"iotchain:msg:x25519";

/// Who a message is for.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Recipient<AccountId> {
	/// A registered device: encrypted to its key-agreement key in the registry.
	Device(DeviceId),
	/// An account, e.g. a reader holding a grant on the sending device: encrypted to its
	/// grant's `grantee_key`.
	Account(AccountId),
}

/// The topic messages to `to` on `channel` carry (their statement's first topic):
/// `blake2_256("iotchain:msg:topic" ‖ SCALE(to, channel))`.
pub fn message_topic<AccountId: Encode>(to: &Recipient<AccountId>, channel: u32) -> [u8; 32] {
	blake2_256(&(TOPIC_DOMAIN, to, channel).encode())
}

/// Who a message is from and for, and when it was sent: what the sender declares, bound to the
/// ciphertext as associated data.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct MessageHeader<AccountId> {
	/// The device the message comes from, or speaks for when its owner signs.
	pub from: DeviceId,
	/// The recipient.
	pub to: Recipient<AccountId>,
	/// The channel, a number sender and recipient agree on. For a device's messages to its
	/// readers, the stream their `Read` grant must cover.
	pub channel: u32,
	/// When the sender sent it, in milliseconds since the Unix epoch (the sender's clock).
	pub sent_at_ms: u64,
}

/// A message as a statement carries it (the statement's data, SCALE-encoded).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Envelope<AccountId> {
	/// [`MESSAGE_VERSION`].
	pub version: u8,
	/// Sender, recipient, channel and time.
	pub header: MessageHeader<AccountId>,
	/// The sender's ephemeral X25519 public key.
	pub ephemeral_key: [u8; 32],
	/// The encrypted message, with its 16-byte Poly1305 tag.
	pub ciphertext: Vec<u8>,
}

/// The associated data of a message's encryption: the statement's signer (as an account), the
/// envelope's version, header and ephemeral key, and the recipient's key-agreement key, after
/// [`AD_DOMAIN`].
pub fn associated_data<AccountId: Encode>(
	signer: &AccountId,
	version: u8,
	header: &MessageHeader<AccountId>,
	ephemeral_key: &[u8; 32],
	recipient_key: &[u8; 32],
) -> Vec<u8> {
	(AD_DOMAIN, signer, version, header, ephemeral_key, recipient_key).encode()
}

/// Why a message cannot be read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OpenError {
	/// The statement's data is not an [`Envelope`] of [`MESSAGE_VERSION`].
	Malformed,
	/// The ephemeral key is a low-order point: the agreement would be all zeros.
	WeakKey,
	/// Decryption failed: the message was not encrypted to this key, or was altered (its
	/// ciphertext, header or signer) after it was sealed.
	Undecryptable,
}

impl core::fmt::Display for OpenError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(match self {
			Self::Malformed => "not an iotchain message (version 1)",
			Self::WeakKey => "the sender's ephemeral key is a low-order point",
			Self::Undecryptable => {
				"cannot decrypt: the message is not encrypted to this key, or was altered \
				 (ciphertext, header or signer) after it was sealed"
			},
		})
	}
}

/// Sealing and opening, with `x25519-dalek` and `chacha20poly1305` (feature `messaging`).
#[cfg(feature = "messaging")]
pub mod crypto {
	use super::*;
	use chacha20poly1305::{
		aead::{Aead, KeyInit, Payload},
		ChaCha20Poly1305, Nonce,
	};
	use codec::DecodeAll;
	use x25519_dalek::PublicKey;
	pub use x25519_dalek::StaticSecret;

	/// The X25519 secret a key derives for messages: `blake2_256(AGREEMENT_SECRET_DOMAIN ‖
	/// secret key bytes)`. Deriving it from the signing key means nothing else to store, and a
	/// rotated key has a new one.
	pub fn agreement_secret(signing_secret: &[u8]) -> StaticSecret {
		StaticSecret::from(blake2_256(&(AGREEMENT_SECRET_DOMAIN, signing_secret).encode()))
	}

	/// The public key of `secret`, as the registry and grants hold it.
	pub fn agreement_public(secret: &StaticSecret) -> [u8; 32] {
		PublicKey::from(secret).to_bytes()
	}

	fn cipher(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> ChaCha20Poly1305 {
		let key = blake2_256(&(KDF_DOMAIN, shared, ephemeral, recipient).encode());
		ChaCha20Poly1305::new(&key.into())
	}

	/// Each key is used for one message only (the ephemeral key is fresh), so a fixed nonce is
	/// safe.
	fn nonce() -> Nonce {
		Nonce::default()
	}

	/// Seals `plaintext` for `recipient_key`, as sent by `signer` with `header`.
	/// `ephemeral_secret` must be 32 fresh random bytes, never reused.
	pub fn seal<AccountId: Encode>(
		signer: &AccountId,
		header: MessageHeader<AccountId>,
		recipient_key: &[u8; 32],
		plaintext: &[u8],
		ephemeral_secret: [u8; 32],
	) -> Envelope<AccountId> {
		let ephemeral = StaticSecret::from(ephemeral_secret);
		let ephemeral_key = PublicKey::from(&ephemeral).to_bytes();
		let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient_key));
		let aad = associated_data(signer, MESSAGE_VERSION, &header, &ephemeral_key, recipient_key);
		// Encryption with a 256-bit key cannot fail for messages of any size a statement holds.
		let ciphertext = cipher(shared.as_bytes(), &ephemeral_key, recipient_key)
			.encrypt(&nonce(), Payload { msg: plaintext, aad: &aad })
			.unwrap_or_default();
		Envelope { version: MESSAGE_VERSION, header, ephemeral_key, ciphertext }
	}

	/// Decodes the envelope in a statement's `data`.
	pub fn envelope<AccountId: Decode>(data: &[u8]) -> Result<Envelope<AccountId>, OpenError> {
		let envelope =
			Envelope::<AccountId>::decode_all(&mut &data[..]).map_err(|_| OpenError::Malformed)?;
		if envelope.version != MESSAGE_VERSION {
			return Err(OpenError::Malformed);
		}
		Ok(envelope)
	}

	/// Opens `envelope`, signed by `signer`, with the recipient's `secret`.
	pub fn open<AccountId: Encode>(
		signer: &AccountId,
		envelope: &Envelope<AccountId>,
		secret: &StaticSecret,
	) -> Result<Vec<u8>, OpenError> {
		let recipient_key = agreement_public(secret);
		let shared = secret.diffie_hellman(&PublicKey::from(envelope.ephemeral_key));
		if !shared.was_contributory() {
			return Err(OpenError::WeakKey);
		}
		let aad = associated_data(
			signer,
			envelope.version,
			&envelope.header,
			&envelope.ephemeral_key,
			&recipient_key,
		);
		cipher(shared.as_bytes(), &envelope.ephemeral_key, &recipient_key)
			.decrypt(&nonce(), Payload { msg: &envelope.ciphertext, aad: &aad })
			.map_err(|_| OpenError::Undecryptable)
	}

	#[cfg(test)]
	mod tests {
		use super::*;
		use polkadot_sdk::sp_core::H256;

		type Account = [u8; 32];

		fn header(to: Recipient<Account>) -> MessageHeader<Account> {
			MessageHeader {
				from: H256::repeat_byte(1),
				to,
				channel: 7,
				sent_at_ms: 1_700_000_000_000,
			}
		}

		#[test]
		fn a_sealed_message_opens_only_with_the_recipient_s_secret_and_unaltered() {
			let (sender, other) = ([1; 32], [2; 32]);
			let secret = agreement_secret(b"recipient");
			let key = agreement_public(&secret);
			let sealed = seal(
				&sender,
				header(Recipient::Account([9; 32])),
				&key,
				b"open the valve",
				[3; 32],
			);
			assert_eq!(sealed.version, MESSAGE_VERSION);
			assert_eq!(sealed.ciphertext.len(), b"open the valve".len() + 16);
			assert!(!sealed.ciphertext.windows(5).any(|w| w == b"valve"));
			assert_eq!(open(&sender, &sealed, &secret).unwrap(), b"open the valve");

			// Through its encoding, as a statement carries it.
			let decoded = super::envelope::<Account>(&sealed.encode()).unwrap();
			assert_eq!(open(&sender, &decoded, &secret).unwrap(), b"open the valve");

			let wrong = agreement_secret(b"somebody else");
			assert_eq!(open(&sender, &sealed, &wrong), Err(OpenError::Undecryptable));
			assert_eq!(open(&other, &sealed, &secret), Err(OpenError::Undecryptable), "re-signed");
			let mut tampered = sealed.clone();
			tampered.ciphertext[0] ^= 1;
			assert_eq!(open(&sender, &tampered, &secret), Err(OpenError::Undecryptable));
			let mut moved = sealed.clone();
			moved.header.channel = 8;
			assert_eq!(open(&sender, &moved, &secret), Err(OpenError::Undecryptable));
			let mut low_order = sealed;
			low_order.ephemeral_key = [0; 32];
			assert_eq!(open(&sender, &low_order, &secret), Err(OpenError::WeakKey));
		}

		#[test]
		fn envelopes_of_another_version_or_shape_are_malformed() {
			let sealed =
				seal(&[1; 32], header(Recipient::Device(H256::zero())), &[5; 32], b"x", [3; 32]);
			let mut bytes = sealed.encode();
			bytes[0] = 2;
			assert_eq!(super::envelope::<Account>(&bytes), Err(OpenError::Malformed));
			assert_eq!(super::envelope::<Account>(b"hello"), Err(OpenError::Malformed));
		}

		#[test]
		fn topics_separate_recipients_and_channels() {
			let device = Recipient::<Account>::Device(H256::repeat_byte(1));
			assert_ne!(message_topic(&device, 1), message_topic(&device, 2));
			assert_ne!(message_topic(&device, 1), message_topic(&Recipient::Account([1; 32]), 1));
			assert_eq!(
				message_topic(&device, 1),
				blake2_256(
					&[&b"iotchain:msg:topic"[..], &[0], &[1; 32], &1u32.to_le_bytes()].concat()
				)
			);
		}
	}
}
