//! The node service: client, transaction pool, networking, Aura block authoring and the GRANDPA
//! finality voter (or, for development, blocks sealed and finalized on a timer). Thin wiring of
//! polkadot-sdk components; no business logic lives here.

use std::{
	sync::{Arc, OnceLock, Weak},
	time::Duration,
};

use futures::{channel::oneshot, future::BoxFuture, FutureExt};

use iotchain_runtime::{
	apis::RuntimeApi,
	opaque::{Block, Hash},
};
use polkadot_sdk::{
	mmr_gadget, sc_basic_authorship,
	sc_client_api::{Backend as _, BlockBackend},
	sc_consensus,
	sc_consensus_aura::{self, ImportQueueParams, SlotProportion, StartAuraParams},
	sc_consensus_grandpa::{self, SharedVoterState},
	sc_consensus_manual_seal::{
		self, consensus::aura::AuraConsensusDataProvider, CreatedBlock, EngineCommand,
		ManualSealParams,
	},
	sc_executor, sc_network, sc_network_statement,
	sc_service::{
		self, error::Error as ServiceError, Configuration, SpawnEssentialTaskHandle, TaskManager,
		WarpSyncConfig,
	},
	sc_statement_store,
	sc_telemetry::{self, Telemetry, TelemetryWorker},
	sc_transaction_pool,
	sc_transaction_pool_api::OffchainTransactionPoolFactory,
	sp_consensus_aura::{
		self,
		sr25519::{AuthorityPair as AuraPair, AuthoritySignature as AuraSignature},
		Slot,
	},
	sp_core::traits::SpawnEssentialNamed,
	sp_io, sp_runtime, sp_timestamp,
};

pub(crate) type FullClient = sc_service::TFullClient<
	Block,
	RuntimeApi,
	sc_executor::WasmExecutor<sp_io::SubstrateHostFunctions>,
>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaBlockImport =
	sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;
type GrandpaLinkHalf = sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>;

type TransactionPool = sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;

/// How the node makes blocks.
#[derive(Clone, Copy, Debug)]
pub enum Sealing {
	/// A validator authors blocks in its Aura slots; GRANDPA finalizes them.
	Aura,
	/// `--dev --dev-block-time`: a block every period, sealed and finalized at once.
	Timer(Duration),
}

/// The transaction pool's spawner. Its background tasks are essential: if one ends while the
/// pool is in use, the node shuts down. They also end, by design, when the pool itself is
/// dropped at shutdown; that is not reported as a failure ("Essential task `txpool-background`
/// failed") but left to the task manager's exit.
#[derive(Clone)]
struct PoolTasks {
	essential: SpawnEssentialTaskHandle,
	pool: Arc<OnceLock<Weak<TransactionPool>>>,
}

impl PoolTasks {
	fn guard(&self, task: BoxFuture<'static, ()>) -> BoxFuture<'static, ()> {
		let pool = self.pool.clone();
		async move {
			task.await;
			if pool.get().is_some_and(|pool| pool.strong_count() == 0) {
				// The pool is gone: the node is stopping, and the task manager ends this task.
				std::future::pending::<()>().await;
			}
		}
		.boxed()
	}
}

impl SpawnEssentialNamed for PoolTasks {
	fn spawn_essential_blocking(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		task: BoxFuture<'static, ()>,
	) {
		self.essential.spawn_blocking(name, group, self.guard(task));
	}

	fn spawn_essential(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		task: BoxFuture<'static, ()>,
	) {
		self.essential.spawn(name, group, self.guard(task));
	}
}

/// The minimum period of blocks on which justifications will be imported and generated.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;

/// The parts of the service that the maintenance commands (`check-block`, `revert`, …) need.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	TransactionPool,
	(GrandpaBlockImport, GrandpaLinkHalf, Option<Telemetry>),
>;

/// Inherent data for a new block at `slot_duration`: the wall-clock timestamp and its slot.
fn slot_inherents(
	slot_duration: sc_consensus_aura::SlotDuration,
) -> (sp_consensus_aura::inherents::InherentDataProvider, sp_timestamp::InherentDataProvider) {
	let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
	let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
		*timestamp,
		slot_duration,
	);
	(slot, timestamp)
}

/// Commands to seal a block on the best block and finalize it, `period` after the previous
/// block was sealed. A failure is logged, as Aura logs its own; success needs no line of its own
/// (the block's import is logged).
fn seal_every(period: Duration) -> impl futures::Stream<Item = EngineCommand<Hash>> {
	type Outcome = oneshot::Receiver<Result<CreatedBlock<Hash>, sc_consensus_manual_seal::Error>>;
	futures::stream::unfold(None, move |previous: Option<Outcome>| async move {
		if let Some(Ok(Err(error))) = futures::future::OptionFuture::from(previous).await {
			log::warn!(target: "manual-seal", "Sealing a block failed: {error}");
		}
		futures_timer::Delay::new(period).await;
		let (sender, outcome) = oneshot::channel();
		let seal = EngineCommand::SealNewBlock {
			create_empty: true,
			finalize: true,
			parent_hash: None,
			sender: Some(sender),
		};
		Some((seal, Some(outcome)))
	})
}

