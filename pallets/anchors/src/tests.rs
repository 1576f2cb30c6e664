//! Unit tests of every call and error path, the free-anchor quota and verification.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{CheckIfFeeless, DispatchResult},
};
use iotchain_primitives::{fold_heads, merkle_proof, DeviceStatus, GENESIS_HEAD};
use polkadot_sdk::{sp_crypto_hashing::blake2_256, sp_runtime::DispatchError};

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
		new_test_ext().execute_with(|| {
			assert_ok!(AnchorsPallet::anchor(
				RuntimeOrigin::signed(DEVICE_KEY),
				STREAM,
				1,
				digest(1),
				Some(b"ipfs://bafy".to_vec()),
			));
			let record = Anchors::<Test>::get((DEVICE, STREAM, 1)).unwrap();
			assert_eq!(record.kind, AnchorKind::Reading);
			assert_eq!(record.digest, digest(1));
			assert_eq!(record.block, 1);
			assert_eq!(record.timestamp, 1_000);
			assert_eq!(record.submitter, DEVICE_KEY);
			assert_eq!(record.uri.unwrap().to_vec(), b"ipfs://bafy".to_vec());

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
		new_test_ext().execute_with(|| {
			assert_noop!(anchor(DEVICE_KEY, 0), Error::<Test>::StaleSequence);
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_ok!(anchor(DEVICE_KEY, 2));
			assert_noop!(anchor(DEVICE_KEY, 2), Error::<Test>::StaleSequence);
			assert_noop!(anchor(DEVICE_KEY, 1), Error::<Test>::StaleSequence);
			// Nothing was overwritten.
			assert_eq!(Anchors::<Test>::get((DEVICE, STREAM, 2)).unwrap().digest, digest(2));
			assert_eq!(head().count, 2);
		});
	}

	#[test]
	fn accepts_a_gap_and_reports_it() {
		new_test_ext().execute_with(|| {
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
		new_test_ext().execute_with(|| {
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
		new_test_ext().execute_with(|| {
			for status in [
				DeviceStatus::Suspended,
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
	fn refuses_a_uri_over_the_limit() {
		new_test_ext().execute_with(|| {
			let long = vec![b'x'; MAX_URI_LEN as usize + 1];
			assert_noop!(
				AnchorsPallet::anchor(
					RuntimeOrigin::signed(DEVICE_KEY),
					STREAM,
					1,
					digest(1),
					Some(long)
				),
				Error::<Test>::UriTooLong
			);
			let max = vec![b'x'; MAX_URI_LEN as usize];
			assert_ok!(AnchorsPallet::anchor(
				RuntimeOrigin::signed(DEVICE_KEY),
				STREAM,
				1,
				digest(1),
				Some(max)
			));
		});
	}
}

mod anchor_for {
	use super::*;

	#[test]
	fn by_the_owner() {
		new_test_ext().execute_with(|| {
			assert_ok!(anchor_for(OWNER, STREAM, 1));
			assert_eq!(Anchors::<Test>::get((DEVICE, STREAM, 1)).unwrap().submitter, OWNER);
		});
	}

	#[test]
	fn by_a_gateway_only_on_its_stream_and_until_expiry() {
		new_test_ext().execute_with(|| {
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
		new_test_ext().execute_with(|| {
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
	fn by_the_device_commits_consecutive_readings_and_verifies_each() {
		new_test_ext().execute_with(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			let (digests, root) = batch(2, 5);
			assert_ok!(AnchorsPallet::anchor_batch(
				RuntimeOrigin::signed(DEVICE_KEY),
				None,
				STREAM,
				2,
				5,
				root,
				None
			));
			let record = Anchors::<Test>::get((DEVICE, STREAM, 2)).unwrap();
			assert_eq!(record.kind, AnchorKind::Batch { count: 5 });
			assert_eq!(record.digest, root);
			assert_eq!(head().seq, 6);
			assert_eq!(head().count, 2);
			assert_eq!(head().head, fold_heads([(1, &digest(1)), (2, &root)]));
			// The batch covers 2..=6: the next anchor is 7, anything below is stale.
			assert_noop!(anchor(DEVICE_KEY, 6), Error::<Test>::StaleSequence);
			assert_ok!(anchor(DEVICE_KEY, 7));

			// First, middle and last readings verify with their proofs.
			for index in [0u32, 2, 4] {
				let seq = 2 + index as u64;
				let proof = merkle_proof(2, &digests, index).unwrap();
				assert_eq!(
					AnchorsPallet::verify_reading(
						DEVICE,
						STREAM,
						seq,
						digests[index as usize],
						Some(proof)
					),
					Verification::Anchored {
						block: 1,
						timestamp: 1_000,
						submitter: DEVICE_KEY,
						suspect: false
					}
				);
			}
			// A forged proof (another batch's) and a tampered digest are refused.
			let (_, other_root) = batch(2, 4);
			let forged = merkle_proof(2, &batch(2, 4).0, 1).unwrap();
			assert_ne!(other_root, root);
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, STREAM, 3, digests[1], Some(forged)),
				Verification::Mismatch
			);
			let proof = merkle_proof(2, &digests, 1).unwrap();
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, STREAM, 3, digest(99), Some(proof)),
				Verification::Mismatch
			);
			// A reading of the batch without its proof cannot be verified.
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, STREAM, 3, digests[1], None),
				Verification::NotAnchored
			);
		});
	}

	#[test]
	fn by_a_gateway_with_write_on_the_stream() {
		new_test_ext().execute_with(|| {
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
			assert_eq!(Anchors::<Test>::get((DEVICE, STREAM, 1)).unwrap().submitter, GATEWAY);
			// Without a device id the gateway is taken for a device, which it is not.
			assert_noop!(
				AnchorsPallet::anchor_batch(
					RuntimeOrigin::signed(GATEWAY),
					None,
					STREAM,
					11,
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
		new_test_ext().execute_with(|| {
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
			assert_noop!(send(Seq::MAX - 1, 3), Error::<Test>::SequenceOverflow);
			assert_ok!(send(1, MAX_BATCH));
			assert_eq!(head().seq, MAX_BATCH as u64);
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
		new_test_ext().execute_with(|| {
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
		new_test_ext().execute_with(|| {
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
		new_test_ext().execute_with(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			// A replay would fail: it must pay, so a zero-balance key cannot get it included
			// (a failing call reverts its storage changes, the quota count included).
			assert!(!is_feeless(DEVICE_KEY, anchor_call(1)));
			let long_uri = Some(vec![0; MAX_URI_LEN as usize + 1]);
			assert!(!is_feeless(
				DEVICE_KEY,
				Call::anchor { stream: STREAM, seq: 2, digest: digest(2), uri: long_uri }
			));
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
		new_test_ext().execute_with(|| {
			assert!(!is_feeless(STRANGER, anchor_call(1)));
			assert!(!RuntimeCall::AnchorsPallet(anchor_call(1)).is_feeless(&RuntimeOrigin::none()));
			set_status(DeviceStatus::Suspended);
			assert!(!is_feeless(DEVICE_KEY, anchor_call(1)));
			set_status(DeviceStatus::Compromised { since: 1 });
			assert!(!is_feeless(DEVICE_KEY, anchor_call(1)));
		});
	}
}

mod verification {
	use super::*;

	#[test]
	fn answers_anchored_not_anchored_and_mismatch() {
		new_test_ext().execute_with(|| {
			System::set_block_number(3);
			Timestamp::set_timestamp(42_000);
			assert_ok!(anchor(DEVICE_KEY, 1));
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, STREAM, 1, digest(1), None),
				Verification::Anchored {
					block: 3,
					timestamp: 42_000,
					submitter: DEVICE_KEY,
					suspect: false
				}
			);
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, STREAM, 1, digest(2), None),
				Verification::Mismatch
			);
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, STREAM, 2, digest(2), None),
				Verification::NotAnchored
			);
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, OTHER_STREAM, 1, digest(1), None),
				Verification::NotAnchored
			);
			// A single reading is not a batch: a proof does not apply to it.
			let proof = merkle_proof(1, &[digest(1)], 0).unwrap();
			assert_eq!(
				AnchorsPallet::verify_reading(DEVICE, STREAM, 1, digest(1), Some(proof)),
				Verification::Mismatch
			);
			assert_eq!(AnchorsPallet::anchor_head(DEVICE, STREAM), Some(head()));
			assert_eq!(AnchorsPallet::anchor_head(DEVICE, OTHER_STREAM), None);
		});
	}

	#[test]
	fn marks_anchors_from_the_compromise_on_as_suspect() {
		new_test_ext().execute_with(|| {
			assert_ok!(anchor(DEVICE_KEY, 1));
			System::set_block_number(5);
			assert_ok!(anchor(DEVICE_KEY, 2));
			set_status(DeviceStatus::Compromised { since: 5 });
			let suspect =
				|seq| match AnchorsPallet::verify_reading(DEVICE, STREAM, seq, digest(seq), None) {
					Verification::Anchored { suspect, .. } => suspect,
					other => panic!("{other:?}"),
				};
			assert!(!suspect(1));
			assert!(suspect(2));
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
				// Nothing accepted was lost or changed.
				for (seq, digest) in &accepted {
					prop_assert_eq!(Anchors::<Test>::get((DEVICE, STREAM, *seq)).map(|r| r.digest), Some(*digest));
				}
				Ok(())
			})?;
		}
	}
}
