//! The gateway's durable state, in one `redb` file: every reading with its seq, each stream's
//! position, and the batches the readings were anchored in. A reading is in the store before
//! the broker gets its acknowledgement; a batch is recorded before it is submitted and marked
//! anchored once it is in a block, so a crash at any point loses nothing and anchors nothing
//! twice ([`Store::reconcile`] settles an interrupted batch against the chain).

use crate::Error;
use codec::{Decode, Encode};
use iotchain_client::{
	data::{Batch, ProofFile, Reading},
	state::StreamState,
};
use iotchain_primitives::{DeviceId, Seq, StreamId};
use polkadot_sdk::{sp_core::H256, sp_crypto_hashing::blake2_256};
use redb::{Database, ReadableTable, TableDefinition};
use std::path::Path;

/// (device, stream, seq) → SCALE-encoded [`StoredReading`].
const READINGS: TableDefinition<([u8; 32], u32, u64), &[u8]> = TableDefinition::new("readings");
/// (device, stream) → SCALE-encoded [`StreamRecord`].
const STREAMS: TableDefinition<([u8; 32], u32), &[u8]> = TableDefinition::new("streams");
/// (device, stream, first seq) → SCALE-encoded [`BatchRecord`].
const BATCHES: TableDefinition<([u8; 32], u32, u64), &[u8]> = TableDefinition::new("batches");
/// MQTT packet id → blake2-256 of (topic, payload) of the last message stored under it: a
/// redelivered message (DUP, same packet id) already stored is acknowledged, not stored again.
const PACKETS: TableDefinition<u16, [u8; 32]> = TableDefinition::new("packets");

/// A reading as received.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct StoredReading {
	pub topic: String,
	pub payload: Vec<u8>,
	/// When the gateway received it, in ms since the Unix epoch.
	pub received_ms: u64,
	/// [`reading_digest`] of the above.
	pub digest: [u8; 32],
}

impl StoredReading {
	/// A reading received at `received_ms`, with its digest.
	pub fn new(topic: String, payload: Vec<u8>, received_ms: u64) -> Self {
		let digest = reading_digest(&topic, &payload, received_ms).0;
		Self { topic, payload, received_ms, digest }
	}

	/// Where it came from, as a proof file's `source`.
	pub fn source(&self) -> String {
		format!("mqtt {} at {} ms", self.topic, self.received_ms)
	}
}

/// The digest the gateway anchors for a reading: blake2-256 of the SCALE encoding of (topic,
/// payload, receive time in ms). Anyone holding the raw reading recomputes it.
pub fn reading_digest(topic: &str, payload: &[u8], received_ms: u64) -> H256 {
	H256(blake2_256(&(topic, payload, received_ms).encode()))
}

/// Where a stream stands in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct StreamRecord {
	/// The seq the next reading gets.
	pub next_seq: Seq,
	/// The last seq anchored on chain (0: none), and the stream's head after it.
	pub anchored_through: Seq,
	pub head: [u8; 32],
}

impl StreamRecord {
	fn at(chain: StreamState) -> Self {
		Self {
			next_seq: chain.last_seq.saturating_add(1),
			anchored_through: chain.last_seq,
			head: chain.head.0,
		}
	}

	fn state(&self) -> StreamState {
		StreamState { last_seq: self.anchored_through, head: H256(self.head) }
	}
}

/// A batch: its readings are seqs `first..first + count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BatchRecord {
	pub count: u32,
	pub root: [u8; 32],
	/// In a block; else submitted (or about to be) and not yet known to be.
	pub anchored: bool,
}

/// What [`Store::reconcile`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Reconciled {
	/// The store and the chain agree.
	InStep,
	/// The stream was new to the store: it starts after the chain's head.
	Started,
	/// An interrupted batch (from `first_seq`) turned out to be on chain, and is now recorded.
	BatchLanded { first_seq: Seq },
	/// An interrupted batch (from `first_seq`) is not on chain; its readings are pending again.
	BatchDropped { first_seq: Seq },
	/// Another writer anchored up to `chain_seq`; the pending readings were renumbered after it.
	Resynced { chain_seq: Seq, renumbered: u64 },
}

/// The gateway's database.
pub struct Store {
	db: Database,
}

