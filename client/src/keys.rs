//! Keys: a device's own key (sr25519, ed25519 or ecdsa) or an owner's, as a subxt [`Signer`],
//! and the key files `iotctl key generate` writes.
//!
//! The key pairs are `sp-core`'s, the same code the node's `key` subcommand and the runtime's
//! signature checks use, so one implementation covers all three schemes the registry accepts
//! (`subxt-signer` has no ed25519).

use crate::Error;
use iotchain_primitives::message::{self, crypto::StaticSecret};
use polkadot_sdk::{
	sp_core::{
		crypto::{Pair as _, Ss58Codec},
		ecdsa, ed25519, sr25519,
	},
	sp_runtime::{traits::IdentifyAccount, MultiSigner},
	sp_statement_store::Statement,
};
use serde::{Deserialize, Serialize};
use std::{fmt, fs, io::Write, path::Path, str::FromStr};
use subxt::{
	tx::Signer,
	utils::{AccountId32, MultiSignature},
	SubstrateConfig,
};

/// A signature scheme the device registry accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
	/// Schnorr over Ristretto25519, the Substrate default.
	Sr25519,
	/// Ed25519, common in device secure elements.
	Ed25519,
	/// ECDSA over secp256k1; the account is the blake2-256 of the compressed public key.
	Ecdsa,
}

impl FromStr for Scheme {
	type Err = String;

	fn from_str(s: &str) -> Result<Self, Self::Err> {
		match s {
			"sr25519" => Ok(Self::Sr25519),
			"ed25519" => Ok(Self::Ed25519),
			"ecdsa" => Ok(Self::Ecdsa),
			other => Err(format!("unknown scheme `{other}`: expected sr25519, ed25519 or ecdsa")),
		}
	}
}

impl fmt::Display for Scheme {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			Self::Sr25519 => "sr25519",
			Self::Ed25519 => "ed25519",
			Self::Ecdsa => "ecdsa",
		})
	}
}

/// A key pair that signs extrinsics and registration/rotation proofs.
// A process holds a key or two; boxing the larger pairs would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Key {
	/// An sr25519 pair.
	Sr25519(sr25519::Pair),
	/// An ed25519 pair.
	Ed25519(ed25519::Pair),
	/// An ecdsa pair.
	Ecdsa(ecdsa::Pair),
}

impl fmt::Debug for Key {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		// Never the secret.
		write!(f, "Key({}, {})", self.scheme(), self.account_id())
	}
}

impl Key {
	/// A new random key, with the mnemonic phrase it can be restored from.
	pub fn generate(scheme: Scheme) -> (Self, String) {
		match scheme {
			Scheme::Sr25519 => {
				let (pair, phrase, _) = sr25519::Pair::generate_with_phrase(None);
				(Self::Sr25519(pair), phrase)
			},
			Scheme::Ed25519 => {
				let (pair, phrase, _) = ed25519::Pair::generate_with_phrase(None);
				(Self::Ed25519(pair), phrase)
			},
			Scheme::Ecdsa => {
				let (pair, phrase, _) = ecdsa::Pair::generate_with_phrase(None);
				(Self::Ecdsa(pair), phrase)
			},
		}
	}

	/// The key of a secret URI: a mnemonic phrase, a `0x` seed or a dev account such as
	/// `//Alice`, with optional derivation paths.
	pub fn from_suri(scheme: Scheme, suri: &str) -> Result<Self, Error> {
		let bad = |e| Error::Key(format!("not a valid {scheme} secret URI: {e:?}"));
		Ok(match scheme {
			Scheme::Sr25519 => Self::Sr25519(sr25519::Pair::from_string(suri, None).map_err(bad)?),
			Scheme::Ed25519 => Self::Ed25519(ed25519::Pair::from_string(suri, None).map_err(bad)?),
			Scheme::Ecdsa => Self::Ecdsa(ecdsa::Pair::from_string(suri, None).map_err(bad)?),
		})
	}

	/// The key's scheme.
	pub fn scheme(&self) -> Scheme {
		match self {
			Self::Sr25519(_) => Scheme::Sr25519,
			Self::Ed25519(_) => Scheme::Ed25519,
			Self::Ecdsa(_) => Scheme::Ecdsa,
		}
	}

	/// The public key, as the runtime identifies signers.
	pub fn signer(&self) -> MultiSigner {
		match self {
			Self::Sr25519(pair) => pair.public().into(),
			Self::Ed25519(pair) => pair.public().into(),
			Self::Ecdsa(pair) => pair.public().into(),
		}
	}

