//! # Anchors pallet
//!
//! The data-integrity heart of iotchain: once the fingerprint of a reading is anchored, nobody —
//! not the device, not its owner, not a validator — can rewrite or silently drop it.
//!
//! ## Model
//!
//! A device has streams ([`StreamId`], chosen by the application: temperature, GPS, …). Each
//! (device, stream) has a hash chain whose [`AnchorHead`] is in [`Heads`]; every anchor extends
//! it with [`next_head`]`(head, seq, digest)` (defined once in `iotchain-primitives` and used by
//! clients too), so a client that kept its readings can recompute the head and prove nothing
//! was dropped or reordered.
//!
//! Sequence numbers come from the device and start at 1. An anchor at or below the stream's
//! last `seq` is refused ([`Error::StaleSequence`]: a replay or a rollback); one above
//! `last + 1` is accepted with a [`Event::GapDetected`] event, so suppressed readings become
//! visible. A gap is bounded: at most [`Config::MaxSeqGap`] readings may be skipped in one
//! anchor ([`Error::SeqGapTooLarge`]), so no writer (a leaked key before it is reported, a
//! gateway's grant) can push a stream to `u64::MAX` and brick it: at 10⁶ that takes 10¹³
//! anchors. A device has at most [`Config::MaxStreamsPerDevice`] streams
//! ([`Error::TooManyStreams`]); their heads are paid for by the device's registry deposit and go
//! when the device is retired.
//!
//! A batch commits `count` readings with consecutive sequence numbers in one Merkle root whose
//! leaves are `seq ‖ digest` ([`merkle_root`]; the `binary-merkle-tree` crate, the same code in
//! runtime and clients). It is one step of the hash chain, recorded under its first `seq`.
//!
//! ## Who may anchor
//!
//! - [`anchor`](Pallet::anchor) and [`anchor_batch`](Pallet::anchor_batch) without a device id:
//!   the **device key** itself (resolved through [`DeviceRegistry`]).
//! - [`anchor_for`](Pallet::anchor_for) and `anchor_batch` with a device id: the device's owner,
//!   or an account holding [`Permission::Write`] on that stream ([`AccessControl`]), such as a
//!   gateway for legacy sensors.
//! - In every case the device must be `Active`: a suspended, compromised or retired device's
//!   data cannot be anchored.
//!
//! ## Free anchoring for devices
//!
//! A device key holds no funds: it exists through the registry's provider reference. An active
//! device may anchor (`anchor`, `anchor_batch` without a device id) **without fees**, up to
//! [`Config::FreeAnchorsPerWindow`] anchors in each window of [`Config::FreeWindow`] blocks.
//! This uses FRAME's `#[pallet::feeless_if]` with `pallet-skip-feeless-payment` wrapping the
//! runtime's `ChargeTransactionPayment`: while the quota lasts, the fee check is skipped; past
//! it, the transaction must pay like any other, which a zero-balance key cannot, so the
//! transaction pool and block building reject it before inclusion.
//!
//! Free transactions cannot pile up in the pool either: the runtime's [`CheckFreeAnchor`]
//! transaction extension gives every free anchor the tag (device, window, anchors used), so
//! two free anchors of one device validated against the same state conflict and the pool keeps
//! one. A device has at most one free anchor waiting at a time (never more than its remaining
//! quota); the next is accepted once the first is in a block. The tag lives until the window
//! ends. The extension also accounts the storage reads of the free-anchor check in the
//! transaction's weight. Only an anchor that will
//! succeed is free (active device, next sequence number, bounds respected): the rule checks the
//! same conditions as the call, on the same state, so a free transaction can never be included
//! just to fail — failing calls revert their storage changes, which would otherwise leave the
//! quota untouched. The quota is counted when the anchor executes, and the rule is re-checked
//! for every transaction as a block is built, so exactly `FreeAnchorsPerWindow` free anchors fit
//! in a window. A device whose key does hold funds pays normally once its quota is used.
//!
//! ## Records: in blocks, not in state
//!
//! An anchor adds **no storage entry**: it rewrites its stream's head and, for a device's own
//! anchor, its quota entry; both are bounded per device. The anchor's [`AnchorRecord`] (device,
//! stream, seq, kind, digest, submitter, timestamp, URI) is kept where it costs validators
//! nothing after the block, yet stays provable forever:
//!
//! 1. While a block is built, its records gather in [`BlockAnchors`]. When it is finalized
//!    (`on_finalize`), their [`block_anchors_root`] (a binary Merkle root over the SCALE
//!    records) and count go to [`BlockCommitment`].
//! 2. The next block, the first to know the block's hash, writes the records to the node's
//!    off-chain index under [`block_anchors_key`]`(hash)` (`sp_io::offchain_index`: every node
//!    importing the block stores them, outside the state trie; blocks on competing forks have
//!    different hashes, so they never overwrite each other) and empties [`BlockAnchors`].
//! 3. The same block's MMR leaf (`pallet-mmr`, with this pallet as its `LeafDataProvider`) is
//!    the [`BlockAnchors`](iotchain_primitives::BlockAnchors) leaf: block number and hash,
//!    anchors root and count. The MMR root, in state at every block, thereby commits to every
//!    anchor ever made.
//!
//! So an anchor in block `N` is provable once block `N + 1` is final, by an
//! [`AnchorProof`](iotchain_primitives::AnchorProof): record → block root (Merkle proof) → MMR
//! leaf (MMR proof) → MMR root (storage proof) → the header of a finalized block the verifier
//! trusts. [`AnchorProof::verify`](iotchain_primitives::AnchorProof::verify) in
//! `iotchain-primitives` is the one check, used by the runtime API and by clients offline. The
//! node serves proofs (`iotchain_anchorProof`) from its off-chain index and the MMR nodes; the
//! state holds only the MMR's root, leaf count and peaks.
//!
//! Why this and not records in state: at 100 anchors an hour a device would add hundreds of MB
//! of state a year, which every validator carries and every later write pays for in trie depth.
//! The transient items are bounded by [`Config::MaxAnchorsPerBlock`], which
//! `integrity_test` checks is never reached before the block's weight limit; each anchor's
//! weight includes its share of the block commitment.
//!
//! ## Verification
//!
//! [`Pallet::verify_anchor_proof`] checks a proof against a trusted block hash (statelessly);
//! [`Pallet::verify_reading`] also says whether a reading is the one anchored, and whether it
//! was anchored while the device's key was reported compromised (suspect).
//! [`Pallet::anchor_head`] returns a stream's head. These are the `AnchorsApi` runtime API.
//!
//! ## Other pallets
//!
//! The pallet implements [`DeviceLifecycleHooks`]: a retired device's stream heads and quota
//! entry go (its records stay provable through the MMR).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod extension;
mod features;
mod impls;
mod invariants;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use extension::CheckFreeAnchor;
pub use iotchain_primitives::{
	block_anchors_key, block_anchors_root, merkle_root, next_head, AccessControl, AnchorHead,
	AnchorKind, AnchorProof, AnchorProofError, DeviceId, DeviceLifecycleHooks, DeviceRegistry,
	MerkleProof, Permission, ProvenAnchor, Seq, StreamId, Verification,
};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use polkadot_sdk::{frame_support, frame_system, sp_core::H256, sp_runtime};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>, Hash = H256>
	{
		/// The device registry: who is a device, who owns it, is it active or compromised.
		type Registry: DeviceRegistry<Self::AccountId, BlockNumberFor<Self>>;

		/// Who besides the owner may anchor a device's data (`Write` grants).
		type Access: AccessControl<Self::AccountId, BlockNumberFor<Self>>;

		/// The chain's clock, recorded with every anchor.
		type Time: Time;

		/// The maximum length of an anchor's URI, in bytes.
		#[pallet::constant]
		type MaxUriLen: Get<u32>;

		/// The maximum number of readings in one batch.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;

		/// The most sequence numbers one anchor may skip (its `seq` minus the stream's last,
		/// minus one).
		#[pallet::constant]
		type MaxSeqGap: Get<Seq>;

		/// The most streams a device may have.
		#[pallet::constant]
		type MaxStreamsPerDevice: Get<u32>;

		/// The most anchors in one block: at least what the block's weight allows (checked by
		/// `integrity_test`), so it never limits anchoring.
		#[pallet::constant]
		type MaxAnchorsPerBlock: Get<u32>;

		/// How many anchors an active device may submit without fees per window.
		#[pallet::constant]
		type FreeAnchorsPerWindow: Get<u32>;

		/// The length of a free-anchor window, in blocks (windows start at multiples of it).
		#[pallet::constant]
		type FreeWindow: Get<BlockNumberFor<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes the devices and grants the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// The head of each (device, stream) hash chain.
	#[pallet::storage]
	pub type Heads<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		DeviceId,
		Twox64Concat,
		StreamId,
		AnchorHead<BlockNumberFor<T>>,
	>;

	/// The number of streams of each device (entries in [`Heads`]).
	#[pallet::storage]
	pub type StreamCount<T: Config> = StorageMap<_, Blake2_128Concat, DeviceId, u32, ValueQuery>;

	/// The records of the anchors of the block being built, in anchoring order; then, until the
	/// next block starts and moves them to the off-chain index, of the previous block.
	///
	/// Whitelisted in the benchmarks: every block reads and clears it at `on_initialize`, so an
	/// anchor's append finds it in the block's overlay, not in the database.
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type BlockAnchors<T: Config> =
		StorageValue<_, BoundedVec<AnchorRecordOf<T>, T::MaxAnchorsPerBlock>, ValueQuery>;

	/// The [`block_anchors_root`] and number of the previous block's anchors (absent if it had
	/// none): what the next MMR leaf commits to.
	#[pallet::storage]
	pub type BlockCommitment<T: Config> = StorageValue<_, (H256, u32)>;

	/// The free anchors each device used in its current window.
	#[pallet::storage]
	pub type FreeAnchorsUsed<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, QuotaUsage<BlockNumberFor<T>>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Data was anchored: a reading (`count` 1) or a batch of `count` readings from `seq`,
		/// extending the stream's hash chain to `head`.
		Anchored {
			device_id: DeviceId,
			stream: StreamId,
			seq: Seq,
			count: u32,
			digest: H256,
			submitter: T::AccountId,
			head: H256,
		},
		/// Sequence numbers were skipped: `expected` was next, `got` was anchored. The readings
		/// in between were never anchored.
		GapDetected { device_id: DeviceId, stream: StreamId, expected: Seq, got: Seq },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not the current key of any device.
		NotADevice,
		/// No device is registered under this id.
		UnknownDevice,
		/// The device is not active (suspended, compromised or retired): its data cannot be
		/// anchored.
		DeviceNotActive,
		/// The signer is neither the device's owner nor holds `Write` on this stream.
		NotAllowed,
		/// The sequence number is not above the stream's last one: a replay or a rollback.
		StaleSequence,
		/// The sequence number skips more than `MaxSeqGap` readings after the stream's last.
		SeqGapTooLarge,
		/// The batch's sequence numbers would overflow.
		SequenceOverflow,
		/// A batch must contain at least one reading.
		EmptyBatch,
		/// A batch may contain at most `MaxBatchSize` readings.
		BatchTooLarge,
		/// The device already has `MaxStreamsPerDevice` streams.
		TooManyStreams,
		/// The block holds `MaxAnchorsPerBlock` anchors already (never before its weight limit).
		BlockAnchorsFull,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Moves the previous block's anchors to the off-chain index. Returns the fixed part of
		/// this and of `on_finalize`; each anchor's weight includes its share of both.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			Self::index_parent_anchors();
			T::WeightInfo::index_block_anchors(0)
				.saturating_add(T::WeightInfo::commit_block_anchors(0))
		}

		fn on_finalize(_: BlockNumberFor<T>) {
			Self::commit_block_anchors();
		}

		fn integrity_test() {
			let max_block = T::BlockWeights::get().max_block.ref_time();
			let lightest = [
				T::WeightInfo::anchor(),
				T::WeightInfo::anchor_for(),
				T::WeightInfo::anchor_batch(),
			]
			.into_iter()
			.map(|weight| Self::with_block_share(weight).ref_time())
			.min()
			.unwrap_or_default()
			.max(1);
			assert!(
				u64::from(T::MaxAnchorsPerBlock::get()) >= max_block / lightest,
				"MaxAnchorsPerBlock must not limit anchoring before the block weight does",
			);
			assert!(T::MaxStreamsPerDevice::get() > 0, "a device needs at least one stream");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Anchor the `digest` of reading `seq` of `stream`, signed by the device key itself.
		///
		/// Free of fees while the device's quota lasts (`FreeAnchorsPerWindow` per
		/// `FreeWindow` blocks). `uri` (at most `MaxUriLen` bytes) optionally points to the
		/// off-chain data.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::with_block_share(T::WeightInfo::anchor()))]
		#[pallet::feeless_if(|
			origin: &OriginFor<T>,
			stream: &StreamId,
			seq: &Seq,
			_digest: &H256,
			_uri: &Option<UriOf<T>>,
		| -> bool {
			Pallet::<T>::is_free_anchor(origin, *stream, *seq, AnchorKind::Reading)
		})]
		pub fn anchor(
			origin: OriginFor<T>,
			stream: StreamId,
			seq: Seq,
			digest: H256,
			uri: Option<UriOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let device_id = Self::device_of_signer(&who)?;
			Self::do_anchor(who, device_id, stream, seq, AnchorKind::Reading, digest, uri, true)
		}

		/// Anchor the `digest` of reading `seq` of `stream` of `device_id`, on its behalf: by
		/// the device's owner or an account with `Write` on the stream (e.g. a gateway).
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::with_block_share(T::WeightInfo::anchor_for()))]
		pub fn anchor_for(
			origin: OriginFor<T>,
			device_id: DeviceId,
			stream: StreamId,
			seq: Seq,
			digest: H256,
			uri: Option<UriOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_writer(&who, &device_id, stream)?;
			Self::do_anchor(who, device_id, stream, seq, AnchorKind::Reading, digest, uri, false)
		}

		/// Anchor a batch of `count` readings with sequence numbers `first_seq ..
		/// first_seq + count` as one Merkle root (leaves `seq ‖ digest`).
		///
		/// Without `device_id`, signed by the device key (free within the quota, like
		/// `anchor`); with it, by the owner or a `Write` holder on the stream.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::with_block_share(T::WeightInfo::anchor_batch()))]
		#[pallet::feeless_if(|
			origin: &OriginFor<T>,
			device_id: &Option<DeviceId>,
			stream: &StreamId,
			first_seq: &Seq,
			count: &u32,
			_merkle_root: &H256,
			_uri: &Option<UriOf<T>>,
		| -> bool {
			let kind = AnchorKind::Batch { count: *count };
			device_id.is_none() && Pallet::<T>::is_free_anchor(origin, *stream, *first_seq, kind)
		})]
		pub fn anchor_batch(
			origin: OriginFor<T>,
			device_id: Option<DeviceId>,
			stream: StreamId,
			first_seq: Seq,
			count: u32,
			merkle_root: H256,
			uri: Option<UriOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (device_id, by_device) = match device_id {
				None => (Self::device_of_signer(&who)?, true),
				Some(device_id) => {
					Self::ensure_writer(&who, &device_id, stream)?;
					(device_id, false)
				},
			};
			let kind = AnchorKind::Batch { count };
			Self::do_anchor(who, device_id, stream, first_seq, kind, merkle_root, uri, by_device)
		}
	}
}