type Key3 = ([u8; 32], u32, u64);

fn store_error(e: impl std::fmt::Display) -> Error {
	Error::Store(e.to_string())
}

fn decode<T: Decode>(bytes: &[u8]) -> Result<T, Error> {
	T::decode(&mut &bytes[..]).map_err(|e| Error::Store(format!("a corrupt record: {e}")))
}

impl Store {
	/// Opens (or creates) the database at `path`.
	pub fn open(path: &Path) -> Result<Self, Error> {
		let db =
			Database::create(path).map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
		let txn = db.begin_write().map_err(store_error)?;
		txn.open_table(READINGS).map_err(store_error)?;
		txn.open_table(STREAMS).map_err(store_error)?;
		txn.open_table(BATCHES).map_err(store_error)?;
		txn.open_table(PACKETS).map_err(store_error)?;
		txn.commit().map_err(store_error)?;
		Ok(Self { db })
	}

	/// The stream's record, if the store has one.
	pub fn stream(
		&self,
		device: DeviceId,
		stream: StreamId,
	) -> Result<Option<StreamRecord>, Error> {
		let txn = self.db.begin_read().map_err(store_error)?;
		let table = txn.open_table(STREAMS).map_err(store_error)?;
		let record = table.get((device.0, stream)).map_err(store_error)?;
		record.map(|r| decode(r.value())).transpose()
	}

	/// Stores `readings` (each for a device's stream, with its MQTT packet id if it was a
	/// redelivery candidate) in one transaction, giving each the stream's next seq. Returns the
	/// seq of each, or `None` for a redelivered message already stored. Every stream must be
	/// known ([`Self::reconcile`]).
	pub fn append(
		&self,
		readings: Vec<(DeviceId, StreamId, Option<(u16, bool)>, StoredReading)>,
	) -> Result<Vec<Option<Seq>>, Error> {
		let txn = self.db.begin_write().map_err(store_error)?;
		let mut seqs = Vec::with_capacity(readings.len());
		{
			let mut streams = txn.open_table(STREAMS).map_err(store_error)?;
			let mut table = txn.open_table(READINGS).map_err(store_error)?;
			let mut packets = txn.open_table(PACKETS).map_err(store_error)?;
			for (device, stream, packet, reading) in readings {
				if let Some((pkid, dup)) = packet {
					let message = blake2_256(&(&reading.topic, &reading.payload).encode());
					if dup
						&& packets.get(pkid).map_err(store_error)?.map(|v| v.value())
							== Some(message)
					{
						seqs.push(None);
						continue;
					}
					packets.insert(pkid, message).map_err(store_error)?;
				}
				let mut record: StreamRecord =
					match streams.get((device.0, stream)).map_err(store_error)? {
						Some(r) => decode(r.value())?,
						None => {
							return Err(Error::Store(format!(
								"stream {stream} of {device:?} is not set up"
							)))
						},
					};
				let seq = record.next_seq;
				record.next_seq = seq
					.checked_add(1)
					.ok_or_else(|| Error::Store("the stream's seqs are exhausted".into()))?;
				table
					.insert((device.0, stream, seq), reading.encode().as_slice())
					.map_err(store_error)?;
				streams
					.insert((device.0, stream), record.encode().as_slice())
					.map_err(store_error)?;
				seqs.push(Some(seq));
			}
		}
		txn.commit().map_err(store_error)?;
		Ok(seqs)
	}

	/// The stream's readings not yet anchored, from the first, at most `max`.
	pub fn pending(
		&self,
		device: DeviceId,
		stream: StreamId,
		max: usize,
	) -> Result<Vec<(Seq, StoredReading)>, Error> {
		let Some(record) = self.stream(device, stream)? else { return Ok(Vec::new()) };
		let txn = self.db.begin_read().map_err(store_error)?;
		let table = txn.open_table(READINGS).map_err(store_error)?;
		let from: Key3 = (device.0, stream, record.anchored_through.saturating_add(1));
		let to: Key3 = (device.0, stream, u64::MAX);
		let mut pending = Vec::new();
		for entry in table.range(from..=to).map_err(store_error)?.take(max) {
			let (key, value) = entry.map_err(store_error)?;
			pending.push((key.value().2, decode(value.value())?));
		}
		Ok(pending)
	}

