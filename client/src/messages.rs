//! Device-to-device messages through the nodes' statement store, without a broker: sealed to
//! the recipient's key-agreement key, signed by the sender, gossiped by the nodes, and checked
//! by the recipient against the registry (and, for a device's messages to a reader, the
//! reader's grant).
//!
//! The format is `iotchain-primitives`' [`message`](iotchain_primitives::message) module; the
//! node only stores and gossips statements from accounts the registry gives an allowance to
//! (an active device's key and its owner).
//!
//! ```no_run
//! # async fn example() -> Result<(), iotchain_client::Error> {
//! use iotchain_client::{chain::Client, keys::{Key, Scheme}, messages::{Inbox, Recipient}};
//! # let (sensor, valve) = (Key::from_suri(Scheme::Sr25519, "//s")?, Key::from_suri(Scheme::Sr25519, "//v")?);
//! # let valve_id = iotchain_primitives::device_id_of(&valve.account_id().0);
//! let client = Client::connect("ws://127.0.0.1:9944").await?;
//! client.send_message(&sensor, None, Recipient::Device(valve_id), 1, b"close", 600).await?;
//! let mut inbox = Inbox::open(&client, &valve, 1).await?;
//! while let Some(delivery) = inbox.next().await? {
//!     println!("{delivery:?}");
//! }
//! # Ok(()) }
//! ```

use crate::{chain::Client, keys::Key, runtime, Error};
use codec::{Decode, Encode};
use iotchain_primitives::{
	message::{
		crypto::{self, StaticSecret},
		message_topic, MessageHeader,
	},
	DeviceId, Permission,
};
use polkadot_sdk::{
	sp_core::H256,
	sp_statement_store::{SignatureVerificationResult, Statement, Topic},
};
use rand::RngCore;
use runtime::runtime_types::iotchain_primitives::device::DeviceStatus as ChainStatus;
use serde::Serialize;
use std::{
	collections::VecDeque,
	sync::atomic::{AtomicU32, Ordering},
	time::{SystemTime, UNIX_EPOCH},
};
use subxt::{
	rpcs::{client::RpcSubscription, rpc_params},
	utils::AccountId32,
};

/// Who a message is for: a device, or an account (a reader holding a grant on the sender).
pub type Recipient = iotchain_primitives::message::Recipient<AccountId32>;

/// How long a message stays in the nodes' stores by default, in seconds.
pub const DEFAULT_TTL_SECS: u32 = 600;

/// A message sent: the id of its statement and the topic it was posted under.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
	/// The statement's hash.
	pub id: H256,
	/// The topic (recipient and channel).
	pub topic: H256,
	/// The device it is from.
	pub from: DeviceId,
	/// The node's answer: `new`, or `known` if it had it already.
	pub status: String,
}

/// Who signed a message, for the device it is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SentBy {
	/// The device's current key.
	Device,
	/// The device's owner.
	Owner,
}

/// A message received, decrypted and authenticated.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
	/// The statement's hash.
	pub id: H256,
	/// The device it is from.
	pub from: DeviceId,
	/// The account that signed it: the device's key or its owner.
	pub signer: AccountId32,
	/// Which of the two.
	pub sent_by: SentBy,
	/// The channel.
	pub channel: u32,
	/// When it was sent, in milliseconds since the Unix epoch (the sender's clock).
	pub sent_at_ms: u64,
	/// The plaintext.
	#[serde(skip)]
	pub data: Vec<u8>,
}

/// What came in: a message, or a statement on the topic that was not accepted (and why).
#[derive(Clone, Debug)]
pub enum Delivery {
	/// A message that decrypted and whose sender checks out.
	Message(Message),
	/// A statement refused, with the reason.
	Rejected {
		/// The statement's hash.
		id: H256,
		/// Why it was not accepted.
		reason: String,
	},
	/// Every message the node held when the inbox opened has been delivered; what follows
	/// arrives live.
	CaughtUp,
}

/// Messages this process sent, to order those of one millisecond.
static SENT: AtomicU32 = AtomicU32::new(0);

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// What the node's answer to `statement_submit` says, when it did not take the statement.
fn refusal(outcome: &serde_json::Value) -> String {
	let status = outcome["status"].as_str().unwrap_or("unknown");
	let mut text = format!("the node refused the message: {status}");
	for detail in [&outcome["reason"], &outcome["error"]] {
		if let Some(detail) = detail.as_str() {
			text.push(' ');
			text.push_str(detail);
		}
	}
	let hint = match outcome["reason"].as_str() {
		Some("noAllowance") => {
			"the signer is neither the key nor the owner of an active device: the registry gives \
			 suspended, compromised and retired devices no allowance"
		},
		Some("accountFull") => {
			"the signer holds as many messages in the store as its allowance permits; they \
			 expire, or one that expires later replaces the earliest"
		},
		Some("dataTooLarge") => "more bytes than the signer's allowance leaves",
		Some("badProof") => "the signature does not match the statement",
		_ => return text,
	};
	format!("{text} ({hint})")
}

