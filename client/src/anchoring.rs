//! Anchoring a device's stream: the workflow `iotctl anchor` and the gateway share.
//!
//! A [`StreamWriter`] gives readings consecutive sequence numbers, keeps the stream's state (last
//! seq and head) in a [`StateStore`] so that a restarted device continues where it left off,
//! splits batches at the runtime's `MaxBatchSize`, and explains a refusal when it can tell why
//! ([`Refusal`]): the device is not active, the local state is behind the chain (another tool
//! anchored; call [`StreamWriter::resync`]), or the device's free anchor is still in the pool.
//!
//! ```no_run
//! # async fn example() -> Result<(), iotchain_client::Error> {
//! use iotchain_client::{anchoring::{Anchorer, StreamWriter}, chain::Client, data, keys::{Key, Scheme}};
//!
//! let client = Client::connect("ws://127.0.0.1:9944").await?;
//! let device = Anchorer::device(&client, Key::from_suri(Scheme::Ed25519, "//sensor-7")?).await?;
//! let mut stream = StreamWriter::open(client, device, 1, None).await?;
//! let anchored = stream.anchor(data::digest(b"{\"t\": 21.5}")).await?;
//! println!("seq {} anchored, head {:?}", anchored.seq, anchored.head);
//! # Ok(()) }
//! ```

use crate::{
	chain::{Client, Outcome, Wait},
	data::{Batch, Reading},
	keys::{self, Key},
	runtime::{self, runtime_types::bounded_collections::bounded_vec::BoundedVec},
	state::{StateStore, StreamState},
	Error,
};
use iotchain_primitives::{DeviceId, DeviceStatus, Seq, StreamId, SuspendedBy};
use polkadot_sdk::sp_core::H256;
use subxt::tx::Payload;

/// Who signs anchors, and for which device.
#[derive(Clone)]
pub struct Anchorer {
	signer: Key,
	device: DeviceId,
	/// Whether the signer is the device's own key (`anchors.anchor`, free within the device's
	/// quota) rather than its owner or a holder of a write grant (`anchors.anchorFor`).
	is_device: bool,
}

impl Anchorer {
	/// The device whose current key is `key`, signing for itself.
	pub async fn device(client: &Client, key: Key) -> Result<Self, Error> {
		let device = client.device_by_key(&key.account_id()).await?.ok_or_else(|| {
			Error::Input(format!(
				"{} is not the key of any registered device",
				keys::ss58(&key.account_id())
			))
		})?;
		Ok(Self { signer: key, device, is_device: true })
	}

	/// `signer` (the device's owner, or an account holding WRITE) anchoring for `device`.
	pub fn on_behalf_of(device: DeviceId, signer: Key) -> Self {
		Self { signer, device, is_device: false }
	}

	/// The device anchored for.
	pub fn device_id(&self) -> DeviceId {
		self.device
	}

	/// Whether the device signs itself.
	pub fn is_device(&self) -> bool {
		self.is_device
	}
}

/// Why the chain refused an anchor, when the SDK can tell.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
	/// The device cannot anchor in its current status.
	#[error("the device is {}", inactive(.0))]
	NotActive(DeviceStatus<u32>),
	/// No device is registered under the id (or it was retired and removed).
	#[error("the device is not registered (or retired)")]
	NotRegistered,
	/// The local state is behind the chain: the stream's head is already at or past `seq`
	/// (another tool anchored, or the state was restored from a backup).
	#[error(
		"seq {seq} from the local state is stale: the chain's head of stream {stream} is at seq \
		 {chain_seq}"
	)]
	StaleSequence {
		/// The stream.
		stream: StreamId,
		/// The seq that was submitted.
		seq: Seq,
		/// The chain's last seq of the stream.
		chain_seq: Seq,
	},
	/// The pool holds one free anchor per device; the next waits until that one is in a block.
	#[error(
		"the device already has a free anchor waiting in the pool: submit the next one when that \
		 one is in a block"
	)]
	FreeAnchorPending,
}

fn inactive(status: &DeviceStatus<u32>) -> String {
	match status {
		DeviceStatus::Active => "active".into(),
		DeviceStatus::Suspended { by: SuspendedBy::Transfer } => {
			"suspended since it changed hands: its owner must rotate its key or resume it".into()
		},
		DeviceStatus::Suspended { by: SuspendedBy::Owner } => {
			"suspended by its owner, who must resume it first".into()
		},
		DeviceStatus::Suspended { by: SuspendedBy::Manager } => {
			"suspended by a manager: its owner or a manager must resume it first".into()
		},
		DeviceStatus::Compromised { since } => {
			format!("reported compromised since block {since}: its owner must rotate its key first")
		},
		DeviceStatus::Retired => "retired".into(),
	}
}