	/// Every stored reading of the stream, in seq order.
	pub fn readings(
		&self,
		device: DeviceId,
		stream: StreamId,
	) -> Result<Vec<(Seq, StoredReading)>, Error> {
		let txn = self.db.begin_read().map_err(store_error)?;
		let table = txn.open_table(READINGS).map_err(store_error)?;
		let mut readings = Vec::new();
		for entry in table
			.range((device.0, stream, 0)..=(device.0, stream, u64::MAX))
			.map_err(store_error)?
		{
			let (key, value) = entry.map_err(store_error)?;
			readings.push((key.value().2, decode(value.value())?));
		}
		Ok(readings)
	}

	/// How many readings of `streams` are stored and not yet anchored.
	pub fn pending_count(&self, streams: &[(DeviceId, StreamId)]) -> Result<u64, Error> {
		let txn = self.db.begin_read().map_err(store_error)?;
		let table = txn.open_table(STREAMS).map_err(store_error)?;
		let mut total = 0u64;
		for (device, stream) in streams {
			if let Some(value) = table.get((device.0, *stream)).map_err(store_error)? {
				let record: StreamRecord = decode(value.value())?;
				let stored = record.next_seq.saturating_sub(1);
				total = total.saturating_add(stored.saturating_sub(record.anchored_through));
			}
		}
		Ok(total)
	}

	/// One stored reading.
	pub fn reading(
		&self,
		device: DeviceId,
		stream: StreamId,
		seq: Seq,
	) -> Result<Option<StoredReading>, Error> {
		let txn = self.db.begin_read().map_err(store_error)?;
		let table = txn.open_table(READINGS).map_err(store_error)?;
		let value = table.get((device.0, stream, seq)).map_err(store_error)?;
		value.map(|v| decode(v.value())).transpose()
	}

	/// Records the batch `first_seq..first_seq + count` with its `root`, before it is submitted.
	pub fn begin_batch(
		&self,
		device: DeviceId,
		stream: StreamId,
		first_seq: Seq,
		count: u32,
		root: H256,
	) -> Result<(), Error> {
		let record = BatchRecord { count, root: root.0, anchored: false };
		self.write(|txn| {
			let mut batches = txn.open_table(BATCHES).map_err(store_error)?;
			batches
				.insert((device.0, stream, first_seq), record.encode().as_slice())
				.map_err(store_error)?;
			Ok(())
		})
	}

	/// Marks the batch from `first_seq` anchored: the stream is anchored through its last
	/// reading, with `head`.
	pub fn finish_batch(
		&self,
		device: DeviceId,
		stream: StreamId,
		first_seq: Seq,
		head: H256,
	) -> Result<(), Error> {
		self.write(|txn| finish(txn, device, stream, first_seq, head))
	}

	/// The batch of `device`'s `stream` that was begun and not finished, if any.
	pub fn in_flight(
		&self,
		device: DeviceId,
		stream: StreamId,
	) -> Result<Option<(Seq, BatchRecord)>, Error> {
		let txn = self.db.begin_read().map_err(store_error)?;
		let batches = txn.open_table(BATCHES).map_err(store_error)?;
		let last = batches
			.range((device.0, stream, 0)..=(device.0, stream, u64::MAX))
			.map_err(store_error)?
			.next_back()
			.transpose()
			.map_err(store_error)?;
		match last {
			Some((key, value)) => {
				let record: BatchRecord = decode(value.value())?;
				Ok((!record.anchored).then_some((key.value().2, record)))
			},
			None => Ok(None),
		}
	}

