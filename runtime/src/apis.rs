//! The runtime API implementations: what the node and clients may ask the runtime.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_version::RuntimeVersion;

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// No session/historical pallet: equivocations cannot be proven, so none are reported.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl iotchain_primitives::DevicesApi<Block, AccountId, pallet_devices::DeviceInfo<Runtime>>
		for Runtime
	{
		fn device(
			device: iotchain_primitives::DeviceId,
		) -> Option<pallet_devices::DeviceInfo<Runtime>> {
			pallet_devices::Devices::<Runtime>::get(device)
		}

		fn device_by_key(key: AccountId) -> Option<iotchain_primitives::DeviceId> {
			pallet_devices::DeviceByKey::<Runtime>::get(key)
		}

		fn devices_of(
			owner: AccountId,
			start_after: Option<iotchain_primitives::DeviceId>,
			limit: u32,
		) -> Vec<iotchain_primitives::DeviceId> {
			Devices::devices_of(owner, start_after, limit)
		}
	}

	impl iotchain_primitives::AnchorsApi<Block, AccountId, BlockNumber, u64> for Runtime {
		fn anchor_head(
			device: iotchain_primitives::DeviceId,
			stream: iotchain_primitives::StreamId,
		) -> Option<iotchain_primitives::AnchorHead<BlockNumber>> {
			Anchors::anchor_head(device, stream)
		}

		fn verify_anchor_proof(
			proof: iotchain_primitives::AnchorProof<AccountId, u64>,
			trusted_block: Hash,
		) -> Result<
			iotchain_primitives::ProvenAnchor<AccountId, u64>,
			iotchain_primitives::AnchorProofError,
		> {
			Anchors::verify_anchor_proof(proof, trusted_block)
		}

		fn verify_reading(
			proof: iotchain_primitives::AnchorProof<AccountId, u64>,
			trusted_block: Hash,
			seq: iotchain_primitives::Seq,
			digest: Hash,
			batch_proof: Option<iotchain_primitives::MerkleProof>,
		) -> Result<
			iotchain_primitives::Verification<AccountId, BlockNumber, u64>,
			iotchain_primitives::AnchorProofError,
		> {
			Anchors::verify_reading(proof, trusted_block, seq, digest, batch_proof)
		}
	}

	impl sp_mmr_primitives::MmrApi<Block, Hash, BlockNumber> for Runtime {
		fn mmr_root() -> Result<Hash, sp_mmr_primitives::Error> {
			Ok(pallet_mmr::RootHash::<Runtime>::get())
		}

		fn mmr_leaf_count() -> Result<sp_mmr_primitives::LeafIndex, sp_mmr_primitives::Error> {
			Ok(pallet_mmr::NumberOfLeaves::<Runtime>::get())
		}

		fn generate_proof(
			block_numbers: Vec<BlockNumber>,
			best_known_block_number: Option<BlockNumber>,
		) -> Result<
			(Vec<sp_mmr_primitives::EncodableOpaqueLeaf>, sp_mmr_primitives::LeafProof<Hash>),
			sp_mmr_primitives::Error,
		> {
			Mmr::generate_proof(block_numbers, best_known_block_number).map(|(leaves, proof)| {
				let leaves = leaves
					.into_iter()
					.map(|leaf| sp_mmr_primitives::EncodableOpaqueLeaf::from_leaf(&leaf))
					.collect();
				(leaves, proof)
			})
		}

		fn generate_ancestry_proof(
			prev_block_number: BlockNumber,
			best_known_block_number: Option<BlockNumber>,
		) -> Result<sp_mmr_primitives::AncestryProof<Hash>, sp_mmr_primitives::Error> {
			Mmr::generate_ancestry_proof(prev_block_number, best_known_block_number)
		}

		fn verify_proof(
			leaves: Vec<sp_mmr_primitives::EncodableOpaqueLeaf>,
			proof: sp_mmr_primitives::LeafProof<Hash>,
		) -> Result<(), sp_mmr_primitives::Error> {
			let leaves = leaves
				.into_iter()
				.map(|leaf| {
					leaf.into_opaque_leaf()
						.try_decode()
						.ok_or(sp_mmr_primitives::Error::Verify)
				})
				.collect::<Result<Vec<iotchain_primitives::BlockAnchors>, _>>()?;
			Mmr::verify_leaves(leaves, proof)
		}

		fn verify_proof_stateless(
			root: Hash,
			leaves: Vec<sp_mmr_primitives::EncodableOpaqueLeaf>,
			proof: sp_mmr_primitives::LeafProof<Hash>,
		) -> Result<(), sp_mmr_primitives::Error> {
			let nodes = leaves
				.into_iter()
				.map(|leaf| sp_mmr_primitives::DataOrHash::Data(leaf.into_opaque_leaf()))
				.collect();
			pallet_mmr::verify_leaves_proof::<BlakeTwo256, _>(root, nodes, proof)
		}
	}

	impl iotchain_primitives::AccessApi<Block, AccountId, BlockNumber, pallet_access::Grant<Runtime>>
		for Runtime
	{
		fn check_access(
			device: iotchain_primitives::DeviceId,
			who: AccountId,
			stream: iotchain_primitives::StreamId,
			permission: iotchain_primitives::Permission,
		) -> iotchain_primitives::AccessDecision<BlockNumber> {
			Access::check_access(device, who, stream, permission)
		}

		fn grants_of(
			device: iotchain_primitives::DeviceId,
			start_after: Option<AccountId>,
			limit: u32,
		) -> Vec<(AccountId, pallet_access::Grant<Runtime>)> {
			Access::grants_of(device, start_after, limit)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_support::traits::StorageInfoTrait;

			let mut list = Vec::new();
			list_benchmarks!(list, extra);
			(list, AllPalletsWithSystem::storage_info())
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_support::traits::WhitelistedStorageKeys;

			let mut whitelist = AllPalletsWithSystem::whitelisted_storage_keys();
			// Written by the timestamp inherent at the start of every block: read from the
			// block's overlay afterwards (anchors read it for their records).
			whitelist.push(pallet_timestamp::Now::<Runtime>::hashed_key().to_vec().into());
			let mut batches = Vec::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}
}
