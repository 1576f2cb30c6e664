//! The JSON view of each concept (feature `serde`): one shape for a device, a stream's head, an
//! anchor, its proof, a reading's Merkle proof, a grant and an access decision, used alike by the
//! node's `iotchain_*` RPC methods and by `iotctl --json`.
//!
//! Conventions: hashes, ids and keys are `0x`-prefixed hex; accounts are SS58 strings; balances
//! are decimal strings (they exceed JavaScript's safe integers); field names are camelCase;
//! enums are objects with a camelCase `type` (`{"type": "suspended", "by": "transfer"}`);
//! permissions are `"read"`, `"write"`, `"manage"`.

use crate::{
	AnchorKind, AnchorRecord, BlockNumber, Custody, DeviceId, DeviceStatus, MerkleProof, Seq,
	StreamId,
};
use alloc::{string::String, vec::Vec};
use polkadot_sdk::sp_core::{Bytes, H256};
use serde::{Deserialize, Serialize};

/// A registered device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView<AccountId> {
	/// Its id.
	pub id: DeviceId,
	/// The account that controls it and paid its deposit.
	pub owner: AccountId,
	/// Its current key.
	pub key: AccountId,
	/// Its lifecycle status.
	pub status: DeviceStatus<BlockNumber>,
	/// Who holds its key: the device itself or a gateway.
	pub custody: Custody<AccountId>,
	/// Its X25519 key-agreement key, which messages to it are encrypted to.
	pub agreement_key: Option<H256>,
	/// Metadata, as UTF-8 (invalid bytes replaced).
	pub model: String,
	/// Metadata.
	pub manufacturer: String,
	/// Metadata.
	pub serial: String,
	/// Metadata.
	pub label: String,
	/// The declared firmware hash.
	pub firmware: Option<H256>,
	/// The block it was registered in.
	pub registered_at: BlockNumber,
	/// The block its current owner took it over (or registered it).
	pub owner_since: BlockNumber,
	/// The deposit held from its owner.
	#[serde(with = "decimal")]
	pub deposit: u128,
	/// A pending offer to transfer it.
	pub transfer_offer: Option<TransferOfferView<AccountId>>,
	/// The periods its key was reported compromised, oldest first.
	pub compromises: Vec<CompromiseView>,
}

/// A pending transfer of a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferOfferView<AccountId> {
	/// The account that may accept.
	pub to: AccountId,
	/// The first block at which the offer can no longer be accepted.
	pub expires_at: BlockNumber,
}

/// A period in which a device's key was reported compromised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompromiseView {
	/// The first suspect block.
	pub since: BlockNumber,
	/// The first block no longer suspect (the key was rotated), `null` while it is open.
	pub until: Option<BlockNumber>,
}

/// One anchor: a reading's digest, or a batch's Merkle root, in a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorView<AccountId> {
	/// The readings it covers: 1 for a single reading.
	pub count: u32,
	/// Whether it is a batch (its digest is then the batch's Merkle root).
	pub batch: bool,
	/// The reading's digest, or the batch's root.
	pub digest: H256,
	/// The block it is in.
	pub block: BlockNumber,
	/// That block's timestamp (milliseconds since the Unix epoch).
	pub timestamp: u64,
	/// Who submitted it: the device key, its owner or a writer.
	pub submitter: AccountId,
	/// Who held the device's key when it was anchored.
	pub custody: Custody<AccountId>,
	/// Where the data is, as UTF-8 (invalid bytes replaced).
	pub uri: Option<String>,
}

impl<AccountId: Clone> AnchorView<AccountId> {
	/// The view of `record`, anchored in `block`.
	pub fn new<Uri: AsRef<[u8]>>(
		record: &AnchorRecord<AccountId, u64, Uri>,
		block: BlockNumber,
	) -> Self {
		Self {
			count: record.kind.readings(),
			batch: matches!(record.kind, AnchorKind::Batch { .. }),
			digest: record.digest,
			block,
			timestamp: record.timestamp,
			submitter: record.submitter.clone(),
			custody: record.custody.clone(),
			uri: record.uri.as_ref().map(|uri| String::from_utf8_lossy(uri.as_ref()).into_owned()),
		}
	}
}

