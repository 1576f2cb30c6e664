//! Unit tests of every call and error path, the free-anchor quota, stream limits and the block
//! commitment.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{CheckIfFeeless, DispatchResult},
};
use iotchain_primitives::{fold_heads, Custody, DeviceStatus, SuspendedBy, GENESIS_HEAD};
use polkadot_sdk::{sp_crypto_hashing::blake2_256, sp_io, sp_runtime::DispatchError};

const STREAM: StreamId = 7;
const OTHER_STREAM: StreamId = 8;

fn digest(n: u64) -> H256 {
	H256(blake2_256(&n.to_le_bytes()))
}

fn anchor(who: AccountId, seq: Seq) -> DispatchResult {
	AnchorsPallet::anchor(RuntimeOrigin::signed(who), STREAM, seq, digest(seq), None)
}

fn anchor_for(who: AccountId, stream: StreamId, seq: Seq) -> DispatchResult {
	AnchorsPallet::anchor_for(RuntimeOrigin::signed(who), DEVICE, stream, seq, digest(seq), None)
}

/// Runs `f` on a fresh chain and checks the pallet's invariants at the end.
fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		AnchorsPallet::do_try_state().expect("the anchors invariants hold");
	});
}

fn uri(text: &[u8]) -> Option<UriOf<Test>> {
	Some(text.to_vec().try_into().expect("within MaxUriLen"))
}

/// The record of the anchor at `seq` of `stream` of the device in the current block.
fn record(stream: StreamId, seq: Seq) -> Option<AnchorRecordOf<Test>> {
	BlockAnchors::<Test>::get()
		.into_iter()
		.find(|r| r.device_id == DEVICE && r.stream == stream && r.seq == seq)
}

fn head() -> AnchorHead<BlockNumber> {
	Heads::<Test>::get(DEVICE, STREAM).expect("stream has a head")
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::AnchorsPallet(e) => Some(e),
			_ => None,
		})
		.collect()
}

mod anchor {
	use super::*;

	#[test]
	fn by_the_device_records_and_extends_the_chain() {
		test(|| {
			assert_ok!(AnchorsPallet::anchor(
				RuntimeOrigin::signed(DEVICE_KEY),
				STREAM,
				1,
				digest(1),
				uri(b"ipfs://bafy"),
			));
			let record = record(STREAM, 1).unwrap();
			assert_eq!(
				record,
				AnchorRecordOf::<Test> {
					device_id: DEVICE,
					stream: STREAM,
					seq: 1,
					kind: AnchorKind::Reading,
					digest: digest(1),
					submitter: DEVICE_KEY,
					custody: Custody::Device,
					timestamp: 1_000,
					uri: uri(b"ipfs://bafy"),
				}
			);
			assert_eq!(StreamCount::<Test>::get(DEVICE), 1);

			let expected = next_head(&GENESIS_HEAD, 1, &digest(1));
			assert_eq!(head(), AnchorHead { seq: 1, head: expected, count: 1, last_block: 1 });
			assert_eq!(
				events(),
				vec![Event::Anchored {
					device_id: DEVICE,
					stream: STREAM,
					seq: 1,
					count: 1,
					digest: digest(1),
					submitter: DEVICE_KEY,
					head: expected,
				}]
			);
			// Streams are independent.
			assert!(Heads::<Test>::get(DEVICE, OTHER_STREAM).is_none());
		});
	}

	#[test]
	fn refuses_replayed_and_rolled_back_sequence_numbers() {
		test(|| {
			assert_noop!(anchor(DEVICE_KEY, 0), Error::<Test>::StaleSequence);
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_ok!(anchor(DEVICE_KEY, 2));
			assert_noop!(anchor(DEVICE_KEY, 2), Error::<Test>::StaleSequence);
			assert_noop!(anchor(DEVICE_KEY, 1), Error::<Test>::StaleSequence);
			// Nothing was overwritten.
			assert_eq!(record(STREAM, 2).unwrap().digest, digest(2));
			assert_eq!(head().count, 2);
		});
	}

