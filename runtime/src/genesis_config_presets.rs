//! Genesis presets, exposed through `sp_genesis_builder` so that the node (and
//! `chain-spec-builder`) build chain specs from the runtime itself.
//!
//! - `development`: Alice is the only validator and the sudo key; the well-known dev accounts
//!   are endowed; sessions last an hour.
//! - `local_testnet`: Alice, Bob, Charlie and Dave are validators; Alice is sudo; the same
//!   accounts are endowed; sessions last a minute, so validators added or removed take part
//!   (or stop) within two minutes.
//!
//! The validators are `pallet_session`'s genesis `keys`: Aura and GRANDPA start from them
//! (their own genesis authorities stay empty), and so does `pallet_validator_set`.

use crate::{
	AccountId, BalancesConfig, BlockNumber, RuntimeGenesisConfig, SessionConfig, SessionKeys,
	SudoConfig, ValidatorSetConfig, HOURS, MINUTES, UNIT,
};
use alloc::{vec, vec::Vec};
use polkadot_sdk::{sp_genesis_builder::PresetId, *};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Balance given to each endowed account at genesis: one million `IOT`.
pub const ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// Builds the genesis config patch of a preset.
fn testnet_genesis(
	validators: Vec<(AccountId, SessionKeys)>,
	session_length: BlockNumber,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	frame_support::build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.into_iter()
				.map(|(account, keys)| (account.clone(), account, keys))
				.collect::<Vec<_>>(),
		},
		validator_set: ValidatorSetConfig { session_length },
		sudo: SudoConfig { key: Some(root) },
	})
}

/// A well-known dev validator: its `//Name` account, its sr25519 key for Aura and its ed25519
/// key for GRANDPA (all derived from the same `//Name` seed).
fn validator(sr25519: Sr25519Keyring, ed25519: Ed25519Keyring) -> (AccountId, SessionKeys) {
	let aura: AuraId = sr25519.public().into();
	let grandpa: GrandpaId = ed25519.public().into();
	(sr25519.to_account_id(), SessionKeys { aura, grandpa })
}

/// The well-known development accounts (Alice … Ferdie and their `//stash` accounts): endowed in
/// every preset.
pub fn endowed_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// Return the development genesis config.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		HOURS,
		endowed_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// Return the local testnet genesis config.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		MINUTES,
		endowed_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// Provides the JSON representation of predefined genesis config for given `id`.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// List of supported presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::crypto::Ss58Codec;

	fn preset(name: &str) -> Value {
		let json = get_preset(&PresetId::from(name)).expect("preset exists");
		serde_json::from_slice(&json).expect("preset is JSON")
	}

	#[test]
	fn presets_are_listed_and_unknown_ones_refused() {
		let names = preset_names();
		assert_eq!(names, vec![PresetId::from("development"), PresetId::from("local_testnet")]);
		assert!(get_preset(&PresetId::from("mainnet")).is_none());
	}

	#[test]
	fn local_testnet_has_four_validators_and_the_dev_accounts() {
		let local = preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET);
		let keys = local["session"]["keys"].as_array().expect("session keys");
		let names = [
			(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		];
		assert_eq!(keys.len(), names.len());
		for (entry, (sr25519, ed25519)) in keys.iter().zip(names) {
			let account = sr25519.to_account_id().to_ss58check();
			assert_eq!(entry[0], account);
			assert_eq!(entry[1], account);
			assert_eq!(entry[2]["aura"], sr25519.public().to_ss58check());
			assert_eq!(entry[2]["grandpa"], ed25519.public().to_ss58check());
		}
		// Aura and GRANDPA start from the session's keys, not from their own genesis.
		assert!(local.get("aura").is_none() && local.get("grandpa").is_none());
		assert_eq!(local["validatorSet"]["sessionLength"], MINUTES);
		assert_eq!(local["balances"]["balances"].as_array().expect("balances").len(), 12);
		assert_eq!(local["sudo"]["key"], Sr25519Keyring::Alice.to_account_id().to_ss58check());
	}

	#[test]
	fn development_has_alice_alone() {
		let dev = preset(sp_genesis_builder::DEV_RUNTIME_PRESET);
		let keys = dev["session"]["keys"].as_array().expect("session keys");
		assert_eq!(keys.len(), 1);
		assert_eq!(keys[0][0], Sr25519Keyring::Alice.to_account_id().to_ss58check());
		assert_eq!(dev["validatorSet"]["sessionLength"], HOURS);
		assert_eq!(dev["balances"]["balances"][0][1], ENDOWMENT as u64);
	}
}