/// An anchor and the proof that ties it to a finalized block (`iotchain_anchorProof`). The
/// readable fields are for people; verifiers check `proof`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorProofView<AccountId> {
	/// The device.
	pub device: DeviceId,
	/// The stream.
	pub stream: StreamId,
	/// The anchor's sequence number (a batch's first).
	pub seq: Seq,
	/// The anchor.
	pub anchor: AnchorView<AccountId>,
	/// The hash of the block it is in.
	pub block_hash: H256,
	/// The finalized block the proof is against.
	pub finalized: BlockNumber,
	/// Its hash: the block a verifier must trust.
	pub finalized_hash: H256,
	/// The SCALE-encoded [`crate::AnchorProof`].
	pub proof: Bytes,
}

impl<AccountId: codec::Decode> AnchorProofView<AccountId> {
	/// The proof itself (`proof`, decoded).
	pub fn decode_proof(&self) -> Result<crate::AnchorProof<AccountId, u64>, codec::Error> {
		codec::Decode::decode(&mut &self.proof[..])
	}
}

/// A reading's Merkle proof in its batch: `leafIndex` = seq − the batch's first seq,
/// `numberOfLeaves` = the batch's count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerkleProofView {
	/// The reading's position in the batch.
	pub leaf_index: u32,
	/// The batch's count.
	pub number_of_leaves: u32,
	/// The sibling hashes, leaf to root (at most [`crate::MAX_MERKLE_PROOF_ITEMS`]).
	pub items: Vec<H256>,
}

impl MerkleProofView {
	/// The proof as the runtime takes it; `None` if it has more items than any proof can.
	pub fn to_proof(&self) -> Option<MerkleProof> {
		Some(MerkleProof {
			leaf_index: self.leaf_index,
			number_of_leaves: self.number_of_leaves,
			items: self.items.clone().try_into().ok()?,
		})
	}
}

impl From<&MerkleProof> for MerkleProofView {
	fn from(proof: &MerkleProof) -> Self {
		Self {
			leaf_index: proof.leaf_index,
			number_of_leaves: proof.number_of_leaves,
			items: proof.items.to_vec(),
		}
	}
}

/// A grant of rights over a device's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantView<AccountId> {
	/// Who holds it.
	pub grantee: AccountId,
	/// Bit flags: read 1, write 2, manage 4.
	pub permissions: u8,
	/// The stream it is limited to; `null`: every stream.
	pub stream: Option<StreamId>,
	/// The first block it no longer counts in (exclusive); `null`: no expiry.
	pub expires_at: Option<BlockNumber>,
	/// The grantee's X25519 public key.
	pub grantee_key: Option<H256>,
	/// Who granted it (and paid its deposit).
	pub granted_by: AccountId,
	/// The deposit held from `grantedBy`.
	#[serde(with = "decimal")]
	pub deposit: u128,
}

/// Whether an account may exercise a permission (`iotchain_checkAccess`, `iotctl access check`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessView {
	/// Whether it may, now.
	pub allowed: bool,
	/// The first block it no longer may (`null`: no expiry, or not allowed).
	pub expires_at: Option<BlockNumber>,
	/// The grantee's X25519 public key.
	pub grantee_key: Option<H256>,
}

impl From<crate::AccessDecision<BlockNumber>> for AccessView {
	fn from(d: crate::AccessDecision<BlockNumber>) -> Self {
		Self { allowed: d.allowed, expires_at: d.expires_at, grantee_key: d.grantee_key.map(H256) }
	}
}

/// Balances as decimal strings.
mod decimal {
	use alloc::string::{String, ToString};
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(value: &u128, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&value.to_string())
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
		String::deserialize(deserializer)?.parse().map_err(D::Error::custom)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{AnchorHead, Permission, SuspendedBy, Verification, MAX_MERKLE_PROOF_ITEMS};
	use polkadot_sdk::sp_core::crypto::AccountId32;
	use serde_json::{json, to_value};

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	fn alice() -> AccountId32 {
		polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id()
	}

	#[test]
	fn a_device_is_one_documented_shape() {
		let device = DeviceView {
			id: H256::repeat_byte(1),
			owner: alice(),
			key: alice(),
			status: DeviceStatus::Suspended { by: SuspendedBy::Transfer },
			custody: Custody::Gateway { account: alice() },
			agreement_key: Some(H256::repeat_byte(2)),
			model: "m".into(),
			manufacturer: "acme".into(),
			serial: "s".into(),
			label: "".into(),
			firmware: None,
			registered_at: 3,
			owner_since: 5,
			deposit: u128::MAX,
			transfer_offer: Some(TransferOfferView { to: alice(), expires_at: 9 }),
			compromises: vec![CompromiseView { since: 2, until: Some(4) }],
		};
		let value = to_value(&device).unwrap();
		assert_eq!(
			value,
			json!({
				"id": format!("0x{}", "01".repeat(32)),
				"owner": ALICE, "key": ALICE,
				"status": {"type": "suspended", "by": "transfer"},
				"custody": {"type": "gateway", "account": ALICE},
				"agreementKey": format!("0x{}", "02".repeat(32)),
				"model": "m", "manufacturer": "acme", "serial": "s", "label": "",
				"firmware": null, "registeredAt": 3, "ownerSince": 5,
				"deposit": "340282366920938463463374607431768211455",
				"transferOffer": {"to": ALICE, "expiresAt": 9},
				"compromises": [{"since": 2, "until": 4}],
			})
		);
		assert_eq!(serde_json::from_value::<DeviceView<AccountId32>>(value).unwrap(), device);
	}

