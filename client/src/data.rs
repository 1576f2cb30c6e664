//! The local side of anchoring: fingerprints of readings, device ids, Merkle batches and the
//! proof files that let anyone verify one reading of a batch later.
//!
//! The hash chain and the Merkle tree are `iotchain-primitives`' functions, the ones the runtime
//! runs; nothing here re-implements them.

use crate::Error;
use iotchain_primitives::{
	json::MerkleProofView, merkle_proof, merkle_root, DeviceId, MerkleProof, Seq, StreamId,
};
use polkadot_sdk::{sp_core::H256, sp_crypto_hashing::blake2_256};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::{fs, path::Path};

/// The fingerprint of a reading: blake2-256 of its bytes.
pub fn digest(data: &[u8]) -> H256 {
	H256(blake2_256(data))
}

/// 32 bytes from 64 hex digits (without `0x`).
pub fn parse_hex32(hex: &str) -> Result<[u8; 32], String> {
	let bytes = hex::decode(hex).map_err(|e| format!("not hex: {e}"))?;
	bytes.try_into().map_err(|b: Vec<u8>| format!("{} bytes, expected 32", b.len()))
}

/// A 32-byte hash from `0x`-hex.
pub fn parse_h256(s: &str) -> Result<H256, Error> {
	let hex = s
		.strip_prefix("0x")
		.ok_or_else(|| Error::Input(format!("`{s}` is not 0x-hex of 32 bytes")))?;
	parse_hex32(hex).map(H256).map_err(|e| Error::Input(format!("`{s}`: {e}")))
}

/// A device id from `0x`-hex of 32 bytes. Ids are derived from the device's first key
/// ([`iotchain_primitives::device_id_of`]), never from a name or serial number.
pub fn parse_device_id(s: &str) -> Result<DeviceId, Error> {
	if !s.starts_with("0x") {
		return Err(Error::Input(format!(
			"`{s}` is not a device id: ids are 0x-hex of 32 bytes, derived from the device's \
			 first key (`iotctl key inspect FILE` shows it)"
		)));
	}
	parse_h256(s)
}

/// Everything needed to verify one reading of an anchored batch, as `iotctl anchor batch`
/// writes it (JSON, one file per reading).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProofFile {
	/// The device the batch was anchored for.
	pub device: H256,
	/// The stream.
	pub stream: StreamId,
	/// The reading's own sequence number.
	pub seq: Seq,
	/// The reading's digest.
	pub digest: H256,
	/// The batch's Merkle root, as anchored.
	pub root: H256,
	/// The reading's leaf index in the batch.
	pub leaf_index: u32,
	/// How many readings the batch holds.
	pub number_of_leaves: u32,
	/// The sibling hashes from the leaf up to the root.
	pub items: Vec<H256>,
	/// Where the reading came from (file name or JSONL line), for people.
	pub source: String,
}

impl ProofFile {
	/// The proof as the runtime takes it; bad input if it has more items than any proof can
	/// ([`iotchain_primitives::MAX_MERKLE_PROOF_ITEMS`]).
	pub fn merkle_proof(&self) -> Result<MerkleProof, Error> {
		crate::proof::batch_proof(&MerkleProofView {
			leaf_index: self.leaf_index,
			number_of_leaves: self.number_of_leaves,
			items: self.items.clone(),
		})
	}

	/// Reads a proof file.
	pub fn read(path: &Path) -> Result<Self, Error> {
		read_json(path, "proof file")
	}

	/// Writes the proof file.
	pub fn write(&self, path: &Path) -> Result<(), Error> {
		write_json(self, path, "proof file")
	}
}

/// Reads the JSON file `path` (a `what`, for the error message).
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T, Error> {
	let error = |e: String| Error::Input(format!("{what} {}: {e}", path.display()));
	let text = fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
	serde_json::from_str(&text).map_err(|e| error(e.to_string()))
}

