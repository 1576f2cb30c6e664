//! Chain specs. Genesis is never written here: every spec is built from a genesis preset of the
//! runtime (`sp_genesis_builder`), so node and runtime cannot disagree about it.

use iotchain_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use polkadot_sdk::{
	sc_chain_spec::{ChainType, Properties},
	sc_service, sp_genesis_builder,
};

/// The chain spec type of iotchain: no client extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token symbol, decimals and address format, so that wallets and Polkadot.js show `IOT`.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| {
		"The runtime WASM is not available: the node was built with SKIP_WASM_BUILD".to_string()
	})?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id("iotchain")
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// Single-validator development chain (`--dev`): Alice authors and finalizes, Alice is sudo.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"iotchain development",
		"iotchain_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// Four-validator local testnet (Alice, Bob, Charlie, Dave).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"iotchain local testnet",
		"iotchain_local_testnet",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
