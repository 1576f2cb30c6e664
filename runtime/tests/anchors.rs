//! Anchoring in the real runtime: free anchors of zero-balance devices through the actual
//! transaction extensions (as the pool and block building apply them); anchor proofs built as
//! the node builds them (records from the off-chain index, the MMR proof from pallet-mmr, the
//! storage proof from the state) and checked through the `AnchorsApi` runtime API, with the
//! real device registry behind it; and the state an anchor leaves behind: none.

mod common;

use codec::{Decode, Encode};
use common::*;
use iotchain_primitives::{
	block_anchors_key, block_anchors_proof, block_anchors_root, merkle_proof, merkle_root,
	mmr_root_key, AnchorKind, AnchorProof, AnchorProofError, Custody, MerkleProof, MmrProof,
	ProvenAnchor, Verification,
};
use iotchain_runtime::{
	apis::api::dispatch, AccountId, Balances, BlockNumber, Executive, Header, Runtime, RuntimeCall,
	RuntimeOrigin, System,
};
use polkadot_sdk::{
	frame_support::{assert_ok, traits::Get, BoundedVec},
	pallet_mmr,
	sp_core::{
		offchain::{testing::TestOffchainExt, OffchainDbExt},
		H256,
	},
	sp_io,
	sp_io::hashing::twox_128,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{
		traits::Dispatchable,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	},
	sp_state_machine::prove_read,
};

/// The device of [`sensor`], the key every test registers.
fn device() -> DeviceId {
	device_id_of(&account(&sensor()))
}

fn sensor() -> polkadot_sdk::sp_core::sr25519::Pair {
	device_key("sensor")
}
const STREAM: u32 = 1;

fn anchor_call(seq: u64) -> RuntimeCall {
	RuntimeCall::Anchors(pallet_anchors::Call::anchor {
		stream: STREAM,
		seq,
		digest: H256::from_low_u64_be(seq),
		uri: None,
	})
}

fn free_quota() -> u32 {
	<Runtime as pallet_anchors::Config>::FreeAnchorsPerWindow::get()
}

#[test]
fn a_zero_balance_device_gets_exactly_its_quota_of_free_anchors() {
	test(|| {
		let key = device_key("sensor");
		register_device(&key);
		assert_eq!(Balances::free_balance(account(&key)), 0);
		let quota = free_quota();
		assert!(quota > 0);

		for seq in 1..=quota as u64 {
			let xt = signed(&key, seq as u32 - 1, anchor_call(seq));
			// The pool accepts it …
			assert!(Executive::validate_transaction(
				TransactionSource::External,
				xt.clone(),
				System::block_hash(0)
			)
			.is_ok());
			// … and it is included and dispatched successfully, free.
			assert_ok!(Executive::apply_extrinsic(xt).expect("included"));
		}
		assert_eq!(pallet_anchors::Pallet::<Runtime>::free_anchors_used(&device()), quota);
		assert_eq!(Balances::free_balance(account(&key)), 0);

		// The next one must pay, which a zero-balance key cannot: refused by the pool and by
		// block building alike, never included.
		let over = signed(&key, quota, anchor_call(quota as u64 + 1));
		let refused = Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));
		assert_eq!(
			Executive::validate_transaction(
				TransactionSource::External,
				over.clone(),
				System::block_hash(0)
			)
			.map(|_| ()),
			refused
		);
		assert_eq!(Executive::apply_extrinsic(over).map(|_| ()), refused);
		assert_eq!(
			pallet_anchors::Heads::<Runtime>::get(device(), STREAM).map(|h| h.seq),
			Some(quota as u64)
		);
		assert_eq!(System::account_nonce(account(&key)), quota);
	});
}