/// The timestamp of a block sealed on a timer on top of `parent_hash`: one slot after the
/// parent's, or the wall clock if that is later. Aura requires every block in a later slot and
/// `pallet_timestamp` a minimum period between blocks, however fast they are sealed.
fn timer_sealed_timestamp(
	client: &FullClient,
	parent_hash: Hash,
	slot_duration: sc_consensus_aura::SlotDuration,
) -> Result<sp_timestamp::InherentDataProvider, Box<dyn std::error::Error + Send + Sync>> {
	let parent = client.header(parent_hash)?.ok_or("the parent block's header is missing")?;
	let parent_slot = sc_consensus_aura::find_pre_digest::<Block, AuraSignature>(&parent)?;
	let now = Slot::from_timestamp(sp_timestamp::Timestamp::current(), slot_duration);
	let timestamp = now
		.max(parent_slot + 1)
		.timestamp(slot_duration)
		.ok_or("the next slot's timestamp overflows")?;
	Ok(sp_timestamp::InherentDataProvider::new(timestamp))
}

/// Builds the client, backend, transaction pool and import queue.
pub fn new_partial(config: &Configuration) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<sp_io::SubstrateHostFunctions>(&config.executor);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			Vec::new(),
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let pool_tasks =
		PoolTasks { essential: task_manager.spawn_essential_handle(), pool: Default::default() };
	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			pool_tasks.clone(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);
	let _ = pool_tasks.pool.set(Arc::downgrade(&transaction_pool));

	let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
		client.clone(),
		GRANDPA_JUSTIFICATION_PERIOD,
		&client,
		select_chain.clone(),
		telemetry.as_ref().map(|x| x.handle()),
	)?;

	let cidp_client = client.clone();
	let import_queue =
		sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(ImportQueueParams {
			block_import: grandpa_block_import.clone(),
			justification_import: Some(Box::new(grandpa_block_import.clone())),
			client: client.clone(),
			create_inherent_data_providers: move |parent_hash, _| {
				let cidp_client = cidp_client.clone();
				async move {
					let slot_duration = sc_consensus_aura::standalone::slot_duration_at(
						&*cidp_client,
						parent_hash,
					)?;
					Ok(slot_inherents(slot_duration))
				}
			},
			spawner: &task_manager.spawn_essential_handle(),
			registry: config.prometheus_registry(),
			check_for_equivocation: Default::default(),
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			compatibility_mode: Default::default(),
		})?;

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (grandpa_block_import, grandpa_link, telemetry),
	})
}

/// The bounds of a node's statement store: at most 1 Mi statements and 1 GiB of data in all
/// (each account within its allowance on chain); the defaults for the rest.
fn statement_store_config() -> sc_statement_store::Config {
	sc_statement_store::Config {
		max_total_statements: 1 << 20,
		max_total_size: 1 << 30,
		..Default::default()
	}
}

/// Builds and starts a full node: networking, RPC, and either Aura authoring (if a validator) and
/// GRANDPA, or blocks sealed on a timer.
pub fn new_full<
	N: sc_network::NetworkBackend<Block, <Block as sp_runtime::traits::Block>::Hash>,
