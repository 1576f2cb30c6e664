// The full journey of issue #6 on a real node, through @polkadot/api and the node's
// `iotchain_*` RPC methods (called with raw `provider.send`): register, anchor from a
// zero-balance device, replay and gap, a gateway's Merkle batch under a write grant,
// verification with proofs, compromise, revocation, retirement.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady, mnemonicGenerate, randomAsHex } from '@polkadot/util-crypto';
import { startDevNode } from './lib/node.js';
import { findEvent, submit, untilProvable } from './lib/tx.js';
import { registerDevice } from './lib/devices.js';
import { merkleProof, merkleRoot } from './lib/merkle.js';

const DEVICE_STREAM = 1;
const GATEWAY_STREAM = 2;
const WRITE = 2;
const reading = (stream, n) => blake2AsHex(`stream ${stream} reading ${n}`);

describe('journey: device, gateway, verifier', () => {
  let node;
  let api;
  let rpc;
  let alice;
  let gateway;
  let device;
  let deviceId;
  const batch = Array.from({ length: 7 }, (_, i) => reading(GATEWAY_STREAM, 1 + i));
  let batchBlock;

  before(async () => {
    await cryptoWaitReady();
    node = await startDevNode();
    api = node.api;
    ({ rpc } = node);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    gateway = keyring.addFromUri('//Bob');
    device = keyring.addFromUri(mnemonicGenerate());
  });

  after(async () => {
    if (!node) return;
    const { code, signal } = await node.stop();
    assert.equal(code, 0, `node exited with ${code ?? signal} after SIGINT`);
  });

  it('exposes every call, storage item, event, error and constant with its docs', () => {
    for (const pallet of ['devices', 'anchors', 'access']) {
      const sections = {
        call: api.tx[pallet],
        storage: api.query[pallet],
        event: api.events[pallet],
        error: api.errors[pallet],
        constant: api.consts[pallet],
      };
      for (const [kind, items] of Object.entries(sections)) {
        const names = Object.keys(items ?? {});
        assert.ok(names.length > 0, `${pallet} has ${kind}s`);
        for (const name of names) {
          assert.ok(items[name].meta.docs.length > 0, `${pallet}.${name} (${kind}) is documented`);
        }
      }
    }
    assert.ok(api.call.anchorsApi.verifyReading && api.call.accessApi.checkAccess);
  });

  it('registers a device, visible through iotchain_device*', async () => {
    ({ deviceId } = await registerDevice(api, alice, device, { model: 'TH-200', label: 'dock 4' }));
    const record = await rpc('iotchain_device', deviceId);
    assert.equal(record.owner, alice.address);
    assert.equal(record.key, device.address);
    assert.deepEqual(record.status, { type: 'active' });
    assert.equal(record.model, 'TH-200');
    assert.equal(record.label, 'dock 4');
    assert.equal(await rpc('iotchain_deviceByKey', device.address), deviceId);
    assert.ok((await rpc('iotchain_devicesOf', alice.address)).includes(deviceId));
    assert.equal(await rpc('iotchain_device', randomAsHex(32)), null);
  });

  it('lets the zero-balance device anchor itself, free', async () => {
    for (const seq of [1, 2]) {
      await submit(api, api.tx.anchors.anchor(DEVICE_STREAM, seq, reading(DEVICE_STREAM, seq), null), device);
    }
    assert.equal((await api.query.system.account(device.address)).data.free.toBigInt(), 0n);
    const head = await rpc('iotchain_anchorHead', deviceId, DEVICE_STREAM);
    assert.equal(head.seq, 2);
    assert.equal(head.count, 2);
    // Anchors are served from final blocks: block N's once block N + 1 is final.
    await untilProvable(api);
    const anchor = await rpc('iotchain_anchor', deviceId, DEVICE_STREAM, 2);
    assert.equal(anchor.digest, reading(DEVICE_STREAM, 2));
    assert.equal(anchor.submitter, device.address);
  });

  it('refuses a replayed sequence number with StaleSequence and reports a gap', async () => {
    // The device's own replay would fail, so it is not free and never gets in …
    await assert.rejects(
      submit(api, api.tx.anchors.anchor(DEVICE_STREAM, 2, reading(DEVICE_STREAM, 2), null), device),
      /Inability to pay some fees/,
    );
    // … and sent by the owner (who pays) it fails in the runtime.
    await assert.rejects(
      submit(api, api.tx.anchors.anchorFor(deviceId, DEVICE_STREAM, 2, reading(DEVICE_STREAM, 2), null), alice),
      /^Error: anchors\.StaleSequence/,
    );
    const events = await submit(api,
      api.tx.anchors.anchor(DEVICE_STREAM, 5, reading(DEVICE_STREAM, 5), null), device);
    const gap = findEvent(events, 'anchors', 'GapDetected');
    assert.deepEqual([gap.data.expected.toNumber(), gap.data.got.toNumber()], [3, 5]);
  });

  it('lets a gateway with a write grant anchor a Merkle batch on its stream only', async () => {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    await submit(api, api.tx.access.grant(deviceId, gateway.address, WRITE, GATEWAY_STREAM, best + 1000, null), alice);
    const access = await rpc('iotchain_checkAccess', deviceId, gateway.address, GATEWAY_STREAM, 'write');
    assert.equal(access.allowed, true);
    assert.equal(access.expiresAt, best + 1000);
    assert.equal((await rpc('iotchain_checkAccess', deviceId, gateway.address, DEVICE_STREAM, 'write')).allowed, false);

    const root = merkleRoot(1, batch);
    const events = await submit(api,
      api.tx.anchors.anchorBatch(deviceId, GATEWAY_STREAM, 1, batch.length, root, 'ipfs://batch-1'), gateway);
    const anchored = findEvent(events, 'anchors', 'Anchored');
    assert.equal(anchored.data.count.toNumber(), batch.length);
    await untilProvable(api);
    batchBlock = (await rpc('iotchain_anchor', deviceId, GATEWAY_STREAM, 1)).block;

    await assert.rejects(
      submit(api, api.tx.anchors.anchorBatch(deviceId, DEVICE_STREAM, 6, batch.length, root, null), gateway),
      /^Error: anchors\.NotAllowed/,
    );
  });

  it('verifies readings inside the batch with their proofs, and rejects tampering', async () => {
    for (const index of [0, 3, 6]) {
      const verdict = await rpc('iotchain_verifyReading', deviceId, GATEWAY_STREAM, 1 + index,
        batch[index], merkleProof(1, batch, index));
      assert.equal(verdict.type, 'anchored', `reading ${index}`);
      assert.equal(verdict.submitter, gateway.address);
      assert.equal(verdict.block, batchBlock);
      assert.equal(verdict.suspect, false);
    }
    const tampered = await rpc('iotchain_verifyReading', deviceId, GATEWAY_STREAM, 4,
      blake2AsHex('forged'), merkleProof(1, batch, 3));
    assert.equal(tampered.type, 'mismatch');
    const single = await rpc('iotchain_verifyReading', deviceId, DEVICE_STREAM, 1, reading(DEVICE_STREAM, 1), null);
    assert.equal(single.type, 'anchored');
    assert.equal((await rpc('iotchain_verifyReading', deviceId, DEVICE_STREAM, 3, reading(DEVICE_STREAM, 3), null)).type, 'notAnchored');
  });

  it('marks what was anchored after a compromise as suspect', async () => {
    await submit(api, api.tx.devices.reportCompromised(deviceId, batchBlock), alice);
    assert.deepEqual((await rpc('iotchain_device', deviceId)).status, { type: 'compromised', since: batchBlock });
    const later = await rpc('iotchain_verifyReading', deviceId, GATEWAY_STREAM, 2, batch[1], merkleProof(1, batch, 1));
    assert.equal(later.suspect, true);
    const earlier = await rpc('iotchain_verifyReading', deviceId, DEVICE_STREAM, 1, reading(DEVICE_STREAM, 1), null);
    assert.equal(earlier.suspect, false);
  });

  it('revokes the gateway and retires the device, returning the deposits', async () => {
    const reservedBefore = (await api.query.system.account(alice.address)).data.reserved.toBigInt();
    await submit(api, api.tx.access.revoke(deviceId, gateway.address), alice);
    assert.equal((await rpc('iotchain_checkAccess', deviceId, gateway.address, GATEWAY_STREAM, 'write')).allowed, false);
    assert.deepEqual(await rpc('iotchain_grantsOf', deviceId), []);

    const events = await submit(api, api.tx.devices.retire(deviceId), alice);
    const returned = findEvent(events, 'devices', 'Retired').data.depositReturned.toBigInt();
    const reservedAfter = (await api.query.system.account(alice.address)).data.reserved.toBigInt();
    const grantDeposit = api.consts.access.grantDeposit.toBigInt();
    assert.equal(reservedBefore - reservedAfter, returned + grantDeposit);
    assert.equal(await rpc('iotchain_device', deviceId), null);
    // The device's stream heads went with its deposit; its anchors stay provable.
    assert.equal(await rpc('iotchain_anchorHead', deviceId, DEVICE_STREAM), null);
    const single = await rpc('iotchain_verifyReading', deviceId, DEVICE_STREAM, 1, reading(DEVICE_STREAM, 1), null);
    assert.equal(single.type, 'anchored');
  });
});

describe('iotchain_* RPC input errors', () => {
  let node;
  before(async () => { node = await startDevNode(); });
  after(async () => {
    const { code } = await node.stop();
    assert.equal(code, 0);
  });

  const call = (method, ...params) => node.rpc(method, ...params);

  it('answers malformed parameters with JSON-RPC errors, and keeps running', async () => {
    await assert.rejects(call('iotchain_device', '0x1234'), /-32602|Invalid params/);
    await assert.rejects(call('iotchain_device', 'not hex'), /-32602|Invalid params/);
    await assert.rejects(call('iotchain_deviceByKey', 'not-an-address'), /-32602|Invalid params/);
    await assert.rejects(
      call('iotchain_checkAccess', randomAsHex(32), '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', 1, 'admin'),
      /-32602|Invalid params/,
    );
    await assert.rejects(
      call('iotchain_verifyReading', randomAsHex(32), 1, 1, randomAsHex(32), { leafIndex: 0 }),
      /-32602|Invalid params/,
    );
    // Still serving.
    assert.equal(await call('iotchain_device', randomAsHex(32)), null);
  });
});
