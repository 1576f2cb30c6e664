//! The node's JSON-RPC extensions on top of Substrate's standard methods (`system_*`,
//! `author_*`, `chain_*`, `state_*`): account nonces, fee queries and the `iotchain_*` methods.

pub mod iotchain;

use std::sync::Arc;

use iotchain_primitives::{AccessApi, AnchorsApi, DevicesApi};
use iotchain_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce, Runtime};
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer},
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	substrate_frame_rpc_system::{System, SystemApiServer},
	*,
};

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
}

/// Instantiate all full RPC extensions.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ BlockBuilder<Block>
		+ DevicesApi<Block, AccountId, pallet_devices::DeviceInfo<Runtime>>
		+ AnchorsApi<Block, AccountId, BlockNumber, u64, pallet_anchors::AnchorRecord<Runtime>>
		+ AccessApi<Block, AccountId, BlockNumber, pallet_access::Grant<Runtime>>,
	P: TransactionPool + 'static,
{
	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(iotchain::IotchainApiServer::into_rpc(iotchain::Iotchain::new(client)))?;

	Ok(module)
}