/// Writes `value` as pretty JSON to `path` (a `what`, for the error message).
pub(crate) fn write_json<T: Serialize>(value: &T, path: &Path, what: &str) -> Result<(), Error> {
	let json = serde_json::to_string_pretty(value).map_err(|e| Error::Input(e.to_string()))?;
	fs::write(path, json + "\n")
		.map_err(|e| Error::Input(format!("{what} {}: {e}", path.display())))
}

/// One reading of a batch: where it came from and its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
	/// A file name, or `line N` of a JSONL file.
	pub source: String,
	/// Its digest.
	pub digest: H256,
}

/// A batch of readings of `stream` from `first_seq` on, and its Merkle root.
#[derive(Clone, Debug)]
pub struct Batch {
	/// The device.
	pub device: DeviceId,
	/// The stream.
	pub stream: StreamId,
	/// The first reading's sequence number; the others follow.
	pub first_seq: Seq,
	/// The readings, in sequence order.
	pub readings: Vec<Reading>,
	/// The root that is anchored.
	pub root: H256,
}

impl Batch {
	/// The batch of `readings` starting at `first_seq`. `None` if it is empty.
	pub fn new(
		device: DeviceId,
		stream: StreamId,
		first_seq: Seq,
		readings: Vec<Reading>,
	) -> Option<Self> {
		if readings.is_empty() {
			return None;
		}
		let digests: Vec<H256> = readings.iter().map(|r| r.digest).collect();
		let root = merkle_root(first_seq, &digests);
		Some(Self { device, stream, first_seq, readings, root })
	}

	/// The number of readings.
	pub fn count(&self) -> u32 {
		u32::try_from(self.readings.len()).unwrap_or(u32::MAX)
	}

	/// The last reading's sequence number.
	pub fn last_seq(&self) -> Seq {
		self.first_seq.saturating_add(Seq::from(self.count()).saturating_sub(1))
	}

	/// The proof file of every reading, in order.
	pub fn proofs(&self) -> impl Iterator<Item = ProofFile> + '_ {
		let digests: Vec<H256> = self.readings.iter().map(|r| r.digest).collect();
		self.readings.iter().enumerate().filter_map(move |(index, reading)| {
			let index = u32::try_from(index).ok()?;
			let proof = merkle_proof(self.first_seq, &digests, index)?;
			Some(ProofFile {
				device: self.device,
				stream: self.stream,
				seq: self.first_seq.checked_add(Seq::from(index))?,
				digest: reading.digest,
				root: self.root,
				leaf_index: proof.leaf_index,
				number_of_leaves: proof.number_of_leaves,
				items: proof.items.into_inner(),
				source: reading.source.clone(),
			})
		})
	}
}

/// The readings of a directory: each regular file is one reading, in file-name order.
/// `progress` is called once per file read.
pub fn readings_of_dir(dir: &Path, mut progress: impl FnMut()) -> Result<Vec<Reading>, Error> {
	let what = |e: std::io::Error| Error::Input(format!("directory {}: {e}", dir.display()));
	let mut names = Vec::new();
	for entry in fs::read_dir(dir).map_err(what)? {
		let entry = entry.map_err(what)?;
		if entry.file_type().map_err(what)?.is_file() {
			names.push(entry.file_name());
		}
	}
	names.sort();
	names
		.into_iter()
		.map(|name| {
			let path = dir.join(&name);
			let data = fs::read(&path)
				.map_err(|e| Error::Input(format!("reading {}: {e}", path.display())))?;
			progress();
			Ok(Reading { source: name.to_string_lossy().into_owned(), digest: digest(&data) })
		})
		.collect()
}