	#[test]
	fn accepts_a_gap_and_reports_it() {
		test(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			System::reset_events();
			assert_ok!(anchor(DEVICE_KEY, 5));
			assert_eq!(
				events()[0],
				Event::GapDetected { device_id: DEVICE, stream: STREAM, expected: 2, got: 5 }
			);
			assert_eq!(head().seq, 5);
			// The first anchor of a stream is expected at 1.
			System::reset_events();
			assert_ok!(AnchorsPallet::anchor(
				RuntimeOrigin::signed(DEVICE_KEY),
				OTHER_STREAM,
				3,
				digest(3),
				None
			));
			assert_eq!(
				events()[0],
				Event::GapDetected { device_id: DEVICE, stream: OTHER_STREAM, expected: 1, got: 3 }
			);
		});
	}

	#[test]
	fn only_by_a_device_key() {
		test(|| {
			assert_noop!(anchor(OWNER, 1), Error::<Test>::NotADevice);
			assert_noop!(anchor(STRANGER, 1), Error::<Test>::NotADevice);
			assert_noop!(
				AnchorsPallet::anchor(RuntimeOrigin::none(), STREAM, 1, digest(1), None),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn not_while_suspended_compromised_or_retired() {
		test(|| {
			for status in [
				DeviceStatus::Suspended { by: SuspendedBy::Transfer },
				DeviceStatus::Compromised { since: 1 },
				DeviceStatus::Retired,
			] {
				set_status(status);
				let error = if status == DeviceStatus::Retired {
					// A retired device's key no longer resolves to it.
					Error::<Test>::NotADevice
				} else {
					Error::<Test>::DeviceNotActive
				};
				assert_noop!(anchor(DEVICE_KEY, 1), error);
				assert_noop!(anchor_for(OWNER, STREAM, 1), Error::<Test>::DeviceNotActive);
			}
		});
	}

	#[test]
	fn a_uri_over_the_limit_does_not_decode() {
		let call = |len: usize| {
			let uri = Some(vec![b'x'; len]);
			// `anchor` as a client would encode it, with an unbounded byte string.
			(2u8, 0u8, STREAM, 1 as Seq, digest(1), uri).encode()
		};
		assert!(RuntimeCall::decode(&mut &call(MAX_URI_LEN as usize)[..]).is_ok());
		assert!(RuntimeCall::decode(&mut &call(MAX_URI_LEN as usize + 1)[..]).is_err());
	}

	/// Attack 4: a writer anchors `u64::MAX`, after which every anchor is stale for good.
	#[test]
	fn attack_a_writer_bricks_the_stream_with_seq_max() {
		test(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_noop!(anchor(DEVICE_KEY, Seq::MAX), Error::<Test>::SeqGapTooLarge);
			// The same through a gateway's write grant, or in a batch.
			WriteGrants::mutate(|g| g.push((DEVICE, GATEWAY, STREAM, 100)));
			assert_noop!(anchor_for(GATEWAY, STREAM, Seq::MAX), Error::<Test>::SeqGapTooLarge);
			assert_noop!(
				AnchorsPallet::anchor_batch(
					RuntimeOrigin::signed(DEVICE_KEY),
					None,
					STREAM,
					Seq::MAX - 1,
					2,
					digest(9),
					None
				),
				Error::<Test>::SeqGapTooLarge
			);
			assert_ok!(anchor(DEVICE_KEY, 2));
		});
	}

	#[test]
	fn a_gap_may_skip_max_seq_gap_readings_and_no_more() {
		test(|| {
			// A fresh stream's last seq is 0: seq 1 + MAX_SEQ_GAP skips exactly MAX_SEQ_GAP.
			assert_noop!(anchor(DEVICE_KEY, MAX_SEQ_GAP + 2), Error::<Test>::SeqGapTooLarge);
			assert_ok!(anchor(DEVICE_KEY, MAX_SEQ_GAP + 1));
			let last = MAX_SEQ_GAP + 1;
			assert_noop!(anchor(DEVICE_KEY, last + MAX_SEQ_GAP + 2), Error::<Test>::SeqGapTooLarge);
			assert_ok!(anchor(DEVICE_KEY, last + MAX_SEQ_GAP + 1));
			assert_eq!(head().seq, last + MAX_SEQ_GAP + 1);
		});
	}
}

mod anchor_for {
	use super::*;

	#[test]
	fn by_the_owner() {
		test(|| {
			assert_ok!(anchor_for(OWNER, STREAM, 1));
			assert_eq!(record(STREAM, 1).unwrap().submitter, OWNER);
		});
	}

	#[test]
	fn by_a_gateway_only_on_its_stream_and_until_expiry() {
		test(|| {
			assert_noop!(anchor_for(GATEWAY, STREAM, 1), Error::<Test>::NotAllowed);
			WriteGrants::set(vec![(DEVICE, GATEWAY, STREAM, 5)]);
			assert_ok!(anchor_for(GATEWAY, STREAM, 1));
			assert_noop!(anchor_for(GATEWAY, OTHER_STREAM, 1), Error::<Test>::NotAllowed);
			System::set_block_number(4);
			assert_ok!(anchor_for(GATEWAY, STREAM, 2));
			System::set_block_number(5);
			assert_noop!(anchor_for(GATEWAY, STREAM, 3), Error::<Test>::NotAllowed);
		});
	}

	#[test]
	fn not_by_strangers_or_the_device_key_or_for_unknown_devices() {
		test(|| {
			assert_noop!(anchor_for(STRANGER, STREAM, 1), Error::<Test>::NotAllowed);
			// The device key anchors with `anchor`, not on its own behalf.
			assert_noop!(anchor_for(DEVICE_KEY, STREAM, 1), Error::<Test>::NotAllowed);
			assert_noop!(
				AnchorsPallet::anchor_for(
					RuntimeOrigin::signed(OWNER),
					DeviceId::repeat_byte(9),
					STREAM,
					1,
					digest(1),
					None
				),
				Error::<Test>::UnknownDevice
			);
		});
	}
}

mod anchor_batch {
	use super::*;

	fn batch(first_seq: Seq, count: u32) -> (Vec<H256>, H256) {
		let digests: Vec<H256> = (first_seq..first_seq + count as u64).map(digest).collect();
		let root = merkle_root(first_seq, &digests);
		(digests, root)
	}

	#[test]
	fn by_the_device_commits_consecutive_readings() {
		test(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			let (_, root) = batch(2, 5);
			assert_ok!(AnchorsPallet::anchor_batch(
				RuntimeOrigin::signed(DEVICE_KEY),
				None,
				STREAM,
				2,
				5,
				root,
				None
			));
			let record = record(STREAM, 2).unwrap();
			assert_eq!(record.kind, AnchorKind::Batch { count: 5 });
			assert_eq!(record.digest, root);
			assert_eq!(head().seq, 6);
			assert_eq!(head().count, 2);
			assert_eq!(head().head, fold_heads([(1, &digest(1)), (2, &root)]));
			// The batch covers 2..=6: the next anchor is 7, anything below is stale.
			assert_noop!(anchor(DEVICE_KEY, 6), Error::<Test>::StaleSequence);
			assert_ok!(anchor(DEVICE_KEY, 7));
		});
	}

	#[test]
	fn by_a_gateway_with_write_on_the_stream() {
		test(|| {
			let (_, root) = batch(1, 10);
			let by_gateway = |stream| {
				AnchorsPallet::anchor_batch(
					RuntimeOrigin::signed(GATEWAY),
					Some(DEVICE),
					stream,
					1,
					10,
					root,
					None,
				)
			};
			assert_noop!(by_gateway(STREAM), Error::<Test>::NotAllowed);
			WriteGrants::set(vec![(DEVICE, GATEWAY, STREAM, 100)]);
			assert_noop!(by_gateway(OTHER_STREAM), Error::<Test>::NotAllowed);
			assert_ok!(by_gateway(STREAM));
			assert_eq!(record(STREAM, 1).unwrap().submitter, GATEWAY);
			assert_eq!(record(STREAM, 1).unwrap().custody, Custody::Device);
			// Once the owner declares the gateway the key holder, its anchors record that.
			Gateways::set(vec![(DEVICE, GATEWAY)]);
			assert_ok!(AnchorsPallet::anchor_batch(
				RuntimeOrigin::signed(GATEWAY),
				Some(DEVICE),
				STREAM,
				11,
				10,
				root,
				None
			));
			assert_eq!(record(STREAM, 11).unwrap().custody, Custody::Gateway { account: GATEWAY });
			// Without a device id the gateway is taken for a device, which it is not.
			assert_noop!(
				AnchorsPallet::anchor_batch(
					RuntimeOrigin::signed(GATEWAY),
					None,
					STREAM,
					21,
					1,
					root,
					None
				),
				Error::<Test>::NotADevice
			);
		});
	}

	#[test]
	fn bounds_the_batch_and_its_sequence_numbers() {
		test(|| {
			let send = |first_seq, count| {
				AnchorsPallet::anchor_batch(
					RuntimeOrigin::signed(DEVICE_KEY),
					None,
					STREAM,
					first_seq,
					count,
					H256::repeat_byte(1),
					None,
				)
			};
			assert_noop!(send(1, 0), Error::<Test>::EmptyBatch);
			assert_noop!(send(1, MAX_BATCH + 1), Error::<Test>::BatchTooLarge);
			assert_ok!(send(1, MAX_BATCH));
			assert_eq!(head().seq, MAX_BATCH as u64);

			// A stream near the end of the sequence space (10¹³ anchors with the runtime's
			// `MaxSeqGap`): set up as a consistent one-anchor history.
			let far = Seq::MAX - 3;
			let far_head = next_head(&GENESIS_HEAD, far, &digest(far));
			Heads::<Test>::insert(
				DEVICE,
				STREAM,
				AnchorHead { seq: far, head: far_head, count: 1, last_block: 1 },
			);
			assert_noop!(send(Seq::MAX - 1, 3), Error::<Test>::SequenceOverflow);
			assert_ok!(send(Seq::MAX - 1, 2));
			assert_eq!(head().seq, Seq::MAX);
			assert_noop!(send(Seq::MAX, 1), Error::<Test>::StaleSequence);
		});
	}
}

mod free_quota {
	use super::*;

	fn is_feeless(who: AccountId, call: Call<Test>) -> bool {
		RuntimeCall::AnchorsPallet(call).is_feeless(&RuntimeOrigin::signed(who))
	}

	fn anchor_call(seq: Seq) -> Call<Test> {
		Call::anchor { stream: STREAM, seq, digest: digest(seq), uri: None }
	}

	#[test]
	fn an_active_device_anchors_free_up_to_the_quota_per_window() {
		test(|| {
			for seq in 1..=FREE_ANCHORS as u64 {
				assert!(is_feeless(DEVICE_KEY, anchor_call(seq)), "anchor {seq} is free");
				assert_ok!(anchor(DEVICE_KEY, seq));
			}
			assert_eq!(AnchorsPallet::free_anchors_used(&DEVICE), FREE_ANCHORS);
			let next = FREE_ANCHORS as u64 + 1;
			assert!(!is_feeless(DEVICE_KEY, anchor_call(next)), "over quota: pays");
			// A paid anchor (a device key with funds) still works, and uses no quota.
			assert_ok!(anchor(DEVICE_KEY, next));
			assert_eq!(AnchorsPallet::free_anchors_used(&DEVICE), FREE_ANCHORS);

			// A new window, a new quota.
			System::set_block_number(FREE_WINDOW - 1);
			assert!(!is_feeless(DEVICE_KEY, anchor_call(next + 1)));
			System::set_block_number(FREE_WINDOW);
			assert_eq!(AnchorsPallet::free_anchors_used(&DEVICE), 0);
			assert!(is_feeless(DEVICE_KEY, anchor_call(next + 1)));
			assert_ok!(anchor(DEVICE_KEY, next + 1));
			assert_eq!(
				FreeAnchorsUsed::<Test>::get(DEVICE).unwrap(),
				QuotaUsage { window_start: FREE_WINDOW, used: 1 }
			);
		});
	}

	#[test]
	fn device_batches_share_the_quota_and_gateways_never_ride_free() {
		test(|| {
			let device_batch = |first_seq| Call::anchor_batch {
				device_id: None,
				stream: STREAM,
				first_seq,
				count: 2,
				merkle_root: H256::repeat_byte(1),
				uri: None,
			};
			assert!(is_feeless(DEVICE_KEY, device_batch(1)));
			assert_ok!(AnchorsPallet::anchor_batch(
				RuntimeOrigin::signed(DEVICE_KEY),
				None,
				STREAM,
				1,
				2,
				H256::repeat_byte(1),
				None
			));
			assert_eq!(AnchorsPallet::free_anchors_used(&DEVICE), 1);

			WriteGrants::set(vec![(DEVICE, GATEWAY, STREAM, 100)]);
			let gateway_batch = Call::anchor_batch {
				device_id: Some(DEVICE),
				stream: STREAM,
				first_seq: 3,
				count: 2,
				merkle_root: H256::repeat_byte(1),
				uri: None,
			};
			assert!(!is_feeless(GATEWAY, gateway_batch.clone()));
			// Nor the device itself when naming its id: that is the paid path.
			assert!(!is_feeless(DEVICE_KEY, gateway_batch));
			assert!(!is_feeless(
				OWNER,
				Call::anchor_for {
					device_id: DEVICE,
					stream: STREAM,
					seq: 3,
					digest: digest(3),
					uri: None
				}
			));
		});
	}

	#[test]
	fn only_anchors_that_will_succeed_are_free() {
		test(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			// A replay would fail: it must pay, so a zero-balance key cannot get it included
			// (a failing call reverts its storage changes, the quota count included).
			assert!(!is_feeless(DEVICE_KEY, anchor_call(1)));
			// Nor one beyond the allowed gap.
			assert!(!is_feeless(DEVICE_KEY, anchor_call(MAX_SEQ_GAP + 3)));
			let batch = |count| Call::anchor_batch {
				device_id: None,
				stream: STREAM,
				first_seq: 2,
				count,
				merkle_root: H256::zero(),
				uri: None,
			};
			assert!(!is_feeless(DEVICE_KEY, batch(0)));
			assert!(!is_feeless(DEVICE_KEY, batch(MAX_BATCH + 1)));
			assert!(is_feeless(DEVICE_KEY, batch(MAX_BATCH)));
			assert!(is_feeless(DEVICE_KEY, anchor_call(2)));
		});
	}

	#[test]
	fn unregistered_suspended_and_unsigned_get_nothing_free() {
		test(|| {
			assert!(!is_feeless(STRANGER, anchor_call(1)));
			assert!(!RuntimeCall::AnchorsPallet(anchor_call(1)).is_feeless(&RuntimeOrigin::none()));
			set_status(DeviceStatus::Suspended { by: SuspendedBy::Owner });
			assert!(!is_feeless(DEVICE_KEY, anchor_call(1)));
			set_status(DeviceStatus::Compromised { since: 1 });
			assert!(!is_feeless(DEVICE_KEY, anchor_call(1)));
		});
	}
}