#[test]
fn a_zero_balance_account_that_is_no_device_gets_nothing_included() {
	test(|| {
		let stranger = device_key("stranger");
		let xt = signed(&stranger, 0, anchor_call(1));
		let refused = Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));
		assert_eq!(
			Executive::validate_transaction(
				TransactionSource::External,
				xt.clone(),
				System::block_hash(0)
			)
			.map(|_| ()),
			refused
		);
		assert_eq!(Executive::apply_extrinsic(xt).map(|_| ()), refused);

		// Nor a suspended device.
		let key = device_key("sensor");
		register_device(&key);
		assert_ok!(pallet_devices::Pallet::<Runtime>::suspend(
			RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
			device()
		));
		let xt = signed(&key, 0, anchor_call(1));
		assert_eq!(
			Executive::apply_extrinsic(xt).map(|_| ()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))
		);
	});
}

#[test]
fn a_free_anchor_that_would_fail_is_never_included() {
	test(|| {
		let key = device_key("sensor");
		register_device(&key);
		assert_ok!(Executive::apply_extrinsic(signed(&key, 0, anchor_call(1))).unwrap());
		// A replayed sequence number would fail in dispatch: not free, so unpayable.
		let replay = signed(&key, 1, anchor_call(1));
		assert_eq!(
			Executive::apply_extrinsic(replay).map(|_| ()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))
		);
		assert_eq!(System::account_nonce(account(&key)), 1);
		assert_eq!(pallet_anchors::Pallet::<Runtime>::free_anchors_used(&device()), 1);
	});
}

#[test]
fn the_quota_renews_with_the_window() {
	test(|| {
		let key = device_key("sensor");
		register_device(&key);
		let quota = free_quota();
		for seq in 1..=quota as u64 {
			assert_ok!(
				Executive::apply_extrinsic(signed(&key, seq as u32 - 1, anchor_call(seq))).unwrap()
			);
		}
		let window: BlockNumber = <Runtime as pallet_anchors::Config>::FreeWindow::get();
		start_block(window);
		assert_ok!(
			Executive::apply_extrinsic(signed(&key, quota, anchor_call(quota as u64 + 1))).unwrap()
		);
		assert_eq!(pallet_anchors::Pallet::<Runtime>::free_anchors_used(&device()), 1);
	});
}

/// The anchors of block 1 (a reading and a batch by the device, a reading by its owner) and of
/// block 2 (a reading after the key was reported compromised), finalized by block 3.
struct Chain {
	ext: sp_io::TestExternalities,
	/// The records of blocks 1 and 2, from the off-chain index.
	records: [Vec<Record>; 2],
	/// The header of block 3, the "finalized" block proofs are against.
	finalized: Header,
	batch: Vec<H256>,
}

type Record = iotchain_primitives::AnchorRecord<AccountId, u64, Vec<u8>>;

fn chain() -> Chain {
	let mut ext = new_test_ext();
	let (offchain, _) = TestOffchainExt::with_offchain_db(ext.offchain_db());
	ext.register_extension(OffchainDbExt::new(offchain));
	let batch: Vec<H256> = (2..=5).map(H256::from_low_u64_be).collect();
	let (block_1, block_2, finalized) = ext.execute_with(|| {
		let key = sensor();
		register_device(&key);
		assert_ok!(Executive::apply_extrinsic(signed(&key, 0, anchor_call(1))).unwrap());
		let call = RuntimeCall::Anchors(pallet_anchors::Call::anchor_batch {
			device_id: None,
			stream: STREAM,
			first_seq: 2,
			count: 4,
			merkle_root: merkle_root(2, &batch),
			uri: Some(b"ipfs://batch".to_vec().try_into().unwrap()),
		});
		assert_ok!(Executive::apply_extrinsic(signed(&key, 1, call)).unwrap());
		let by_owner = RuntimeCall::Anchors(pallet_anchors::Call::anchor_for {
			device_id: device(),
			stream: STREAM + 1,
			seq: 1,
			digest: H256::repeat_byte(7),
			uri: None,
		});
		assert_ok!(by_owner.dispatch(RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id())));
		let block_1 = next_block();
		assert_ok!(Executive::apply_extrinsic(signed(&key, 2, anchor_call(6))).unwrap());
		assert_ok!(pallet_devices::Pallet::<Runtime>::report_compromised(
			RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
			device(),
			2
		));
		let block_2 = next_block();
		check_invariants();
		(block_1, block_2, end_block())
	});
	ext.persist_offchain_overlay();
	let records = [&block_1, &block_2].map(|header| {
		let stored = ext
			.offchain_db()
			.get(&block_anchors_key(&header.hash()))
			.expect("a block's records are in the off-chain index");
		Vec::<Record>::decode(&mut &stored[..]).expect("records decode")
	});
	Chain { ext, records, finalized, batch }
}

