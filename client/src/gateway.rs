//! Reading from a gateway's HTTP API (`iotchain-gateway`, `[http]` in its configuration).
//!
//! A gateway keeps the raw readings of the key-less sensors it anchors for. It serves a
//! reading's proof to anyone, and the raw reading only to an account holding `Read` on the
//! stream, which it checks on chain (`iotchain_checkAccess`). The caller proves it holds the
//! account by signing a fresh challenge:
//!
//! 1. `GET /challenge` → [`Challenge`]: the gateway's account and 32 random bytes, good once
//!    for [`Challenge::expires_in_ms`];
//! 2. `GET /readings/{device}/{stream}/{seq}` with the headers [`ACCOUNT_HEADER`] (the caller's
//!    account), [`CHALLENGE_HEADER`] (the challenge) and [`SIGNATURE_HEADER`] (the SCALE-encoded
//!    `MultiSignature` of [`ReadRequest::signing_bytes`]) → [`ReadingView`], or 403 when the
//!    account may not read the stream, the signature is wrong, or the challenge is unknown,
//!    expired or used.
//!
//! [`fetch_reading`] does both steps.

use crate::{keys::Key, Error};
use codec::Encode;
use iotchain_primitives::{DeviceId, Seq, StreamId};
use polkadot_sdk::sp_core::H256;
use serde::{Deserialize, Serialize};
use subxt::utils::AccountId32;

/// The header naming the caller's account (SS58).
pub const ACCOUNT_HEADER: &str = "x-iotchain-account";
/// The header carrying the challenge (`0x`-hex, 32 bytes).
pub const CHALLENGE_HEADER: &str = "x-iotchain-challenge";
/// The header carrying the signature (`0x`-hex SCALE `MultiSignature`: a variant byte, 0
/// ed25519, 1 sr25519, 2 ecdsa, then the signature).
pub const SIGNATURE_HEADER: &str = "x-iotchain-signature";

/// Domain separation tag of [`ReadRequest`].
pub const READ_REQUEST_DOMAIN: [u8; 21] = *b"iotchain:gateway:read";

/// What a reader signs to fetch one raw reading: the gateway's account (a signature made for one
/// gateway is worthless at another), the gateway's challenge (a signature is good once) and the
/// reading asked for.
#[derive(Clone, Debug, PartialEq, Eq, Encode)]
pub struct ReadRequest {
	/// The gateway's account, as its challenge names it.
	pub gateway: [u8; 32],
	/// The challenge's bytes.
	pub challenge: [u8; 32],
	/// The device.
	pub device: DeviceId,
	/// The stream.
	pub stream: StreamId,
	/// The reading's sequence number.
	pub seq: Seq,
}

impl ReadRequest {
	/// The exact bytes signed: the domain tag followed by the SCALE encoding, i.e.
	/// `"iotchain:gateway:read" ‖ gateway (32) ‖ challenge (32) ‖ device (32) ‖ stream (u32 LE) ‖
	/// seq (u64 LE)`.
	pub fn signing_bytes(&self) -> Vec<u8> {
		(READ_REQUEST_DOMAIN, self).encode()
	}
}

/// A gateway's answer to `GET /challenge`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
	/// The gateway's account (SS58): the one a read request names.
	pub gateway: String,
	/// 32 random bytes, `0x`-hex.
	pub challenge: H256,
	/// How long the challenge may be used, once.
	pub expires_in_ms: u64,
}

/// A raw reading as the gateway received it: one JSON shape for the HTTP API and for
/// `iotchain-gateway readings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadingView {
	/// Its sequence number in the stream.
	pub seq: Seq,
	/// The MQTT topic it arrived on.
	pub topic: String,
	/// The payload as text, when it is UTF-8 (`null` otherwise).
	pub payload: Option<String>,
	/// The payload's bytes, `0x`-hex.
	pub payload_hex: String,
	/// When the gateway received it (ms since the Unix epoch).
	pub received_ms: u64,
	/// blake2-256 of SCALE (topic, payload bytes, receivedMs): what is anchored.
	pub digest: H256,
	/// Whether its batch is on chain yet.
	pub anchored: bool,
}

impl ReadingView {
	/// The view of a reading's parts.
	pub fn new(
		seq: Seq,
		topic: String,
		payload: &[u8],
		received_ms: u64,
		digest: H256,
		anchored: bool,
	) -> Self {
		Self {
			seq,
			topic,
			payload: std::str::from_utf8(payload).ok().map(str::to_owned),
			payload_hex: format!("0x{}", hex::encode(payload)),
			received_ms,
			digest,
			anchored,
		}
	}