/// The readings of a JSON Lines file: each non-empty line is one reading, its digest that of the
/// line's bytes (without the line break). Every line must be valid JSON.
pub fn readings_of_jsonl(path: &Path) -> Result<Vec<Reading>, Error> {
	let text = fs::read_to_string(path)
		.map_err(|e| Error::Input(format!("JSONL file {}: {e}", path.display())))?;
	text.lines()
		.enumerate()
		.filter(|(_, line)| !line.trim().is_empty())
		.map(|(index, line)| {
			let number = index + 1;
			serde_json::from_str::<serde::de::IgnoredAny>(line).map_err(|e| {
				Error::Input(format!("{} line {number} is not JSON: {e}", path.display()))
			})?;
			Ok(Reading { source: format!("line {number}"), digest: digest(line.as_bytes()) })
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	fn reading(n: u32) -> Reading {
		Reading { source: format!("r{n}"), digest: digest(&n.to_le_bytes()) }
	}

	#[test]
	fn device_ids_are_hex_only() {
		let hex = format!("0x{}", "ab".repeat(32));
		assert_eq!(parse_device_id(&hex).unwrap(), H256::repeat_byte(0xab));
		assert!(matches!(parse_device_id("sensor-7"), Err(Error::Input(_))));
		assert!(matches!(parse_device_id("0x12"), Err(Error::Input(_))));
		assert!(matches!(parse_device_id(""), Err(Error::Input(_))));
		assert!(matches!(parse_h256("ab"), Err(Error::Input(_))));
	}

	#[test]
	fn every_proof_of_a_batch_verifies_against_its_root_only() {
		for size in [1u32, 2, 3, 100] {
			let batch = Batch::new(H256::zero(), 3, 41, (0..size).map(reading).collect()).unwrap();
			assert_eq!(batch.last_seq(), 41 + u64::from(size) - 1);
			let proofs: Vec<ProofFile> = batch.proofs().collect();
			assert_eq!(proofs.len(), size as usize);
			for (i, proof) in proofs.iter().enumerate() {
				assert_eq!(proof.seq, 41 + i as u64);
				assert_eq!(proof.source, format!("r{i}"));
				assert!(proof.merkle_proof().unwrap().verify(
					&batch.root,
					proof.seq,
					&proof.digest
				));
				assert!(!proof.merkle_proof().unwrap().verify(
					&batch.root,
					proof.seq,
					&digest(b"x")
				));
				assert!(!proof.merkle_proof().unwrap().verify(
					&batch.root,
					proof.seq + 1,
					&proof.digest
				));
			}
		}
		assert!(Batch::new(H256::zero(), 3, 1, vec![]).is_none());
	}

	#[test]
	fn proof_files_round_trip() {
		let dir = tempfile::tempdir().unwrap();
		let batch = Batch::new(H256::zero(), 1, 1, (0..5).map(reading).collect()).unwrap();
		let proof = batch.proofs().nth(3).unwrap();
		let path = dir.path().join("p.json");
		proof.write(&path).unwrap();
		assert_eq!(ProofFile::read(&path).unwrap(), proof);
		fs::write(&path, "{}").unwrap();
		assert!(matches!(ProofFile::read(&path), Err(Error::Input(_))));
	}

	#[test]
	fn directories_and_jsonl_files_become_readings_in_order() {
		let dir = tempfile::tempdir().unwrap();
		fs::write(dir.path().join("b"), "2").unwrap();
		fs::write(dir.path().join("a"), "1").unwrap();
		fs::create_dir(dir.path().join("sub")).unwrap();
		let mut seen = 0;
		let readings = readings_of_dir(dir.path(), || seen += 1).unwrap();
		assert_eq!(seen, 2);
		assert_eq!(
			readings,
			vec![
				Reading { source: "a".into(), digest: digest(b"1") },
				Reading { source: "b".into(), digest: digest(b"2") },
			]
		);

		let jsonl = dir.path().join("r.jsonl");
		fs::write(&jsonl, "{\"t\":1}\n\n{\"t\":2}\n").unwrap();
		let readings = readings_of_jsonl(&jsonl).unwrap();
		assert_eq!(readings[1], Reading { source: "line 3".into(), digest: digest(b"{\"t\":2}") });
		fs::write(&jsonl, "{\"t\":1}\nnot json\n").unwrap();
		let err = readings_of_jsonl(&jsonl).unwrap_err().to_string();
		assert!(err.contains("line 2"), "{err}");
	}
}