impl Chain {
	/// The proof of anchor `index` of block `block` (1 or 2) against block 3, built as the node
	/// builds it.
	fn proof(&mut self, block: u32, index: u32) -> AnchorProof<AccountId, u64> {
		let records = &self.records[block as usize - 1];
		let (leaves, leaf_proof) = self.ext.execute_with(|| {
			pallet_mmr::Pallet::<Runtime>::generate_proof(vec![block + 1], Some(3))
				.expect("the MMR proves the leaf")
		});
		self.ext.commit_all().expect("the state commits");
		let backend = self.ext.as_backend();
		assert_eq!(*backend.root(), self.finalized.state_root, "the state is block 3's");
		let root_proof = prove_read(backend, [mmr_root_key()]).expect("the MMR root is in state");
		AnchorProof {
			record: records[index as usize].clone(),
			block_proof: block_anchors_proof(records, index).expect("index in block"),
			leaf: leaves[0],
			mmr_proof: MmrProof::from_leaf_proof(leaf_proof).expect("one leaf"),
			header: self.finalized.clone(),
			root_proof: BoundedVec::truncate_from(
				root_proof.into_iter_nodes().map(BoundedVec::truncate_from).collect(),
			),
		}
	}

	fn verify(
		&mut self,
		proof: &AnchorProof<AccountId, u64>,
	) -> Result<ProvenAnchor<AccountId, u64>, AnchorProofError> {
		let trusted = self.finalized.hash();
		let answer = self.ext.execute_with(|| {
			dispatch("AnchorsApi_verify_anchor_proof", &(proof, trusted).encode())
				.expect("the runtime implements AnchorsApi")
		});
		Decode::decode(&mut &answer[..]).expect("the API returns a result")
	}

	fn verify_reading(
		&mut self,
		proof: &AnchorProof<AccountId, u64>,
		seq: u64,
		digest: H256,
		batch_proof: Option<MerkleProof>,
	) -> Result<Verification<AccountId, BlockNumber, u64>, AnchorProofError> {
		let args = (proof, self.finalized.hash(), seq, digest, batch_proof);
		let answer = self.ext.execute_with(|| {
			dispatch("AnchorsApi_verify_reading", &args.encode()).expect("AnchorsApi")
		});
		Decode::decode(&mut &answer[..]).expect("the API returns a result")
	}
}

#[test]
fn each_block_commits_to_its_anchors_in_the_mmr() {
	let mut chain = chain();
	let [first, second] = chain.records.clone();
	assert_eq!(first.len(), 3);
	assert_eq!(second.len(), 1);
	assert_eq!(first[1].kind, AnchorKind::Batch { count: 4 });
	assert_eq!(first[1].uri.as_deref(), Some(&b"ipfs://batch"[..]));
	assert_eq!(first[2].submitter, Sr25519Keyring::Alice.to_account_id());
	let proof = chain.proof(1, 0);
	// The leaf of block 1, appended by block 2, commits to the root recomputed from its records.
	assert_eq!(proof.leaf.block, 1);
	assert_eq!(proof.leaf.root, block_anchors_root(&first));
	assert_eq!(proof.leaf.count, 3);
	assert_eq!(chain.proof(2, 0).leaf.root, block_anchors_root(&second));
}

