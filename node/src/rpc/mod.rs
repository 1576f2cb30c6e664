//! The node's JSON-RPC extensions on top of Substrate's standard methods (`system_*`,
//! `author_*`, `chain_*`, `state_*`): account nonces, fee queries, the MMR's `mmr_*` methods, the
//! statement store's `statement_*` methods and the `iotchain_*` methods.

pub mod iotchain;

use std::sync::Arc;

use iotchain_primitives::{AccessApi, AnchorsApi, DevicesApi};
use iotchain_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash, Nonce, Runtime};
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	mmr_rpc::{Mmr, MmrApiServer},
	pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer},
	sc_client_api::ProofProvider,
	sc_rpc::{
		statement::{StatementStore, StatementStoreApi},
		SubscriptionTaskExecutor,
	},
	sc_rpc_api::statement::StatementApiServer,
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	sp_core::offchain::OffchainStorage,
	sp_mmr_primitives::MmrApi as MmrRuntimeApi,
	substrate_frame_rpc_system::{System, SystemApiServer},
	*,
};

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P, S> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
	/// The node's off-chain storage (MMR nodes, anchor records and their index).
	pub offchain_storage: Option<S>,
	/// The statement store (device-to-device messages).
	pub statement_store: Arc<dyn StatementStoreApi>,
	/// Runs the tasks of subscriptions.
	pub subscriptions: SubscriptionTaskExecutor,
}

/// Instantiate all full RPC extensions.
pub fn create_full<C, P, S>(
	deps: FullDeps<C, P, S>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ BlockBuilder<Block>
		+ DevicesApi<Block, AccountId, pallet_devices::DeviceInfo<Runtime>>
		+ AnchorsApi<Block, AccountId, BlockNumber, u64>
		+ AccessApi<Block, AccountId, BlockNumber, pallet_access::Grant<Runtime>>
		+ MmrRuntimeApi<Block, Hash, BlockNumber>,
	P: TransactionPool + 'static,
	S: OffchainStorage + Clone + 'static,
{
	let mut module = RpcModule::new(());
	let FullDeps { client, pool, offchain_storage, statement_store, subscriptions } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	if let Some(storage) = offchain_storage.clone() {
		module.merge(Mmr::new(client.clone(), storage).into_rpc())?;
	}
	// `statement_submit` and `statement_subscribeStatement`.
	module.merge(StatementStore::new(statement_store, subscriptions).into_rpc())?;
	let iotchain = iotchain::Iotchain::new(client, offchain_storage);
	module.merge(iotchain::IotchainApiServer::into_rpc(iotchain))?;

	Ok(module)
}