/// A reading anchored on its own.
#[derive(Clone, Debug)]
pub struct Anchored {
	/// Its sequence number.
	pub seq: Seq,
	/// Its digest.
	pub digest: H256,
	/// The stream's head after it.
	pub head: H256,
	/// The transaction.
	pub outcome: Outcome,
}

/// A batch anchored under its Merkle root.
#[derive(Clone, Debug)]
pub struct AnchoredBatch {
	/// The readings, their root and (through [`Batch::proofs`]) a proof per reading.
	pub batch: Batch,
	/// The stream's head after it.
	pub head: H256,
	/// The transaction.
	pub outcome: Outcome,
}

/// One stream of one device, written in sequence. See the [module docs](self).
pub struct StreamWriter {
	client: Client,
	anchorer: Anchorer,
	stream: StreamId,
	state: StreamState,
	store: Option<StateStore>,
	uri: Option<Vec<u8>>,
	wait: Wait,
	max_batch_size: u32,
}

impl StreamWriter {
	/// The writer of `stream`, continuing from the state in `store` if it has one for the stream,
	/// else from the chain's head. Without a store, the state lives only in this writer.
	pub async fn open(
		client: Client,
		anchorer: Anchorer,
		stream: StreamId,
		store: Option<StateStore>,
	) -> Result<Self, Error> {
		let max_batch_size =
			client.constant(runtime::constants().anchors().max_batch_size()).await?;
		let mut writer = Self {
			client,
			anchorer,
			stream,
			state: StreamState::default(),
			store,
			uri: None,
			wait: Wait::InBlock,
			max_batch_size,
		};
		match writer.store.as_ref().map(|s| s.load(&writer.anchorer.device, stream)).transpose()? {
			Some(Some(state)) => writer.state = state,
			_ => writer.state = writer.chain_state().await?,
		}
		Ok(writer)
	}

	/// Waits for each anchor as far as `wait` says (default [`Wait::InBlock`]). With
	/// [`Wait::Submitted`], a device's batch of several chunks still waits for every chunk but
	/// the last to be in a block: the pool holds one free anchor per device.
	pub fn with_wait(mut self, wait: Wait) -> Self {
		self.wait = wait;
		self
	}

	/// Attaches `uri` (where the data can be fetched) to the anchors, checked against the
	/// runtime's `MaxUriLen`.
	pub async fn with_uri(mut self, uri: Option<Vec<u8>>) -> Result<Self, Error> {
		if let Some(uri) = &uri {
			let max = self.client.constant(runtime::constants().anchors().max_uri_len()).await?;
			Error::check_len("the uri", uri.len(), max)?;
		}
		self.uri = uri;
		Ok(self)
	}

	/// The device.
	pub fn device(&self) -> DeviceId {
		self.anchorer.device
	}

	/// The stream.
	pub fn stream(&self) -> StreamId {
		self.stream
	}

	/// Where the stream stands (as far as this writer knows).
	pub fn state(&self) -> StreamState {
		self.state
	}

	/// The runtime's `MaxBatchSize`: [`Self::anchor_batch`] anchors one root per this many
	/// readings.
	pub fn max_batch_size(&self) -> u32 {
		self.max_batch_size
	}

	/// Takes the state from the chain's head (and stores it), e.g. after a
	/// [`Refusal::StaleSequence`].
	pub async fn resync(&mut self) -> Result<StreamState, Error> {
		self.state = self.chain_state().await?;
		self.save()?;
		Ok(self.state)
	}

	/// Anchors one reading's `digest` under the next seq.
	pub async fn anchor(&mut self, digest: H256) -> Result<Anchored, Error> {
		let seq = self.state.next_seq()?;
		let uri = self.uri.clone().map(BoundedVec);
		let anchors = runtime::tx().anchors();
		let outcome = if self.anchorer.is_device {
			self.submit(&anchors.anchor(self.stream, seq, digest, uri), seq, self.wait).await?
		} else {
			let call = anchors.anchor_for(self.anchorer.device, self.stream, seq, digest, uri);
			self.submit(&call, seq, self.wait).await?
		};
		self.state = self.state.advance(seq, &digest, seq);
		self.save()?;
		Ok(Anchored { seq, digest, head: self.state.head, outcome })
	}