mod lifecycle {
	use super::*;

	#[test]
	fn a_retired_device_s_heads_and_quota_entry_go() {
		test(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_ok!(anchor_for(OWNER, OTHER_STREAM, 1));
			assert_eq!(AnchorsPallet::free_anchors_used(&DEVICE), 1);
			assert_eq!(StreamCount::<Test>::get(DEVICE), 2);
			next_block();
			set_status(DeviceStatus::Retired);
			assert!(!FreeAnchorsUsed::<Test>::contains_key(DEVICE));
			assert_eq!(Heads::<Test>::iter_prefix(DEVICE).count(), 0);
			assert!(!StreamCount::<Test>::contains_key(DEVICE));
		});
	}
}

mod streams {
	use super::*;

	#[test]
	fn a_device_has_at_most_max_streams_and_reuses_them_freely() {
		test(|| {
			for stream in 0..MAX_STREAMS {
				assert_ok!(anchor_for(OWNER, stream, 1));
			}
			assert_eq!(StreamCount::<Test>::get(DEVICE), MAX_STREAMS);
			assert_noop!(anchor_for(OWNER, MAX_STREAMS, 1), Error::<Test>::TooManyStreams);
			// The device key is held to the same limit, free or not.
			assert_noop!(
				AnchorsPallet::anchor(
					RuntimeOrigin::signed(DEVICE_KEY),
					MAX_STREAMS,
					1,
					digest(1),
					None
				),
				Error::<Test>::TooManyStreams
			);
			// Existing streams go on.
			assert_ok!(anchor_for(OWNER, 0, 2));
			assert_eq!(StreamCount::<Test>::get(DEVICE), MAX_STREAMS);
		});
	}
}

