// Data anchoring on a real node: a device whose key holds no funds anchors its own readings,
// free; the anchors leave no state behind, and a verifier checks the node's proof of each
// against a finalized block it trusts (through the runtime API and offline with iotctl), while
// any tampering with the proof fails. Proofs outlive a node restart.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aConcat, u8aToHex, bnToU8a } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a, cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { startDevNode, withDevNode } from './lib/node.js';
import { findEvent, submit, untilProvable, untilServed } from './lib/tx.js';
import { registerDevice } from './lib/devices.js';

const STREAM = 1;
const reading = (n) => blake2AsHex(`reading ${n}`);

/** The hash chain step of primitives/src/anchor.rs, computed independently. */
const nextHead = (prev, seq, digest) =>
  u8aToHex(blake2AsU8a(u8aConcat(prev, bnToU8a(seq, { bitLength: 64 }), digest)));

describe('data anchoring', () => {
  const node = withDevNode();
  let api;
  let device;
  let alice;
  let deviceId;

  before(async () => {
    await cryptoWaitReady();
    api = node.api;
    alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    device = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    ({ deviceId } = await registerDevice(api, alice, device, { model: 'TH-200' }));
  });

  it('lets a zero-balance device anchor its own readings, free', async () => {
    assert.equal((await api.query.system.account(device.address)).data.free.toBigInt(), 0n);
    const events = await submit(api, api.tx.anchors.anchor(STREAM, 1, reading(1), 'ipfs://reading-1'), device);
    const anchored = findEvent(events, 'anchors', 'Anchored');
    assert.equal(anchored.data.deviceId.toHex(), deviceId);
    assert.equal(anchored.data.submitter.toString(), device.address);
    const expectedHead = nextHead(new Uint8Array(32), 1, reading(1));
    assert.equal(anchored.data.head.toHex(), expectedHead);
    // No fee was charged: the key still holds nothing, and the fee was skipped.
    assert.equal((await api.query.system.account(device.address)).data.free.toBigInt(), 0n);
    findEvent(events, 'skipFeelessPayment', 'FeeSkipped');

    const head = (await api.query.anchors.heads(deviceId, STREAM)).unwrap();
    assert.equal(head.seq.toNumber(), 1);
    assert.equal(head.head.toHex(), expectedHead);
    // No per-anchor storage: the record is in the block's commitment, then off-chain.
    assert.equal(api.query.anchors.anchors, undefined);
    const blockHash = await api.rpc.chain.getBlockHash(
      (await api.query.anchors.heads(deviceId, STREAM)).unwrap().lastBlock);
    const [record] = await api.query.anchors.blockAnchors.at(blockHash);
    assert.equal(record.digest.toHex(), reading(1));
    assert.equal(record.uri.unwrap().toUtf8(), 'ipfs://reading-1');
  });

  it('refuses a replayed sequence number and reports a gap', async () => {
    // From the zero-balance device, a replay is not free (it would fail), so the node refuses
    // it before inclusion; the owner, who pays, gets the dispatch error itself.
    await assert.rejects(
      submit(api, api.tx.anchors.anchor(STREAM, 1, reading(1), null), device),
      /Inability to pay some fees/,
    );
    await assert.rejects(
      submit(api, api.tx.anchors.anchorFor(deviceId, STREAM, 1, reading(1), null), alice),
      /^Error: anchors\.StaleSequence/,
    );
    const events = await submit(api, api.tx.anchors.anchor(STREAM, 4, reading(4), null), device);
    const gap = findEvent(events, 'anchors', 'GapDetected');
    assert.equal(gap.data.expected.toNumber(), 2);
    assert.equal(gap.data.got.toNumber(), 4);
  });

  it('serves a proof of each final anchor that the runtime API checks against a trusted block', async () => {
    const trusted = await untilProvable(api);
    const answer = await untilServed(() => node.rpc('iotchain_anchorProof', deviceId, STREAM, 4, trusted));
    assert.equal(answer.anchor.digest, reading(4));
    assert.equal(answer.anchor.submitter, device.address);
    assert.equal(answer.finalizedHash, trusted);
    assert.ok(answer.finalized > answer.anchor.block);

    const proven = await api.call.anchorsApi.verifyAnchorProof(answer.proof, trusted);
    assert.ok(proven.isOk, proven.toString());
    assert.equal(proven.asOk.record.digest.toHex(), reading(4));
    assert.equal(proven.asOk.block.toNumber(), answer.anchor.block);
    assert.equal(proven.asOk.blockHash.toHex(), answer.blockHash);

    const anchored = await api.call.anchorsApi.verifyReading(answer.proof, trusted, 4, reading(4), null);
    assert.ok(anchored.asOk.isAnchored, anchored.toString());
    assert.equal(anchored.asOk.asAnchored.suspect.isTrue, false);
    const other = await api.call.anchorsApi.verifyReading(answer.proof, trusted, 4, reading(5), null);
    assert.ok(other.asOk.isMismatch, other.toString());

    // The node's own verdicts, from the same proofs.
    assert.equal((await node.rpc('iotchain_verifyReading', deviceId, STREAM, 4, reading(4), null)).type, 'anchored');
    assert.equal((await node.rpc('iotchain_verifyReading', deviceId, STREAM, 4, reading(5), null)).type, 'mismatch');
    assert.equal((await node.rpc('iotchain_verifyReading', deviceId, STREAM, 2, reading(2), null)).type, 'notAnchored');
    assert.equal(await node.rpc('iotchain_anchorProof', deviceId, STREAM, 2), null);
  });

  it('fails a tampered record, leaf, block proof, MMR proof, storage proof or header', async () => {
    const trusted = await untilProvable(api);
    const { proof } = await node.rpc('iotchain_anchorProof', deviceId, STREAM, 1, trusted);
    const type = api.call.anchorsApi.verifyAnchorProof.meta.params[0].type.toString();
    const genuine = api.createType(type, proof).toJSON();
    const hash = blake2AsHex('tampered');
    const tamper = (edit) => {
      const copy = structuredClone(genuine);
      edit(copy);
      return api.createType(type, copy).toHex();
    };
    const cases = [
      ['record', (p) => { p.record.digest = hash; }, 'BadBlockProof'],
      ['block proof', (p) => { p.blockProof.numberOfLeaves += 1; }, 'BadBlockProof'],
      ['leaf', (p) => { p.leaf.root = hash; }, 'BadMmrProof'],
      ['MMR proof', (p) => { p.mmrProof.items[0] = hash; }, 'BadMmrProof'],
      ['storage proof', (p) => { p.rootProof = p.rootProof.slice(1); }, 'BadRootProof'],
      ['header', (p) => { p.header.number += 1; }, 'UntrustedHeader'],
    ];
    assert.ok((await api.call.anchorsApi.verifyAnchorProof(tamper(() => {}), trusted)).isOk);
    for (const [what, edit, error] of cases) {
      const result = await api.call.anchorsApi.verifyAnchorProof(tamper(edit), trusted);
      assert.ok(result.isErr, `tampered ${what} passed`);
      assert.equal(result.asErr.type, error, `tampered ${what}`);
    }
    // A genuine proof against a block the verifier does not trust.
    const untrusted = await api.call.anchorsApi.verifyAnchorProof(proof, hash);
    assert.equal(untrusted.asErr.type, 'UntrustedHeader');
  });

  it('refuses to prove against a block that is not finalized', async () => {
    await assert.rejects(
      node.rpc('iotchain_anchorProof', deviceId, STREAM, 1, blake2AsHex('no such block')),
      (e) => e.code === 2 && /not finalized/.test(e.message),
    );
    // An anchor made after the finalized block asked for is not provable there.
    const before = (await api.rpc.chain.getFinalizedHead()).toHex();
    await submit(api, api.tx.anchors.anchor(STREAM, 5, reading(5), null), device);
    assert.equal(await node.rpc('iotchain_anchorProof', deviceId, STREAM, 5, before), null);
  });

  it('refuses an account that is no device, before inclusion', async () => {
    const stranger = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    await assert.rejects(
      submit(api, api.tx.anchors.anchor(STREAM, 1, reading(1), null), stranger),
      /1010: Invalid Transaction: Inability to pay some fees/,
    );
  });
});

describe('anchor proofs across a node restart', () => {
  it('are still served for anchors made before the restart', async () => {
    await cryptoWaitReady();
    const basePath = await mkdtemp(join(tmpdir(), 'iotchain-restart-'));
    try {
      let node = await startDevNode({ basePath });
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const device = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
      const { deviceId } = await registerDevice(node.api, alice, device, {});
      await submit(node.api, node.api.tx.anchors.anchor(STREAM, 1, reading(1), null), device);
      await untilProvable(node.api);
      const before = await untilServed(() => node.rpc('iotchain_anchorProof', deviceId, STREAM, 1));
      assert.equal((await node.stop()).code, 0);

      node = await startDevNode({ basePath });
      try {
        const after = await node.rpc('iotchain_anchorProof', deviceId, STREAM, 1, before.finalizedHash);
        assert.equal(after.proof, before.proof);
        const verdict = await node.rpc('iotchain_verifyReading', deviceId, STREAM, 1, reading(1), null);
        assert.equal(verdict.type, 'anchored');
      } finally {
        assert.equal((await node.stop()).code, 0);
      }
    } finally {
      await rm(basePath, { recursive: true, force: true });
    }
  });
});