impl Client {
	/// Sends `plaintext` to `to` on `channel`, signed by `sender`: the key of the device it is
	/// from, or the owner of device `from`. The message stays in the nodes' stores for
	/// `ttl_secs` seconds.
	///
	/// To a device, it is encrypted to the device's key-agreement key in the registry. To an
	/// account, it goes only if the account holds `Read` on stream `channel` of the sending
	/// device now, encrypted to its grant's `grantee_key`: a reader whose grant went gets no
	/// new messages.
	pub async fn send_message(
		&self,
		sender: &Key,
		from: Option<DeviceId>,
		to: Recipient,
		channel: u32,
		plaintext: &[u8],
		ttl_secs: u32,
	) -> Result<Sent, Error> {
		let signer = sender.account_id();
		let from = match from {
			Some(from) => from,
			None => self.device_by_key(&signer).await?.ok_or_else(|| {
				Error::Input(format!(
					"{signer} is no device's key: as an owner, name the device the message is \
					 from"
				))
			})?,
		};
		let device = self
			.device(from)
			.await?
			.ok_or_else(|| Error::Input(format!("no device is registered under {from:?}")))?;
		if signer != device.key && signer != device.owner {
			return Err(Error::Input(format!(
				"{signer} is neither the key nor the owner of device {from:?}"
			)));
		}

		let recipient_key = match &to {
			Recipient::Device(id) => self
				.device(*id)
				.await?
				.ok_or_else(|| Error::Input(format!("no device is registered under {id:?}")))?
				.agreement_key
				.ok_or_else(|| {
					Error::Input(format!(
						"device {id:?} has no key-agreement key: its owner (or the device) sets \
						 one with `iotctl device agreement-key`"
					))
				})?,
			Recipient::Account(account) => {
				let access = self.check_access(from, account, channel, Permission::Read).await?;
				if !access.allowed {
					return Err(Error::Input(format!(
						"{account} does not hold Read on stream {channel} of device {from:?}: \
						 messages from a device go to its current readers only"
					)));
				}
				access.grantee_key.map(|key| key.0).ok_or_else(|| {
					Error::Input(format!(
						"the grant of {account} on device {from:?} carries no grantee key to \
						 encrypt to (grant it again with --grantee-key)"
					))
				})?
			},
		};

		let sent_at_ms = now_ms();
		let mut ephemeral = [0u8; 32];
		rand::rngs::OsRng.fill_bytes(&mut ephemeral);
		let header = MessageHeader { from, to: to.clone(), channel, sent_at_ms };
		let envelope = crypto::seal(&signer, header, &recipient_key, plaintext, ephemeral);

		let topic = message_topic(&to, channel);
		let mut statement = Statement::new();
		statement.set_topic(0, Topic(topic));
		// Later messages of the same sender rank higher (and replace the earliest when its
		// allowance is full): the expiry's low half orders the messages of one second, by
		// millisecond and then by a counter of this process.
		let expires = (sent_at_ms / 1000).saturating_add(ttl_secs.into());
		let order =
			((sent_at_ms % 1000) as u32) << 20 | SENT.fetch_add(1, Ordering::Relaxed) & 0xF_FFFF;
		statement.set_expiry_from_parts(u32::try_from(expires).unwrap_or(u32::MAX), order);
		statement.set_plain_data(envelope.encode());
		sender.sign_statement(&mut statement);

		let status = self.submit_statement(&statement).await?;
		Ok(Sent { id: H256(statement.hash()), topic: H256(topic), from, status })
	}

	/// Submits a signed statement to the node's store (`statement_submit`): the node's answer,
	/// `new` or `known`, or [`Error::Refused`] with its reason (`rejected noAllowance`, …).
	pub async fn submit_statement(&self, statement: &Statement) -> Result<String, Error> {
		let encoded = format!("0x{}", hex::encode(statement.encode()));
		let outcome: serde_json::Value =
			self.raw_request("statement_submit", rpc_params![encoded]).await?;
		match outcome["status"].as_str() {
			Some(status @ ("new" | "known")) => Ok(status.into()),
			_ => Err(Error::Refused(refusal(&outcome))),
		}
	}

	/// Declares `agreement_key` as the key-agreement key of `device_id` (by its owner or the
	/// active device).
	pub async fn set_agreement_key(
		&self,
		signer: &Key,
		device_id: DeviceId,
		agreement_key: Option<[u8; 32]>,
		wait: crate::chain::Wait,
	) -> Result<crate::chain::Outcome, Error> {
		let call = runtime::tx().devices().set_agreement_key(device_id, agreement_key);
		self.submit(&call, signer, wait).await
	}
}

/// The messages to one recipient on one channel, as they arrive at a node: each decrypted with
/// the recipient's key and checked against the chain.
pub struct Inbox {
	client: Client,
	secret: StaticSecret,
	me: Recipient,
	channel: u32,
	topic: [u8; 32],
	subscription: RpcSubscription<serde_json::Value>,
	pending: VecDeque<Pending>,
	caught_up: bool,
}