	/// Brings the store in line with the chain's state of the stream, `chain`: sets up a new
	/// stream, settles an interrupted batch, or, when another writer anchored on the stream,
	/// renumbers the pending readings after the chain's last seq. Refuses a chain that is behind
	/// the store, or on another history (a different chain, or a reset dev chain).
	pub fn reconcile(
		&self,
		device: DeviceId,
		stream: StreamId,
		chain: StreamState,
	) -> Result<Reconciled, Error> {
		let Some(mut record) = self.stream(device, stream)? else {
			let record = StreamRecord::at(chain);
			self.write(|txn| {
				let mut streams = txn.open_table(STREAMS).map_err(store_error)?;
				streams
					.insert((device.0, stream), record.encode().as_slice())
					.map_err(store_error)?;
				Ok(())
			})?;
			return Ok(Reconciled::Started);
		};
		let mut outcome = Reconciled::InStep;
		if let Some((first_seq, batch)) = self.in_flight(device, stream)? {
			let last_seq = first_seq.saturating_add(u64::from(batch.count).saturating_sub(1));
			let landed = record.state().advance(first_seq, &H256(batch.root), last_seq);
			if chain == landed {
				self.finish_batch(device, stream, first_seq, landed.head)?;
				record = self.stream(device, stream)?.unwrap_or(record);
				outcome = Reconciled::BatchLanded { first_seq };
			} else {
				self.write(|txn| {
					let mut batches = txn.open_table(BATCHES).map_err(store_error)?;
					batches.remove((device.0, stream, first_seq)).map_err(store_error)?;
					Ok(())
				})?;
				outcome = Reconciled::BatchDropped { first_seq };
			}
		}
		if chain == record.state() {
			return Ok(outcome);
		}
		if chain.last_seq <= record.anchored_through {
			return Err(Error::Store(format!(
				"stream {stream} of device {device:?}: the chain is at seq {} with head {:?}, the \
				 store at seq {} with head {:?}: another chain, or a chain reset under the store",
				chain.last_seq,
				chain.head,
				record.anchored_through,
				H256(record.head)
			)));
		}
		let renumbered = self.renumber(device, stream, chain)?;
		Ok(Reconciled::Resynced { chain_seq: chain.last_seq, renumbered })
	}

	/// Moves the pending readings after `chain.last_seq`, and takes the chain's head.
	fn renumber(
		&self,
		device: DeviceId,
		stream: StreamId,
		chain: StreamState,
	) -> Result<u64, Error> {
		let pending = self.pending(device, stream, usize::MAX)?;
		let count = pending.len() as u64;
		self.write(|txn| {
			let mut table = txn.open_table(READINGS).map_err(store_error)?;
			for (seq, _) in &pending {
				table.remove((device.0, stream, *seq)).map_err(store_error)?;
			}
			let mut next = chain.last_seq.saturating_add(1);
			for (_, reading) in &pending {
				table
					.insert((device.0, stream, next), reading.encode().as_slice())
					.map_err(store_error)?;
				next = next.saturating_add(1);
			}
			let updated = StreamRecord { next_seq: next, ..StreamRecord::at(chain) };
			let mut streams = txn.open_table(STREAMS).map_err(store_error)?;
			streams.insert((device.0, stream), updated.encode().as_slice()).map_err(store_error)?;
			Ok(())
		})?;
		Ok(count)
	}

	/// The proof file of reading `seq`, once its batch is anchored.
	pub fn proof(&self, device: DeviceId, stream: StreamId, seq: Seq) -> Result<ProofFile, Error> {
		let txn = self.db.begin_read().map_err(store_error)?;
		let batches = txn.open_table(BATCHES).map_err(store_error)?;
		let found = batches
			.range((device.0, stream, 0)..=(device.0, stream, seq))
			.map_err(store_error)?
			.next_back()
			.transpose()
			.map_err(store_error)?;
		let not_anchored =
			|| Error::NotFound(format!("reading {seq} of stream {stream} is not anchored (yet)"));
		let (first_seq, batch) = match found {
			Some((key, value)) => (key.value().2, decode::<BatchRecord>(value.value())?),
			None => return Err(not_anchored()),
		};
		let index = seq - first_seq;
		if index >= u64::from(batch.count) || !batch.anchored {
			return Err(not_anchored());
		}
		let table = txn.open_table(READINGS).map_err(store_error)?;
		let mut readings = Vec::with_capacity(batch.count as usize);
		let last = first_seq + u64::from(batch.count) - 1;
		for entry in table
			.range((device.0, stream, first_seq)..=(device.0, stream, last))
			.map_err(store_error)?
		{
			let (_, value) = entry.map_err(store_error)?;
			let reading: StoredReading = decode(value.value())?;
			readings.push(Reading { source: reading.source(), digest: H256(reading.digest) });
		}
		let batch = Batch::new(device, stream, first_seq, readings)
			.filter(|b| b.root.0 == batch.root)
			.ok_or_else(|| {
				Error::Store(format!(
					"the readings of the batch from seq {first_seq} do not make its root"
				))
			})?;
		let proof = batch.proofs().nth(index as usize);
		proof.ok_or_else(not_anchored)
	}