mod commitment {
	use super::*;
	use iotchain_primitives::{block_anchors_proof, BlockAnchors as Leaf};
	use polkadot_sdk::sp_mmr_primitives::LeafDataProvider;

	#[test]
	fn an_anchor_adds_no_storage_entry() {
		test(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_ok!(anchor_for(OWNER, OTHER_STREAM, 1));
			next_block();
			// Every key but the system pallet's (which keeps the last blocks' hashes).
			let system = polkadot_sdk::sp_crypto_hashing::twox_128(b"System");
			let keys = || {
				let mut keys = Vec::new();
				let mut key = Vec::new();
				while let Some(next) = sp_io::storage::next_key(&key) {
					if !next.starts_with(&system) {
						keys.push(next.clone());
					}
					key = next;
				}
				keys
			};
			let before = keys();
			for seq in 2..=200 {
				assert_ok!(anchor(DEVICE_KEY, seq));
				assert_ok!(anchor_for(OWNER, OTHER_STREAM, seq));
				next_block();
			}
			// The same keys: the streams' heads and count, the quota, the block commitment and
			// the timestamp.
			assert_eq!(keys(), before);
			assert_eq!(head().count, 200);
			assert_eq!(Heads::<Test>::get(DEVICE, OTHER_STREAM).unwrap().count, 200);
		});
	}

	#[test]
	fn each_block_commits_to_its_anchors_and_the_next_indexes_them_off_chain() {
		let mut ext = new_test_ext();
		let (block_hash, records) = ext.execute_with(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_ok!(anchor_for(OWNER, OTHER_STREAM, 1));
			assert_ok!(anchor(DEVICE_KEY, 2));
			let records = BlockAnchors::<Test>::get().into_inner();
			assert_eq!(records.len(), 3);
			assert_eq!(records[1].submitter, OWNER);

			next_block();
			// The root is recomputed from the block's records, in anchoring order.
			assert_eq!(BlockCommitment::<Test>::get(), Some((block_anchors_root(&records), 3)));
			assert!(BlockAnchors::<Test>::get().is_empty());
			let leaf = AnchorsPallet::leaf_data();
			assert_eq!(
				leaf,
				Leaf {
					block: 1,
					block_hash: System::parent_hash(),
					root: block_anchors_root(&records),
					count: 3
				}
			);
			// Each record is provable into the root.
			for (index, record) in records.iter().enumerate() {
				let proof = block_anchors_proof(&records, index as u32).unwrap();
				assert!(binary_merkle_tree_verify(&leaf.root, &proof, record));
			}

			// A block without anchors commits to nothing.
			next_block();
			assert_eq!(BlockCommitment::<Test>::get(), None);
			assert_eq!(AnchorsPallet::leaf_data().count, 0);
			assert_eq!(AnchorsPallet::leaf_data().root, H256::zero());
			AnchorsPallet::do_try_state().unwrap();
			(leaf.block_hash, records)
		});
		ext.persist_offchain_overlay();
		let stored = ext
			.offchain_db()
			.get(&block_anchors_key(&block_hash))
			.expect("the block's records are in the off-chain index");
		assert_eq!(Vec::<AnchorRecordOf<Test>>::decode(&mut &stored[..]).unwrap(), records);
	}

	fn binary_merkle_tree_verify(
		root: &H256,
		proof: &MerkleProof,
		record: &AnchorRecordOf<Test>,
	) -> bool {
		polkadot_sdk::binary_merkle_tree::verify_proof::<
			polkadot_sdk::sp_runtime::traits::BlakeTwo256,
			_,
			_,
		>(
			root,
			proof.items.iter().copied(),
			proof.number_of_leaves,
			proof.leaf_index,
			polkadot_sdk::binary_merkle_tree::Leaf::Value(&record.encode()[..]),
		)
	}

	#[test]
	fn a_full_block_refuses_more_anchors() {
		test(|| {
			MaxAnchorsPerBlock::set(2);
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_ok!(anchor(DEVICE_KEY, 2));
			assert_noop!(anchor(DEVICE_KEY, 3), Error::<Test>::BlockAnchorsFull);
			next_block();
			assert_ok!(anchor(DEVICE_KEY, 3));
			MaxAnchorsPerBlock::set(100_000);
		});
	}
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	proptest! {
		/// Whatever anchors are tried (stale, gapped, batches), the stored head is the fold of
		/// `next_head` over the accepted anchors, recomputed as a client would.
		#[test]
		fn head_equals_the_clients_recomputation(
			steps in prop::collection::vec((0u64..6, 1u32..4, any::<bool>(), any::<[u8; 32]>()), 1..40)
		) {
			new_test_ext().execute_with(|| {
				let mut accepted: Vec<(Seq, H256)> = Vec::new();
				let mut last = 0u64;
				for (jump, count, is_batch, bytes) in steps {
					// jump 0 replays the last seq; larger jumps leave gaps.
					let first_seq = if jump == 0 { last } else { last + jump };
					let digest = H256(bytes);
					let result = if is_batch {
						AnchorsPallet::anchor_batch(RuntimeOrigin::signed(DEVICE_KEY), None, STREAM, first_seq, count, digest, None)
					} else {
						AnchorsPallet::anchor(RuntimeOrigin::signed(DEVICE_KEY), STREAM, first_seq, digest, None)
					};
					if first_seq <= last {
						prop_assert_eq!(result, Err(Error::<Test>::StaleSequence.into()));
						continue;
					}
					prop_assert!(result.is_ok());
					accepted.push((first_seq, digest));
					last = first_seq + if is_batch { count as u64 - 1 } else { 0 };
				}
				let expected = fold_heads(accepted.iter().map(|(seq, d)| (*seq, d)));
				let head = Heads::<Test>::get(DEVICE, STREAM).map(|h| h.head).unwrap_or(GENESIS_HEAD);
				prop_assert_eq!(head, expected);
				prop_assert_eq!(
					Heads::<Test>::get(DEVICE, STREAM).map(|h| h.count).unwrap_or(0),
					accepted.len() as u64
				);
				// Nothing accepted was lost or changed: the block's records are the accepted
				// anchors, in order.
				let records: Vec<(Seq, H256)> =
					BlockAnchors::<Test>::get().iter().map(|r| (r.seq, r.digest)).collect();
				prop_assert_eq!(records, accepted);
				Ok(())
			})?;
		}
	}

	#[derive(Clone, Debug)]
	enum Action {
		Anchor { who: AccountId, stream: StreamId, jump: u64 },
		AnchorFor { who: AccountId, stream: StreamId, jump: u64 },
		Batch { who: AccountId, by_id: bool, stream: StreamId, jump: u64, count: u32 },
		Status(u8),
		GrantWrite { stream: StreamId, expires_in: u64 },
		Advance { blocks: u64 },
	}

	fn action() -> impl Strategy<Value = Action> {
		let who = prop_oneof![Just(OWNER), Just(DEVICE_KEY), Just(GATEWAY), Just(STRANGER)];
		let stream = prop_oneof![Just(STREAM), Just(OTHER_STREAM)];
		// Mostly small jumps, sometimes stale (0) or beyond the allowed gap.
		let jump =
			prop_oneof![4 => 0u64..4, 1 => Just(MAX_SEQ_GAP + 1), 1 => Just(MAX_SEQ_GAP + 2)];
		prop_oneof![
			3 => (who.clone(), stream.clone(), jump.clone())
				.prop_map(|(who, stream, jump)| Action::Anchor { who, stream, jump }),
			2 => (who.clone(), stream.clone(), jump.clone())
				.prop_map(|(who, stream, jump)| Action::AnchorFor { who, stream, jump }),
			2 => (who, any::<bool>(), stream.clone(), jump, 0u32..(MAX_BATCH + 2)).prop_map(
				|(who, by_id, stream, jump, count)| Action::Batch { who, by_id, stream, jump, count }
			),
			1 => (0u8..4).prop_map(Action::Status),
			1 => (stream, 1u64..10).prop_map(|(stream, expires_in)| Action::GrantWrite { stream, expires_in }),
			1 => (1u64..8).prop_map(|blocks| Action::Advance { blocks }),
		]
	}

	fn apply(action: Action) {
		let last = |stream| Heads::<Test>::get(DEVICE, stream).map_or(0, |h| h.seq);
		let now = System::block_number();
		// Results are not asserted: any call may fail, but none may panic or break an
		// invariant (checked after each one).
		let _ = match action {
			Action::Anchor { who, stream, jump } => AnchorsPallet::anchor(
				RuntimeOrigin::signed(who),
				stream,
				last(stream).saturating_add(jump),
				digest(jump),
				None,
			),
			Action::AnchorFor { who, stream, jump } => AnchorsPallet::anchor_for(
				RuntimeOrigin::signed(who),
				DEVICE,
				stream,
				last(stream).saturating_add(jump),
				digest(jump),
				None,
			),
			Action::Batch { who, by_id, stream, jump, count } => AnchorsPallet::anchor_batch(
				RuntimeOrigin::signed(who),
				by_id.then_some(DEVICE),
				stream,
				last(stream).saturating_add(jump),
				count,
				digest(jump + 7),
				None,
			),
			Action::Status(status) => {
				set_status(match status {
					0 => DeviceStatus::Active,
					1 => DeviceStatus::Suspended { by: SuspendedBy::Manager },
					2 => DeviceStatus::Compromised { since: now },
					_ => DeviceStatus::Retired,
				});
				Ok(())
			},
			Action::GrantWrite { stream, expires_in } => {
				WriteGrants::mutate(|g| g.push((DEVICE, GATEWAY, stream, now + expires_in)));
				Ok(())
			},
			Action::Advance { blocks } => {
				for _ in 0..blocks {
					next_block();
				}
				Ok(())
			},
		};
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

		#[test]
		fn random_calls_from_random_origins_keep_the_invariants(
			actions in prop::collection::vec(action(), 1..60)
		) {
			new_test_ext().execute_with(|| {
				for action in actions {
					apply(action.clone());
					if let Err(e) = AnchorsPallet::do_try_state() {
						panic!("after {action:?}: {e:?}");
					}
				}
			});
		}
	}
}