>(
	config: Configuration,
	sealing: Sealing,
) -> Result<TaskManager, ServiceError> {
	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (block_import, grandpa_link, mut telemetry),
	} = new_partial(&config)?;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<
		Block,
		<Block as sp_runtime::traits::Block>::Hash,
		N,
	>::new(&config.network, config.prometheus_registry().cloned());
	let metrics = N::register_notification_metrics(config.prometheus_registry());

	let genesis_hash = client
		.block_hash(0)?
		.ok_or_else(|| ServiceError::Other("the genesis block is missing".into()))?;
	let grandpa_protocol_name =
		sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
	let (grandpa_protocol_config, grandpa_notification_service) =
		sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
			grandpa_protocol_name.clone(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(grandpa_protocol_config);

	// Device-to-device messages travel as statements, gossiped between nodes on a protocol of
	// their own.
	let (statement_handler_prototype, statement_protocol_config) =
		sc_network_statement::StatementHandlerPrototype::new::<_, Block, N>(
			genesis_hash,
			config.chain_spec.fork_id(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(statement_protocol_config);

	let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
		backend.clone(),
		grandpa_link.shared_authority_set().clone(),
		Vec::default(),
	));

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	// The statement store, under the chain's data path: it admits a statement only from an
	// account with an allowance in the best block's state (the key and the owner of an active
	// device, see pallet-devices), within `statement_store_config`'s bounds.
	let statement_store_config = statement_store_config();
	let statement_store = sc_statement_store::Store::new_shared(
		&config.data_path,
		statement_store_config,
		client.clone(),
		keystore_container.local_keystore(),
		config.prometheus_registry(),
		Box::new(task_manager.spawn_handle()),
	)
	.map_err(|e| ServiceError::Other(format!("the statement store: {e}")))?;
	let statement_handler = {
		let spawn = task_manager.spawn_handle();
		statement_handler_prototype.build(
			network.clone(),
			sync_service.clone(),
			statement_store.clone(),
			config.prometheus_registry(),
			move |task| spawn.spawn("statement-validation", Some("networking"), task),
			statement_store_config.network_workers,
			statement_store_config.rate_limit,
		)?
	};
	task_manager.spawn_handle().spawn(
		"network-statement-handler",
		Some("networking"),
		statement_handler.run(),
	);

	let role = config.role;
	let force_authoring = config.force_authoring;
	let name = config.network.node_name.clone();
	let enable_grandpa = !config.disable_grandpa;
	let prometheus_registry = config.prometheus_registry().cloned();

	// Anchor proofs: the MMR gadget moves the MMR's nodes to their canonical off-chain keys as
	// blocks are finalized (and prunes abandoned forks'); the anchor index maps final anchors to
	// their blocks.
	let offchain_storage = backend.offchain_storage();
	if let Some(storage) = offchain_storage.clone() {
		task_manager.spawn_essential_handle().spawn(
			"mmr-gadget",
			None,
			mmr_gadget::MmrGadget::start(
				client.clone(),
				backend.clone(),
				iotchain_primitives::MMR_INDEXING_PREFIX.to_vec(),
			),
		);
		task_manager.spawn_essential_handle().spawn(
			"anchor-index",
			None,
			crate::anchor_index::run(
				client.clone(),
				crate::anchor_index::AnchorIndex::new(storage),
			),
		);
	}

	let rpc_extensions_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();

		let statement_store = statement_store.clone();

		Box::new(move |subscriptions| {
			let deps = crate::rpc::FullDeps {
				client: client.clone(),
				pool: pool.clone(),
				offchain_storage: offchain_storage.clone(),
				statement_store: statement_store.clone(),
				subscriptions,
			};
			crate::rpc::create_full(deps).map_err(Into::into)
		})
	};

	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: network.clone(),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder: rpc_extensions_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	// Only a node that makes blocks has a proposer (and its metrics).
	let proposer_factory = || {
		sc_basic_authorship::ProposerFactory::new(
			task_manager.spawn_handle(),
			client.clone(),
			transaction_pool.clone(),
			prometheus_registry.as_ref(),
			telemetry.as_ref().map(|x| x.handle()),
		)
	};
	let slot_duration = sc_consensus_aura::slot_duration(&*client)?;

	if let Sealing::Timer(period) = sealing {
		let sealing = sc_consensus_manual_seal::run_manual_seal(ManualSealParams {
			block_import,
			env: proposer_factory(),
			client: client.clone(),
			pool: transaction_pool,
			commands_stream: Box::pin(seal_every(period)),
			select_chain,
			consensus_data_provider: Some(Box::new(
				AuraConsensusDataProvider::new_with_slot_duration(slot_duration),
			)),
			create_inherent_data_providers: move |parent_hash, ()| {
				let client = client.clone();
				async move { timer_sealed_timestamp(&client, parent_hash, slot_duration) }
			},
		});
		// As Aura's authoring task: essential.
		task_manager.spawn_essential_handle().spawn_blocking(
			"manual-seal",
			Some("block-authoring"),
			sealing,
		);
		return Ok(task_manager);
	}

	if role.is_authority() {
		let proposer_factory = proposer_factory();
		let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
			StartAuraParams {
				slot_duration,
				client,
				select_chain,
				block_import,
				proposer_factory,
				create_inherent_data_providers: move |_, ()| async move {
					Ok(slot_inherents(slot_duration))
				},
				force_authoring,
				backoff_authoring_blocks: Option::<()>::None,
				keystore: keystore_container.keystore(),
				sync_oracle: sync_service.clone(),
				justification_sync_link: sync_service.clone(),
				block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
				max_block_proposal_slot_portion: None,
				telemetry: telemetry.as_ref().map(|x| x.handle()),
				compatibility_mode: Default::default(),
			},
		)?;

		// The authoring task is essential: if it fails, the node shuts down.
		task_manager.spawn_essential_handle().spawn_blocking("aura", Some("block-authoring"), aura);
	}

	if enable_grandpa {
		// A node that does not take part in consensus needs no keystore for GRANDPA.
		let keystore = if role.is_authority() { Some(keystore_container.keystore()) } else { None };

		let grandpa_config = sc_consensus_grandpa::Config {
			gossip_duration: Duration::from_millis(333),
			justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
			name: Some(name),
			observer_enabled: false,
			keystore,
			local_role: role,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			protocol_name: grandpa_protocol_name,
		};

		// Every node runs the full voter: it gives better guarantees of block and vote data
		// availability than the observer protocol.
		let grandpa_params = sc_consensus_grandpa::GrandpaParams {
			config: grandpa_config,
			link: grandpa_link,
			network,
			sync: Arc::new(sync_service),
			notification_service: grandpa_notification_service,
			voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
			prometheus_registry,
			shared_voter_state: SharedVoterState::empty(),
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
		};

		// The voter is essential: if it fails, the node shuts down.
		task_manager.spawn_essential_handle().spawn_blocking(
			"grandpa-voter",
			None,
			sc_consensus_grandpa::run_grandpa_voter(grandpa_params)?,
		);
	}

	Ok(task_manager)
}
