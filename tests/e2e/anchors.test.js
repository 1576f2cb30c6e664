// Data anchoring on a real node: a device whose key holds no funds anchors its own readings,
// free, and a verifier asks the runtime API whether a reading is anchored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aConcat, u8aToHex, bnToU8a } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a, cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { startDevNode } from './lib/node.js';
import { findEvent, submit } from './lib/tx.js';
import { registerDevice } from './lib/devices.js';

const STREAM = 1;
const reading = (n) => blake2AsHex(`reading ${n}`);

/** The hash chain step of primitives/src/anchor.rs, computed independently. */
const nextHead = (prev, seq, digest) =>
  u8aToHex(blake2AsU8a(u8aConcat(prev, bnToU8a(seq, { bitLength: 64 }), digest)));

describe('data anchoring', () => {
  let node;
  let api;
  let device;
  let alice;
  let deviceId;

  before(async () => {
    await cryptoWaitReady();
    node = await startDevNode();
    api = node.api;
    alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    device = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    ({ deviceId } = await registerDevice(api, alice, device, { model: 'TH-200' }));
  });

  after(async () => {
    if (!node) return;
    const { code, signal } = await node.stop();
    assert.equal(code, 0, `node exited with ${code ?? signal} after SIGINT`);
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
    const record = (await api.query.anchors.anchors(deviceId, STREAM, 1)).unwrap();
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

  it('answers verification through the runtime API', async () => {
    const anchored = await api.call.anchorsApi.verifyReading(deviceId, STREAM, 4, reading(4), null);
    assert.ok(anchored.isAnchored, anchored.toString());
    assert.equal(anchored.asAnchored.submitter.toString(), device.address);
    assert.equal(anchored.asAnchored.suspect.isTrue, false);
    const tampered = await api.call.anchorsApi.verifyReading(deviceId, STREAM, 4, reading(5), null);
    assert.ok(tampered.isMismatch);
    const missing = await api.call.anchorsApi.verifyReading(deviceId, STREAM, 2, reading(2), null);
    assert.ok(missing.isNotAnchored);
  });

  it('refuses an account that is no device, before inclusion', async () => {
    const stranger = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    await assert.rejects(
      submit(api, api.tx.anchors.anchor(STREAM, 1, reading(1), null), stranger),
      /Inability to pay some fees|Invalid Transaction/,
    );
  });
});