	/// The payload's bytes, as the gateway received them.
	pub fn payload_bytes(&self) -> Result<Vec<u8>, Error> {
		self.payload_hex
			.strip_prefix("0x")
			.and_then(|h| hex::decode(h).ok())
			.ok_or_else(|| Error::Node(format!("payloadHex {:?} is not 0x-hex", self.payload_hex)))
	}
}

/// Fetches raw reading `seq` of `stream` of `device` from the gateway at `base_url`
/// (`http://host:port`), as the account of `key`.
pub async fn fetch_reading(
	base_url: &str,
	key: &Key,
	device: DeviceId,
	stream: StreamId,
	seq: Seq,
) -> Result<ReadingView, Error> {
	let base = base_url.trim_end_matches('/');
	let http = reqwest::Client::new();
	let unreachable =
		|e: reqwest::Error| Error::Connect { url: base.into(), reason: e.to_string() };
	let challenge: Challenge =
		answer(http.get(format!("{base}/challenge")).send().await.map_err(unreachable)?).await?;
	let (account, signature) = sign_read_request(key, &challenge, device, stream, seq)?;
	let response = http
		.get(format!("{base}/readings/{device:?}/{stream}/{seq}"))
		.header(ACCOUNT_HEADER, account)
		.header(CHALLENGE_HEADER, format!("{:?}", challenge.challenge))
		.header(SIGNATURE_HEADER, signature)
		.send()
		.await
		.map_err(unreachable)?;
	answer(response).await
}

/// The [`ACCOUNT_HEADER`] and [`SIGNATURE_HEADER`] values of a read request.
pub fn sign_read_request(
	key: &Key,
	challenge: &Challenge,
	device: DeviceId,
	stream: StreamId,
	seq: Seq,
) -> Result<(String, String), Error> {
	let gateway: AccountId32 = crate::keys::parse_account(&challenge.gateway)?;
	let request =
		ReadRequest { gateway: gateway.0, challenge: challenge.challenge.0, device, stream, seq };
	let signature = key.sign_bytes(&request.signing_bytes()).encode();
	Ok((crate::keys::ss58(&key.account_id()), format!("0x{}", hex::encode(signature))))
}

/// The JSON body of a successful answer, or the gateway's refusal as an error.
async fn answer<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, Error> {
	let status = response.status();
	if status.is_success() {
		response.json().await.map_err(|e| Error::Node(format!("the gateway's answer: {e}")))
	} else {
		let text = response.text().await.unwrap_or_default();
		Err(Error::Gateway { status: status.as_u16(), message: text })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::keys::Scheme;

	#[test]
	fn the_signed_bytes_are_tag_then_fixed_width_fields() {
		let request = ReadRequest {
			gateway: [1; 32],
			challenge: [2; 32],
			device: H256::repeat_byte(3),
			stream: 7,
			seq: 9,
		};
		let mut expected = b"iotchain:gateway:read".to_vec();
		expected.extend([1; 32]);
		expected.extend([2; 32]);
		expected.extend([3; 32]);
		expected.extend(7u32.to_le_bytes());
		expected.extend(9u64.to_le_bytes());
		assert_eq!(request.signing_bytes(), expected);
	}

	#[test]
	fn a_signed_request_names_the_signer_and_carries_a_multisignature() {
		let key = Key::from_suri(Scheme::Ed25519, "//Charlie").unwrap();
		let gateway = Key::from_suri(Scheme::Sr25519, "//Bob").unwrap();
		let challenge = Challenge {
			gateway: crate::keys::ss58(&gateway.account_id()),
			challenge: H256::repeat_byte(5),
			expires_in_ms: 1,
		};
		let (account, signature) = sign_read_request(&key, &challenge, H256::zero(), 1, 2).unwrap();
		assert_eq!(account, crate::keys::ss58(&key.account_id()));
		// Variant 0 (ed25519) and 64 bytes.
		assert!(signature.starts_with("0x00"));
		assert_eq!(signature.len(), 2 + 2 * 65);
	}

	#[test]
	fn payloads_are_exact_bytes_and_text_when_they_are_text() {
		let text = ReadingView::new(1, "t".into(), b"0x1f", 0, H256::zero(), true);
		assert_eq!(text.payload.as_deref(), Some("0x1f"));
		assert_eq!(text.payload_bytes().unwrap(), b"0x1f");
		let binary = ReadingView::new(1, "t".into(), &[0xff, 0], 0, H256::zero(), true);
		assert_eq!(binary.payload, None);
		assert_eq!(binary.payload_hex, "0xff00");
		assert_eq!(binary.payload_bytes().unwrap(), vec![0xff, 0]);
	}
}