	/// Anchors `readings` under consecutive seqs, one Merkle root per [`Self::max_batch_size`]
	/// readings. Returns the batches, each with a proof per reading.
	pub async fn anchor_batch(
		&mut self,
		readings: Vec<Reading>,
	) -> Result<Vec<AnchoredBatch>, Error> {
		self.anchor_batch_with(readings, |_| Ok(())).await
	}

	/// [`Self::anchor_batch`], calling `each` as soon as a batch is anchored (and the state
	/// stored), e.g. to keep its proofs before the next one is submitted. An error of `each`
	/// stops there.
	pub async fn anchor_batch_with(
		&mut self,
		readings: Vec<Reading>,
		mut each: impl FnMut(&AnchoredBatch) -> Result<(), Error>,
	) -> Result<Vec<AnchoredBatch>, Error> {
		if readings.is_empty() {
			return Err(Error::Input("no readings to anchor".into()));
		}
		let chunk_size = self.max_batch_size.max(1) as usize;
		let last_chunk = readings.len().div_ceil(chunk_size).saturating_sub(1);
		let mut anchored = Vec::new();
		for (index, chunk) in readings.chunks(chunk_size).enumerate() {
			let first_seq = self.state.next_seq()?;
			let batch = Batch::new(self.anchorer.device, self.stream, first_seq, chunk.to_vec())
				.ok_or_else(|| Error::Input("an empty batch".into()))?;
			// A device anchoring its own batch names no device; the owner or a writer does.
			let device = (!self.anchorer.is_device).then_some(self.anchorer.device);
			let call = runtime::tx().anchors().anchor_batch(
				device,
				self.stream,
				first_seq,
				batch.count(),
				batch.root,
				self.uri.clone().map(BoundedVec),
			);
			let wait = match self.wait {
				Wait::Submitted if self.anchorer.is_device && index < last_chunk => Wait::InBlock,
				wait => wait,
			};
			let outcome = self.submit(&call, first_seq, wait).await?;
			self.state = self.state.advance(first_seq, &batch.root, batch.last_seq());
			self.save()?;
			let done = AnchoredBatch { batch, head: self.state.head, outcome };
			each(&done)?;
			anchored.push(done);
		}
		Ok(anchored)
	}

	async fn chain_state(&self) -> Result<StreamState, Error> {
		Ok(match self.client.anchor_head(self.anchorer.device, self.stream).await? {
			Some(head) => StreamState { last_seq: head.seq, head: head.head },
			None => StreamState::default(),
		})
	}

	fn save(&self) -> Result<(), Error> {
		match &self.store {
			Some(store) => store.save(&self.anchorer.device, self.stream, &self.state),
			None => Ok(()),
		}
	}

	/// Submits an anchoring call from `seq`; a refusal is explained when the chain's state tells
	/// why. A device's free anchors are refused before inclusion (as "cannot pay fees"), so the
	/// pallet's own error does not reach the device: the registry and the stream's head do.
	async fn submit(&self, call: &impl Payload, seq: Seq, wait: Wait) -> Result<Outcome, Error> {
		let error = match self.client.submit(call, &self.anchorer.signer, wait).await {
			Ok(outcome) => return Ok(outcome),
			Err(error) if error.is_refusal() => error,
			Err(error) => return Err(error),
		};
		let Some(refusal) = self.diagnose(&error, seq).await else { return Err(error) };
		Err(Error::Anchor { refusal, chain: Box::new(error) })
	}

	async fn diagnose(&self, error: &Error, seq: Seq) -> Option<Refusal> {
		match self.client.device_view(self.anchorer.device).await.ok()? {
			None => return Some(Refusal::NotRegistered),
			Some(device) if device.status != DeviceStatus::Active => {
				return Some(Refusal::NotActive(device.status))
			},
			Some(_) => {},
		}
		match self.client.anchor_head(self.anchorer.device, self.stream).await.ok()? {
			Some(head) if head.seq >= seq => {
				Some(Refusal::StaleSequence { stream: self.stream, seq, chain_seq: head.seq })
			},
			_ => matches!(error, Error::Refused(reason)
				if self.anchorer.is_device && reason.to_lowercase().contains("priority"))
			.then_some(Refusal::FreeAnchorPending),
		}
	}
}
