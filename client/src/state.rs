//! The local sequence state of a device's streams: the last `seq` anchored and the head it gave,
//! one small JSON file per (device, stream), so that a restarted device continues where it left
//! off. It can always be re-synced from the chain's head.

use crate::Error;
use iotchain_primitives::{next_head, DeviceId, Seq, StreamId, GENESIS_HEAD};
use polkadot_sdk::sp_core::H256;
use serde::{Deserialize, Serialize};
use std::{
	fs,
	path::{Path, PathBuf},
};

/// Where a stream stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StreamState {
	/// The last sequence number anchored (0: nothing yet).
	pub last_seq: Seq,
	/// The head after it.
	pub head: H256,
}

impl Default for StreamState {
	fn default() -> Self {
		Self { last_seq: 0, head: GENESIS_HEAD }
	}
}

impl StreamState {
	/// The sequence number the next reading gets.
	pub fn next_seq(&self) -> Result<Seq, Error> {
		self.last_seq
			.checked_add(1)
			.ok_or_else(|| Error::Input("the stream's sequence numbers are exhausted".into()))
	}

	/// The state after anchoring `digest` (a reading's, or a batch's root) under `seq`,
	/// the batch's readings ending at `last_seq`.
	pub fn advance(&self, seq: Seq, digest: &H256, last_seq: Seq) -> Self {
		Self { last_seq, head: next_head(&self.head, seq, digest) }
	}
}

/// The directory of state files.
#[derive(Clone, Debug)]
pub struct StateStore {
	dir: PathBuf,
}

impl StateStore {
	/// The store in `dir` (created when first written).
	pub fn new(dir: impl Into<PathBuf>) -> Self {
		Self { dir: dir.into() }
	}

	/// The default directory: `$XDG_STATE_HOME/iotctl`, else `~/.local/state/iotctl`.
	pub fn default_dir() -> PathBuf {
		std::env::var_os("XDG_STATE_HOME")
			.map(PathBuf::from)
			.or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/state")))
			.unwrap_or_else(|| PathBuf::from("."))
			.join("iotctl")
	}

	/// The directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	fn path(&self, device: &DeviceId, stream: StreamId) -> PathBuf {
		self.dir.join(format!("{}-{stream}.json", hex::encode(device.as_bytes())))
	}

	/// The stored state of a stream, `None` if there is none.
	pub fn load(&self, device: &DeviceId, stream: StreamId) -> Result<Option<StreamState>, Error> {
		let path = self.path(device, stream);
		let what = |e: String| Error::State(format!("{}: {e}", path.display()));
		match fs::read_to_string(&path) {
			Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| what(e.to_string())),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
			Err(e) => Err(what(e.to_string())),
		}
	}

	/// Stores the state of a stream; the file is replaced atomically, so a crash leaves either
	/// the old state or the new one.
	pub fn save(
		&self,
		device: &DeviceId,
		stream: StreamId,
		state: &StreamState,
	) -> Result<(), Error> {
		let path = self.path(device, stream);
		let what = |e: std::io::Error| Error::State(format!("{}: {e}", path.display()));
		fs::create_dir_all(&self.dir).map_err(what)?;
		let tmp = path.with_extension("json.tmp");
		let json = serde_json::to_string(state).map_err(|e| Error::State(e.to_string()))?;
		fs::write(&tmp, json + "\n").map_err(what)?;
		fs::rename(&tmp, &path).map_err(what)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use iotchain_primitives::fold_heads;

	#[test]
	fn state_survives_a_restart_and_follows_the_chain_fold() {
		let dir = tempfile::tempdir().unwrap();
		let device = H256::repeat_byte(7);
		let store = StateStore::new(dir.path().join("nested"));
		assert_eq!(store.load(&device, 1).unwrap(), None);

		let digests: Vec<H256> = (1..=3u8).map(H256::repeat_byte).collect();
		let mut state = StreamState::default();
		for digest in &digests {
			let seq = state.next_seq().unwrap();
			state = state.advance(seq, digest, seq);
			store.save(&device, 1, &state).unwrap();
		}
		// A new process (a new store on the same directory) continues from seq 4.
		let reloaded =
			StateStore::new(dir.path().join("nested")).load(&device, 1).unwrap().unwrap();
		assert_eq!(reloaded, state);
		assert_eq!(reloaded.next_seq().unwrap(), 4);
		assert_eq!(
			reloaded.head,
			fold_heads([(1, &digests[0]), (2, &digests[1]), (3, &digests[2])])
		);
		// Streams are separate.
		assert_eq!(store.load(&device, 2).unwrap(), None);
	}

	#[test]
	fn a_batch_advances_to_its_last_seq_and_corrupt_state_is_an_error() {
		let state = StreamState::default().advance(1, &H256::repeat_byte(1), 100);
		assert_eq!(state.next_seq().unwrap(), 101);
		assert!(matches!(
			StreamState { last_seq: Seq::MAX, head: H256::zero() }.next_seq(),
			Err(Error::Input(m)) if m.contains("exhausted")
		));

		let dir = tempfile::tempdir().unwrap();
		let store = StateStore::new(dir.path());
		store.save(&H256::zero(), 5, &state).unwrap();
		let file = fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
		fs::write(file, "garbage").unwrap();
		assert!(matches!(store.load(&H256::zero(), 5), Err(Error::State(_))));
	}
}