	#[test]
	fn statuses_verifications_heads_and_permissions() {
		let shapes = [
			(to_value(DeviceStatus::<u32>::Active), json!({"type": "active"})),
			(
				to_value(DeviceStatus::<u32>::Compromised { since: 7 }),
				json!({"type": "compromised", "since": 7}),
			),
			(to_value(DeviceStatus::<u32>::Retired), json!({"type": "retired"})),
			(
				to_value(Verification::<_, u32, u64>::Anchored {
					block: 4,
					timestamp: 6,
					submitter: alice(),
					custody: Custody::Device,
					suspect: true,
				}),
				json!({
					"type": "anchored", "block": 4, "timestamp": 6, "submitter": ALICE,
					"custody": {"type": "device"}, "suspect": true,
				}),
			),
			(
				to_value(Verification::<AccountId32, u32, u64>::NotAnchored),
				json!({"type": "notAnchored"}),
			),
			(
				to_value(AnchorHead { seq: 2, head: H256::zero(), count: 1, last_block: 8u32 }),
				json!({"seq": 2, "head": format!("0x{}", "00".repeat(32)), "count": 1, "lastBlock": 8}),
			),
			(to_value(Permission::Manage), json!("manage")),
		];
		for (value, expected) in shapes {
			assert_eq!(value.unwrap(), expected);
		}
		assert_eq!(serde_json::from_value::<Permission>(json!("read")).unwrap(), Permission::Read);
		assert!(serde_json::from_value::<Permission>(json!("Read"))
			.is_err_and(|e| e.to_string().contains("unknown variant `Read`")));
	}

	#[test]
	fn anchors_grants_and_merkle_proofs() {
		let record = AnchorRecord {
			device_id: H256::zero(),
			stream: 1,
			seq: 5,
			kind: AnchorKind::Batch { count: 3 },
			digest: H256::repeat_byte(2),
			submitter: alice(),
			custody: Custody::Gateway { account: alice() },
			timestamp: 1_700_000_000_000u64,
			uri: Some(b"ipfs://x".to_vec()),
		};
		assert_eq!(
			to_value(AnchorView::new(&record, 12)).unwrap(),
			json!({
				"count": 3, "batch": true, "digest": format!("0x{}", "02".repeat(32)), "block": 12,
				"timestamp": 1_700_000_000_000u64, "submitter": ALICE,
				"custody": {"type": "gateway", "account": ALICE}, "uri": "ipfs://x",
			})
		);
		let grant = GrantView {
			grantee: alice(),
			permissions: 3,
			stream: None,
			expires_at: Some(100),
			grantee_key: None,
			granted_by: alice(),
			deposit: 10,
		};
		assert_eq!(
			to_value(&grant).unwrap(),
			json!({
				"grantee": ALICE, "permissions": 3, "stream": null, "expiresAt": 100,
				"granteeKey": null, "grantedBy": ALICE, "deposit": "10",
			})
		);
		let proof = json!({"leafIndex": 1, "numberOfLeaves": 2, "items": [format!("0x{}", "03".repeat(32))]});
		let view: MerkleProofView = serde_json::from_value(proof.clone()).unwrap();
		assert_eq!(view.to_proof().map(|p| p.items.len()), Some(1));
		assert_eq!(to_value(MerkleProofView::from(&view.to_proof().unwrap())).unwrap(), proof);
		let too_long = MerkleProofView {
			items: vec![H256::zero(); MAX_MERKLE_PROOF_ITEMS as usize + 1],
			..view
		};
		assert_eq!(too_long.to_proof(), None);
		let extra = json!({"leafIndex": 0, "numberOfLeaves": 1, "items": [], "root": "0x"});
		assert!(serde_json::from_value::<MerkleProofView>(extra)
			.is_err_and(|e| e.to_string().contains("unknown field `root`")));
	}
}