#[test]
fn every_anchor_is_proven_against_a_finalized_block() {
	let mut chain = chain();
	let sensor = account(&sensor());
	for (block, index) in [(1, 0), (1, 1), (1, 2), (2, 0)] {
		let proof = chain.proof(block, index);
		let proven = chain.verify(&proof).expect("a genuine proof holds");
		assert_eq!(proven.record, chain.records[block as usize - 1][index as usize]);
		assert_eq!(proven.block, block);
		assert_eq!(proven.finalized, 3);
		// The same check, offline, with the library function clients use.
		assert_eq!(proof.verify(&chain.finalized.hash()), Ok(proven));
	}

	// Readings: single, in a batch (with its Merkle proof), another digest, a suspect one.
	let single = chain.proof(1, 0);
	let anchored = |block, suspect| Verification::Anchored {
		block,
		timestamp: timestamp_of(block),
		submitter: sensor.clone(),
		custody: Custody::Device,
		suspect,
	};
	assert_eq!(
		chain.verify_reading(&single, 1, H256::from_low_u64_be(1), None),
		Ok(anchored(1, false))
	);
	assert_eq!(
		chain.verify_reading(&single, 1, H256::from_low_u64_be(9), None),
		Ok(Verification::Mismatch)
	);
	let batch = chain.proof(1, 1);
	let reading = chain.batch[2];
	let batch_proof = merkle_proof(2, &chain.batch, 2);
	assert_eq!(
		chain.verify_reading(&batch, 4, reading, batch_proof.clone()),
		Ok(anchored(1, false))
	);
	assert_eq!(
		chain.verify_reading(&batch, 4, H256::from_low_u64_be(9), batch_proof),
		Ok(Verification::Mismatch)
	);
	assert_eq!(chain.verify_reading(&batch, 4, reading, None), Ok(Verification::Mismatch));
	let after_compromise = chain.proof(2, 0);
	assert_eq!(
		chain.verify_reading(&after_compromise, 6, H256::from_low_u64_be(6), None),
		Ok(anchored(2, true))
	);
	chain.ext.execute_with(check_invariants);
}

#[test]
fn a_tampered_proof_fails_where_it_was_tampered() {
	let mut chain = chain();
	let genuine = chain.proof(1, 1);
	let tampered = |f: &dyn Fn(&mut AnchorProof<AccountId, u64>)| {
		let mut proof = genuine.clone();
		f(&mut proof);
		proof
	};
	let cases: [(&str, AnchorProof<AccountId, u64>, AnchorProofError); 9] = [
		(
			"record",
			tampered(&|p| p.record.digest = H256::repeat_byte(1)),
			AnchorProofError::BadBlockProof,
		),
		("record's uri", tampered(&|p| p.record.uri = None), AnchorProofError::BadBlockProof),
		(
			"record's custody",
			tampered(&|p| {
				p.record.custody = Custody::Gateway { account: p.record.submitter.clone() }
			}),
			AnchorProofError::BadBlockProof,
		),
		(
			"block proof",
			tampered(&|p| p.block_proof.items[0] = H256::repeat_byte(1)),
			AnchorProofError::BadBlockProof,
		),
		("leaf", tampered(&|p| p.leaf.root = H256::repeat_byte(1)), AnchorProofError::BadMmrProof),
		("leaf count", tampered(&|p| p.leaf.count += 1), AnchorProofError::BadMmrProof),
		(
			"mmr proof",
			tampered(&|p| p.mmr_proof.items[0] = H256::repeat_byte(1)),
			AnchorProofError::BadMmrProof,
		),
		(
			"storage proof",
			tampered(&|p| p.root_proof = Default::default()),
			AnchorProofError::BadRootProof,
		),
		("header", tampered(&|p| p.header.number = 2), AnchorProofError::UntrustedHeader),
	];
	for (what, proof, error) in cases {
		assert_eq!(chain.verify(&proof).map(|_| ()), Err(error), "tampered {what}");
	}
	// A genuine proof against another block than the one it claims.
	assert_eq!(
		genuine.verify(&H256::repeat_byte(3)).map(|_| ()),
		Err(AnchorProofError::UntrustedHeader)
	);
}