/// What the subscription delivered and [`Inbox::next`] has not handed out yet.
enum Pending {
	Statement(String),
	CaughtUp,
}

impl Inbox {
	/// Subscribes to the messages to `key` on `channel`: to its device if `key` is a device's
	/// key, else to its account. Messages already in the node's store come first.
	pub async fn open(client: &Client, key: &Key, channel: u32) -> Result<Self, Error> {
		let account = key.account_id();
		let me = match client.device_by_key(&account).await? {
			Some(device) => Recipient::Device(device),
			None => Recipient::Account(account),
		};
		let topic = message_topic(&me, channel);
		let filter = serde_json::json!({ "matchAll": [format!("0x{}", hex::encode(topic))] });
		let subscription = client
			.raw_subscribe(
				"statement_subscribeStatement",
				rpc_params![filter],
				"statement_unsubscribeStatement",
			)
			.await?;
		Ok(Self {
			client: client.clone(),
			secret: key.agreement_secret(),
			me,
			channel,
			topic,
			subscription,
			pending: VecDeque::new(),
			caught_up: false,
		})
	}

	/// Who this inbox receives for.
	pub fn recipient(&self) -> &Recipient {
		&self.me
	}

	/// The channel it receives on.
	pub fn channel(&self) -> u32 {
		self.channel
	}

	/// The next delivery; `None` when the node ends the subscription.
	pub async fn next(&mut self) -> Result<Option<Delivery>, Error> {
		loop {
			match self.pending.pop_front() {
				Some(Pending::Statement(hex)) => return Ok(Some(self.accept(&hex).await)),
				Some(Pending::CaughtUp) => return Ok(Some(Delivery::CaughtUp)),
				None => {},
			}
			let Some(event) = self.subscription.next().await else { return Ok(None) };
			let event = event.map_err(Error::node)?;
			let data = &event["data"];
			if let Some(statements) = data["statements"].as_array() {
				self.pending.extend(
					statements
						.iter()
						.filter_map(|s| s.as_str())
						.map(|s| Pending::Statement(s.into())),
				);
			}
			// The initial batches count down what is left of the store's matches; live ones
			// carry no count.
			if !self.caught_up && data["remaining"].as_u64() == Some(0) {
				self.caught_up = true;
				self.pending.push_back(Pending::CaughtUp);
			}
		}
	}

	/// Decodes, authenticates and decrypts one statement of the subscription.
	async fn accept(&self, hex: &str) -> Delivery {
		let bytes = hex::decode(hex.trim_start_matches("0x")).unwrap_or_default();
		let id = H256(polkadot_sdk::sp_statement_store::hash_encoded(&bytes));
		match self.check(id, &bytes).await {
			Ok(message) => Delivery::Message(message),
			Err(reason) => Delivery::Rejected { id, reason },
		}
	}

	async fn check(&self, id: H256, bytes: &[u8]) -> Result<Message, String> {
		let statement =
			Statement::decode(&mut &bytes[..]).map_err(|e| format!("not a statement: {e}"))?;
		let signer = match statement.verify_signature() {
			SignatureVerificationResult::Valid(account) => AccountId32(account),
			SignatureVerificationResult::Invalid => return Err("bad signature".into()),
			SignatureVerificationResult::NoSignature => return Err("unsigned".into()),
		};
		if statement.topic(0) != Some(Topic(self.topic)) {
			return Err("not on this inbox's topic".into());
		}
		let data = statement.data().ok_or("no data")?;
		let envelope = crypto::envelope::<AccountId32>(data).map_err(|e| e.to_string())?;
		let header = &envelope.header;
		if header.to != self.me || header.channel != self.channel {
			return Err("addressed to another recipient or channel than its topic says".into());
		}
		let plaintext =
			crypto::open(&signer, &envelope, &self.secret).map_err(|e| e.to_string())?;

		// The node is not trusted: the sender is checked against the chain.
		let from = header.from;
		let chain = |e: Error| format!("cannot check the sender: {e}");
		let device = self
			.client
			.device(from)
			.await
			.map_err(chain)?
			.ok_or_else(|| format!("from {from:?}, which is not a registered device"))?;
		if !matches!(device.status, ChainStatus::Active) {
			return Err(format!("from device {from:?}, which is not active"));
		}
		let sent_by = if signer == device.key {
			SentBy::Device
		} else if signer == device.owner {
			SentBy::Owner
		} else {
			return Err(format!(
				"signed by {signer}, neither the key nor the owner of device {from:?}"
			));
		};
		if let Recipient::Account(me) = &self.me {
			let access = self
				.client
				.check_access(from, me, self.channel, Permission::Read)
				.await
				.map_err(chain)?;
			if !access.allowed {
				return Err(format!(
					"for Read holders of stream {} of device {from:?}, and this account holds \
					 no such grant",
					self.channel
				));
			}
		}
		Ok(Message {
			id,
			from,
			signer,
			sent_by,
			channel: self.channel,
			sent_at_ms: header.sent_at_ms,
			data: plaintext,
		})
	}
}