	fn write(
		&self,
		f: impl FnOnce(&redb::WriteTransaction) -> Result<(), Error>,
	) -> Result<(), Error> {
		let txn = self.db.begin_write().map_err(store_error)?;
		f(&txn)?;
		txn.commit().map_err(store_error)
	}
}

fn finish(
	txn: &redb::WriteTransaction,
	device: DeviceId,
	stream: StreamId,
	first_seq: Seq,
	head: H256,
) -> Result<(), Error> {
	let mut batches = txn.open_table(BATCHES).map_err(store_error)?;
	let mut batch: BatchRecord =
		match batches.get((device.0, stream, first_seq)).map_err(store_error)? {
			Some(v) => decode(v.value())?,
			None => return Err(Error::Store(format!("no batch from seq {first_seq}"))),
		};
	batch.anchored = true;
	batches
		.insert((device.0, stream, first_seq), batch.encode().as_slice())
		.map_err(store_error)?;
	let mut streams = txn.open_table(STREAMS).map_err(store_error)?;
	let mut record: StreamRecord = match streams.get((device.0, stream)).map_err(store_error)? {
		Some(v) => decode(v.value())?,
		None => return Err(Error::Store(format!("stream {stream} is not set up"))),
	};
	record.anchored_through = first_seq + u64::from(batch.count) - 1;
	record.head = head.0;
	streams.insert((device.0, stream), record.encode().as_slice()).map_err(store_error)?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use iotchain_client::state::StreamState;

	const DEVICE: DeviceId = H256::repeat_byte(0xd1);
	const STREAM: StreamId = 1;

	fn store(name: &str) -> Store {
		let dir = std::env::temp_dir().join(format!("gw-store-{name}-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).unwrap();
		Store::open(&dir.join("gateway.redb")).unwrap()
	}

	fn reading(i: u64) -> StoredReading {
		StoredReading::new("plant/a/t".into(), format!("{{\"t\":{i}}}").into_bytes(), 1_000 + i)
	}

	fn append(store: &Store, range: std::ops::Range<u64>) -> Vec<Option<Seq>> {
		store.append(range.map(|i| (DEVICE, STREAM, None, reading(i))).collect()).unwrap()
	}

	/// Anchors the pending readings as one batch, as the bridge does; returns the chain state.
	fn anchor(store: &Store) -> StreamState {
		let pending = store.pending(DEVICE, STREAM, usize::MAX).unwrap();
		let first = pending[0].0;
		let readings = pending
			.iter()
			.map(|(_, r)| Reading { source: r.source(), digest: H256(r.digest) })
			.collect();
		let batch = Batch::new(DEVICE, STREAM, first, readings).unwrap();
		store.begin_batch(DEVICE, STREAM, first, batch.count(), batch.root).unwrap();
		let state = store.stream(DEVICE, STREAM).unwrap().unwrap().state();
		let after = state.advance(first, &batch.root, batch.last_seq());
		store.finish_batch(DEVICE, STREAM, first, after.head).unwrap();
		after
	}

	#[test]
	fn readings_get_consecutive_seqs_after_the_chain_and_proofs_once_anchored() {
		let store = store("seqs");
		let chain = StreamState { last_seq: 7, head: H256::repeat_byte(7) };
		assert_eq!(store.reconcile(DEVICE, STREAM, chain).unwrap(), Reconciled::Started);
		assert_eq!(append(&store, 0..3), vec![Some(8), Some(9), Some(10)]);
		assert_eq!(store.reading(DEVICE, STREAM, 9).unwrap(), Some(reading(1)));
		assert!(matches!(store.proof(DEVICE, STREAM, 9), Err(Error::NotFound(_))));

		let chain = anchor(&store);
		assert!(store.pending(DEVICE, STREAM, 10).unwrap().is_empty());
		let proof = store.proof(DEVICE, STREAM, 9).unwrap();
		assert_eq!((proof.seq, proof.digest), (9, H256(reading(1).digest)));
		assert_eq!(proof.number_of_leaves, 3);
		assert!(proof.merkle_proof().is_ok());
		assert!(matches!(store.proof(DEVICE, STREAM, 11), Err(Error::NotFound(_))));
		assert_eq!(store.reconcile(DEVICE, STREAM, chain).unwrap(), Reconciled::InStep);
	}

	#[test]
	fn a_redelivered_message_is_not_stored_twice() {
		let store = store("dup");
		store.reconcile(DEVICE, STREAM, StreamState::default()).unwrap();
		let message = |dup| vec![(DEVICE, STREAM, Some((42, dup)), reading(1))];
		assert_eq!(store.append(message(false)).unwrap(), vec![Some(1)]);
		assert_eq!(store.append(message(true)).unwrap(), vec![None]);
		// The same packet id later, for another message, is a new reading.
		let other = vec![(DEVICE, STREAM, Some((42, false)), reading(2))];
		assert_eq!(store.append(other).unwrap(), vec![Some(2)]);
	}

	#[test]
	fn an_interrupted_batch_is_settled_against_the_chain() {
		let store = store("interrupted");
		store.reconcile(DEVICE, STREAM, StreamState::default()).unwrap();
		append(&store, 0..4);
		let pending = store.pending(DEVICE, STREAM, usize::MAX).unwrap();
		let readings: Vec<Reading> = pending
			.iter()
			.map(|(_, r)| Reading { source: r.source(), digest: H256(r.digest) })
			.collect();
		let batch = Batch::new(DEVICE, STREAM, 1, readings).unwrap();
		store.begin_batch(DEVICE, STREAM, 1, 4, batch.root).unwrap();

		// Not on chain: dropped, the readings pending again.
		assert_eq!(
			store.reconcile(DEVICE, STREAM, StreamState::default()).unwrap(),
			Reconciled::BatchDropped { first_seq: 1 }
		);
		assert_eq!(store.pending(DEVICE, STREAM, 10).unwrap().len(), 4);

		// On chain: recorded, with its proofs.
		store.begin_batch(DEVICE, STREAM, 1, 4, batch.root).unwrap();
		let landed = StreamState::default().advance(1, &batch.root, 4);
		assert_eq!(
			store.reconcile(DEVICE, STREAM, landed).unwrap(),
			Reconciled::BatchLanded { first_seq: 1 }
		);
		assert!(store.pending(DEVICE, STREAM, 10).unwrap().is_empty());
		assert_eq!(store.proof(DEVICE, STREAM, 4).unwrap().root, batch.root);
	}

	#[test]
	fn another_writer_ahead_renumbers_the_pending_readings_and_a_chain_behind_is_refused() {
		let store = store("ahead");
		store.reconcile(DEVICE, STREAM, StreamState::default()).unwrap();
		append(&store, 0..3);
		let ahead = StreamState { last_seq: 5, head: H256::repeat_byte(5) };
		assert_eq!(
			store.reconcile(DEVICE, STREAM, ahead).unwrap(),
			Reconciled::Resynced { chain_seq: 5, renumbered: 3 }
		);
		let seqs: Vec<Seq> =
			store.pending(DEVICE, STREAM, 10).unwrap().iter().map(|(s, _)| *s).collect();
		assert_eq!(seqs, vec![6, 7, 8]);
		assert_eq!(store.reading(DEVICE, STREAM, 6).unwrap(), Some(reading(0)));
		assert_eq!(append(&store, 3..4), vec![Some(9)]);

		let behind = StreamState { last_seq: 2, head: H256::repeat_byte(2) };
		assert!(matches!(store.reconcile(DEVICE, STREAM, behind), Err(Error::Store(_))));
	}

	#[test]
	fn the_digest_covers_topic_payload_and_time() {
		let d = reading_digest("a", b"1", 5);
		assert_ne!(d, reading_digest("b", b"1", 5));
		assert_ne!(d, reading_digest("a", b"2", 5));
		assert_ne!(d, reading_digest("a", b"1", 6));
	}
}