#[test]
fn a_thousand_anchors_add_no_state() {
	test(|| {
		let key = sensor();
		register_device(&key);
		let alice = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
		let anchor = |seq: u64| {
			RuntimeCall::Anchors(pallet_anchors::Call::anchor_for {
				device_id: device(),
				stream: STREAM,
				seq,
				digest: H256::from_low_u64_be(seq),
				uri: Some(b"ipfs://reading".to_vec().try_into().unwrap()),
			})
			.dispatch(alice.clone())
		};
		assert_ok!(anchor(1));
		next_block();
		// Every key but the system's (its last block hashes and events) and the MMR's peaks,
		// which change with the number of blocks, not of anchors.
		let skipped = [twox_128(b"System"), twox_128(b"Mmr")];
		let keys = || {
			let (mut keys, mut key) = (Vec::new(), Vec::new());
			while let Some(next) = sp_io::storage::next_key(&key) {
				if !skipped.iter().any(|prefix| next.starts_with(prefix)) {
					keys.push(next.clone());
				}
				key = next;
			}
			keys
		};
		let before = keys();
		for block in 0..10u64 {
			for i in 0..100u64 {
				assert_ok!(anchor(2 + block * 100 + i));
			}
			next_block();
		}
		assert_eq!(keys(), before);
		let peaks = pallet_mmr::Nodes::<Runtime>::iter_keys().count();
		assert!(peaks <= 64, "{peaks} MMR peaks");
		assert_eq!(pallet_anchors::Heads::<Runtime>::get(device(), STREAM).unwrap().count, 1_001);
	});
}

/// What the runtime's `verify_reading` reports as suspect comes from the real registry: a
/// compromise window runs from the reported block to the key's rotation (exclusive), and a
/// later report opens a new window without reopening the old one.
#[test]
fn a_compromise_window_closed_by_rotation_bounds_what_is_suspect() {
	use iotchain_primitives::DeviceRegistry;
	test(|| {
		let alice = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
		let (first, second, third) = (sensor(), device_key("second"), device_key("third"));
		let device = register_device(&first);
		let rotate = |old: &polkadot_sdk::sp_core::sr25519::Pair, new| {
			pallet_devices::Pallet::<Runtime>::rotate_key(
				alice.clone(),
				device,
				account(new),
				rotation_proof(new, device, &account(old)),
			)
		};
		let suspect_blocks = || -> Vec<BlockNumber> {
			(1..=20)
				.filter(|at| {
					<pallet_devices::Pallet<Runtime> as DeviceRegistry<_, _>>::is_suspect(
						&device, *at,
					)
				})
				.collect()
		};

		System::set_block_number(5);
		assert_ok!(pallet_devices::Pallet::<Runtime>::report_compromised(alice.clone(), device, 3));
		// Open: everything from block 3 on is suspect.
		assert_eq!(suspect_blocks(), (3..=20).collect::<Vec<_>>());
		System::set_block_number(8);
		assert_ok!(rotate(&first, &second));
		assert_eq!(suspect_blocks(), [3, 4, 5, 6, 7]);

		System::set_block_number(12);
		assert_ok!(pallet_devices::Pallet::<Runtime>::report_compromised(
			alice.clone(),
			device,
			11
		));
		System::set_block_number(14);
		assert_ok!(rotate(&second, &third));
		assert_eq!(suspect_blocks(), [3, 4, 5, 6, 7, 11, 12, 13]);
	});
}