	/// The raw public key bytes (33 for ecdsa, 32 otherwise).
	pub fn public_bytes(&self) -> Vec<u8> {
		match self {
			Self::Sr25519(pair) => pair.public().0.to_vec(),
			Self::Ed25519(pair) => pair.public().0.to_vec(),
			Self::Ecdsa(pair) => pair.public().0.to_vec(),
		}
	}

	/// The account the key signs for.
	pub fn account_id(&self) -> AccountId32 {
		AccountId32(self.signer().into_account().into())
	}

	/// Signs `message` (a proof payload or an extrinsic's signing payload).
	pub fn sign_bytes(&self, message: &[u8]) -> MultiSignature {
		match self {
			Self::Sr25519(pair) => MultiSignature::Sr25519(pair.sign(message).0),
			Self::Ed25519(pair) => MultiSignature::Ed25519(pair.sign(message).0),
			Self::Ecdsa(pair) => MultiSignature::Ecdsa(pair.sign(message).0),
		}
	}
}

impl Key {
	/// The X25519 secret messages to this key's device (or account) are decrypted with, derived
	/// from the key's secret ([`agreement_secret`](iotchain_primitives::message::crypto::agreement_secret)):
	/// nothing more to keep, and a new key has a new one.
	pub fn agreement_secret(&self) -> StaticSecret {
		let secret = match self {
			Self::Sr25519(pair) => pair.to_raw_vec(),
			Self::Ed25519(pair) => pair.to_raw_vec(),
			Self::Ecdsa(pair) => pair.to_raw_vec(),
		};
		message::crypto::agreement_secret(&secret)
	}

	/// The public half of [`Key::agreement_secret`]: what the registry holds for a device
	/// (`devices.setAgreementKey`) and a grant for its grantee (`grantee_key`).
	pub fn agreement_key(&self) -> [u8; 32] {
		message::crypto::agreement_public(&self.agreement_secret())
	}

	/// Signs `statement` (sets its proof) for the nodes' statement store.
	pub fn sign_statement(&self, statement: &mut Statement) {
		match self {
			Self::Sr25519(pair) => statement.sign_sr25519_private(pair),
			Self::Ed25519(pair) => statement.sign_ed25519_private(pair),
			Self::Ecdsa(pair) => statement.sign_ecdsa_private(pair),
		}
	}
}

impl Signer<SubstrateConfig> for Key {
	fn account_id(&self) -> AccountId32 {
		Key::account_id(self)
	}

	fn sign(&self, signer_payload: &[u8]) -> MultiSignature {
		self.sign_bytes(signer_payload)
	}
}

/// SS58 text of an account (prefix 42, as the chain's `ss58Format`).
pub fn ss58(account: &AccountId32) -> String {
	polkadot_sdk::sp_core::crypto::AccountId32::new(account.0).to_ss58check()
}

/// An account from SS58 text, `0x`-hex of its 32 bytes, or a dev account's secret URI such as
/// `//Bob` (its sr25519 account).
pub fn parse_account(s: &str) -> Result<AccountId32, Error> {
	if s.starts_with("//") {
		return Key::from_suri(Scheme::Sr25519, s).map(|key| key.account_id());
	}
	if let Some(hex) = s.strip_prefix("0x") {
		let bytes = crate::data::parse_hex32(hex)
			.map_err(|e| Error::Input(format!("account `{s}`: {e}")))?;
		return Ok(AccountId32(bytes));
	}
	polkadot_sdk::sp_core::crypto::AccountId32::from_ss58check(s)
		.map(|a| AccountId32(a.into()))
		.map_err(|e| Error::Input(format!("account `{s}` is not SS58 or 0x-hex: {e:?}")))
}

/// What a key file holds: the secret and, to check it against, the public side.
#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyFile {
	/// The signature scheme.
	pub scheme: Scheme,
	/// The secret URI (a mnemonic phrase unless the key was imported otherwise).
	pub secret_uri: String,
	/// `0x`-hex public key.
	pub public_key: String,
	/// SS58 address of the key's account.
	pub address: String,
}

impl KeyFile {
	/// The key file of `key`, restorable from `secret_uri`.
	pub fn new(key: &Key, secret_uri: String) -> Self {
		Self {
			scheme: key.scheme(),
			secret_uri,
			public_key: format!("0x{}", hex::encode(key.public_bytes())),
			address: ss58(&key.account_id()),
		}
	}

	/// Reads a key file, checking that its secret gives its public key.
	pub fn read(path: &Path) -> Result<(Self, Key), Error> {
		let what = |e: String| Error::Key(format!("key file {}: {e}", path.display()));
		let text = fs::read_to_string(path).map_err(|e| what(e.to_string()))?;
		let file: KeyFile = serde_json::from_str(&text).map_err(|e| what(e.to_string()))?;
		let key = Key::from_suri(file.scheme, &file.secret_uri).map_err(|e| what(e.to_string()))?;
		if format!("0x{}", hex::encode(key.public_bytes())) != file.public_key {
			return Err(what("its secret does not give its public key".into()));
		}
		Ok((file, key))
	}

