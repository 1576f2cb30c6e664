//! Genesis presets, exposed through `sp_genesis_builder` so that the node (and
//! `chain-spec-builder`) build chain specs from the runtime itself.
//!
//! - `development`: Alice is the only authority and the sudo key; the well-known dev accounts
//!   are endowed.
//! - `local_testnet`: Alice, Bob, Charlie and Dave are authorities; Alice is sudo; the same
//!   accounts are endowed.

use crate::{AccountId, BalancesConfig, RuntimeGenesisConfig, SudoConfig, UNIT};
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
	initial_authorities: Vec<(AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	frame_support::build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// The session keys of a well-known dev authority: its sr25519 key for Aura and its ed25519
/// key for GRANDPA (both derived from the same `//Name` seed).
fn authority_keys(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// The well-known development accounts (Alice … Ferdie and their `//stash` accounts): endowed in
/// every preset.
pub fn endowed_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// Return the development genesis config.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// Return the local testnet genesis config.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority_keys(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			authority_keys(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
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
		let aura = local["aura"]["authorities"].as_array().expect("aura authorities");
		let grandpa = local["grandpa"]["authorities"].as_array().expect("grandpa authorities");
		let expected_aura: Vec<String> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.public().to_ss58check())
		.collect();
		let aura: Vec<&str> = aura.iter().map(|a| a.as_str().expect("ss58 string")).collect();
		assert_eq!(aura, expected_aura);
		assert_eq!(grandpa.len(), 4);
		assert_eq!(grandpa[1][0], Ed25519Keyring::Bob.public().to_ss58check());
		assert_eq!(local["balances"]["balances"].as_array().expect("balances").len(), 12);
		assert_eq!(local["sudo"]["key"], Sr25519Keyring::Alice.to_account_id().to_ss58check());
	}

	#[test]
	fn development_has_alice_alone() {
		let dev = preset(sp_genesis_builder::DEV_RUNTIME_PRESET);
		assert_eq!(dev["aura"]["authorities"].as_array().expect("aura authorities").len(), 1);
		assert_eq!(dev["grandpa"]["authorities"].as_array().expect("grandpa authorities").len(), 1);
		assert_eq!(dev["balances"]["balances"][0][1], ENDOWMENT as u64);
	}
}
