// Statements for the nodes' statement store (sp_statement_store::Statement), encoded and signed
// by an independent client: SCALE `Vec<Field>`, each field a one-byte tag and its value, in
// tag order; the signature covers the fields after the proof, without the length prefix. If
// the node's encoding ever drifts from this, the store answers `invalid: badProof`.
import { compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

const PROOF_SCHEME = { sr25519: 0, ed25519: 1 };

/** Expiry field value: `seconds` from now in the high 32 bits, `sequence` in the low 32. */
export function expiryIn(seconds, sequence = 0) {
  const at = BigInt(Math.floor(Date.now() / 1000) + seconds);
  return (at << 32n) | BigInt(sequence);
}

function u64le(value) {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return bytes;
}

/** A topic (32 bytes) from a label. */
export function topicOf(label) {
  return blake2AsU8a(label);
}

/**
 * The SCALE-encoded statement `pair` signs, as `statement_submit` takes it (0x-hex): `expiry`
 * (see `expiryIn`), up to four 32-byte `topics`, optional 32-byte `channel` and `data`.
 */
export function signedStatement(pair, { expiry, topics = [], channel, data }) {
  const fields = [u8aConcat([2], u64le(expiry))];
  if (channel) fields.push(u8aConcat([3], channel));
  topics.forEach((topic, i) => fields.push(u8aConcat([4 + i], topic)));
  if (data) fields.push(u8aConcat([8], compactToU8a(data.length), data));
  const signature = pair.sign(u8aConcat(...fields));
  const proof = u8aConcat([0, PROOF_SCHEME[pair.type]], signature, pair.publicKey);
  return u8aToHex(u8aConcat(compactToU8a(fields.length + 1), proof, ...fields));
}