	/// Writes the key file, readable by its owner only (0600); never overwrites a file.
	pub fn write(&self, path: &Path) -> Result<(), Error> {
		let what = |e: std::io::Error| Error::Key(format!("key file {}: {e}", path.display()));
		let mut options = fs::OpenOptions::new();
		options.write(true).create_new(true);
		#[cfg(unix)]
		std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
		let mut file = options.open(path).map_err(what)?;
		let json = serde_json::to_string_pretty(self).map_err(|e| Error::Key(e.to_string()))?;
		file.write_all(json.as_bytes()).and_then(|()| file.write_all(b"\n")).map_err(what)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_scheme_round_trips_through_a_0600_key_file() {
		let dir = tempfile::tempdir().unwrap();
		for scheme in [Scheme::Sr25519, Scheme::Ed25519, Scheme::Ecdsa] {
			let (key, phrase) = Key::generate(scheme);
			let path = dir.path().join(format!("{scheme}.json"));
			KeyFile::new(&key, phrase).write(&path).unwrap();
			#[cfg(unix)]
			{
				use std::os::unix::fs::PermissionsExt;
				let mode = fs::metadata(&path).unwrap().permissions().mode();
				assert_eq!(mode & 0o777, 0o600, "{scheme}");
			}
			let (file, read) = KeyFile::read(&path).unwrap();
			assert_eq!(file.scheme, scheme);
			assert_eq!(read.account_id(), key.account_id());
			assert_eq!(parse_account(&file.address).unwrap(), key.account_id());
			// Never overwritten.
			assert!(matches!(KeyFile::new(&key, "x".into()).write(&path), Err(Error::Key(_))));
		}
	}

	#[test]
	fn signatures_verify_under_the_runtime_rules() {
		use polkadot_sdk::sp_runtime::{traits::Verify, MultiSignature as SpSignature};
		for scheme in [Scheme::Sr25519, Scheme::Ed25519, Scheme::Ecdsa] {
			let (key, _) = Key::generate(scheme);
			let signature: SpSignature = match key.sign_bytes(b"payload") {
				MultiSignature::Sr25519(s) => sr25519::Signature::from_raw(s).into(),
				MultiSignature::Ed25519(s) => ed25519::Signature::from_raw(s).into(),
				MultiSignature::Ecdsa(s) => ecdsa::Signature::from_raw(s).into(),
			};
			let account = polkadot_sdk::sp_core::crypto::AccountId32::new(key.account_id().0);
			assert!(signature.verify(&b"payload"[..], &account), "{scheme}");
			assert!(!signature.verify(&b"other"[..], &account), "{scheme}");
		}
	}

	#[test]
	fn dev_accounts_match_the_well_known_addresses() {
		let alice = Key::from_suri(Scheme::Sr25519, "//Alice").unwrap();
		assert_eq!(ss58(&alice.account_id()), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
		assert_eq!(
			parse_account("//Bob").unwrap(),
			parse_account("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty").unwrap()
		);
	}

	#[test]
	fn tampered_or_malformed_key_files_are_refused_with_a_message() {
		let dir = tempfile::tempdir().unwrap();
		let (key, phrase) = Key::generate(Scheme::Sr25519);
		let (other, _) = Key::generate(Scheme::Sr25519);
		let mut file = KeyFile::new(&key, phrase);
		file.public_key = format!("0x{}", hex::encode(other.public_bytes()));
		let path = dir.path().join("tampered.json");
		file.write(&path).unwrap();
		let err = KeyFile::read(&path).unwrap_err().to_string();
		assert!(err.contains("does not give its public key"), "{err}");

		let path = dir.path().join("garbage.json");
		fs::write(&path, "not json").unwrap();
		assert!(matches!(KeyFile::read(&path), Err(Error::Key(_))));
		assert!(matches!(KeyFile::read(&dir.path().join("missing.json")), Err(Error::Key(_))));
		assert!(matches!(
			Key::from_suri(Scheme::Ed25519, "not a phrase at all"),
			Err(Error::Key(m)) if m.starts_with("not a valid ed25519 secret URI")
		));
		assert!(matches!(
			parse_account("5Grw"),
			Err(Error::Input(m)) if m.starts_with("account `5Grw` is not SS58 or 0x-hex")
		));
		assert!(
			matches!(parse_account("0x1234"), Err(Error::Input(m)) if m.starts_with("account `0x1234`"))
		);
	}
}
