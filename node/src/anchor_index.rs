//! The node's index of final anchors, from which `iotchain_anchorProof` finds an anchor's block.
//!
//! The runtime writes each block's anchor records to the off-chain index under the block's hash
//! (see `pallet_anchors`): that says what is *in* a block, not *where* an anchor is. This task
//! follows finality and, for every finalized block, maps each record of its parent to the
//! parent's number: `(device, stream, seq) → block`. Only finalized blocks are indexed, so the
//! index never points into an abandoned fork; the anchors of block `N` are indexed when block
//! `N + 1` is final, which is also when they become provable (its MMR leaf commits to them).
//!
//! Everything lives in the node's off-chain database, next to the MMR nodes, and survives a
//! restart: the last indexed block is stored with the entries and the task catches up from it.

use std::sync::Arc;

use codec::{Decode, Encode};
use futures::StreamExt;
use iotchain_primitives::{block_anchors_key, BlockNumber, DeviceId, Seq, StreamId};
use iotchain_runtime::{opaque::Block, AccountId};
use polkadot_sdk::{
	sc_client_api::BlockchainEvents,
	sp_blockchain::HeaderBackend,
	sp_core::{
		offchain::{OffchainStorage, STORAGE_PREFIX},
		H256,
	},
};

/// An anchor record as the off-chain index holds it.
pub type Record = iotchain_primitives::AnchorRecord<AccountId, u64, Vec<u8>>;

const INDEX_PREFIX: &[u8] = b"iotchain:anchors:index";
const INDEXED_UP_TO: &[u8] = b"iotchain:anchors:indexed";
const LOG_TARGET: &str = "iotchain::anchor-index";

/// Reads and writes the index in the node's off-chain storage.
#[derive(Clone)]
pub struct AnchorIndex<S> {
	storage: S,
}

impl<S: OffchainStorage> AnchorIndex<S> {
	pub fn new(storage: S) -> Self {
		Self { storage }
	}

	/// The block of the final anchor under `seq` of `stream` of `device` (a batch under its
	/// first `seq`).
	pub fn block_of(&self, device: &DeviceId, stream: StreamId, seq: Seq) -> Option<BlockNumber> {
		let value = self.storage.get(STORAGE_PREFIX, &(INDEX_PREFIX, device, stream, seq).encode());
		value.and_then(|value| BlockNumber::decode(&mut &value[..]).ok())
	}

	/// The anchor records of the block with hash `block_hash`, in anchoring order (`None` if it
	/// has none, or its child was not imported yet).
	pub fn records(&self, block_hash: &H256) -> Option<Vec<Record>> {
		let value = self.storage.get(STORAGE_PREFIX, &block_anchors_key(block_hash))?;
		Vec::<Record>::decode(&mut &value[..]).ok()
	}

	/// The last finalized block whose parent's anchors are indexed.
	pub fn indexed_up_to(&self) -> BlockNumber {
		let value = self.storage.get(STORAGE_PREFIX, INDEXED_UP_TO);
		value.and_then(|value| BlockNumber::decode(&mut &value[..]).ok()).unwrap_or_default()
	}

	/// Indexes the anchors of finalized blocks up to the parent of `finalized`.
	fn catch_up<C: HeaderBackend<Block>>(&mut self, client: &C, finalized: BlockNumber) {
		for number in self.indexed_up_to().saturating_add(1)..=finalized {
			let parent = number - 1;
			let Ok(Some(parent_hash)) = client.hash(parent) else {
				log::warn!(target: LOG_TARGET, "no hash for finalized block {parent}");
				return;
			};
			for record in self.records(&parent_hash).unwrap_or_default() {
				let key = (INDEX_PREFIX, record.device_id, record.stream, record.seq).encode();
				self.storage.set(STORAGE_PREFIX, &key, &parent.encode());
			}
			self.storage.set(STORAGE_PREFIX, INDEXED_UP_TO, &number.encode());
		}
	}
}

/// Keeps the index up to date with finality, from wherever it stopped.
pub async fn run<C, S>(client: Arc<C>, mut index: AnchorIndex<S>)
where
	C: HeaderBackend<Block> + BlockchainEvents<Block>,
	S: OffchainStorage,
{
	let mut finality = client.finality_notification_stream();
	index.catch_up(&*client, client.info().finalized_number);
	log::info!(target: LOG_TARGET, "anchors indexed up to block {}", index.indexed_up_to());
	while let Some(notification) = finality.next().await {
		index.catch_up(&*client, notification.header.number);
	}
}
