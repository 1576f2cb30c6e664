// One short journey on a real node, through @polkadot/api and the node's `iotchain_*` RPC
// methods (called with raw `provider.send`): register, anchor from a zero-balance device, a
// gateway's Merkle batch under a write grant, verification with proofs, compromise,
// revocation, retirement; and the JavaScript example of examples/js, run as a user would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady, mnemonicGenerate, randomAsHex } from '@polkadot/util-crypto';
import { withDevNode } from './lib/node.js';
import { findEvent, submit, untilProvable, untilServed } from './lib/tx.js';
import { registerDevice } from './lib/devices.js';
import { merkleProof, merkleRoot } from './lib/merkle.js';

const DEVICE_STREAM = 1;
const GATEWAY_STREAM = 2;
const WRITE = 2;
const reading = (stream, n) => blake2AsHex(`stream ${stream} reading ${n}`);

describe('journey: device, gateway, verifier', () => {
  const node = withDevNode();
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
    api = node.api;
    ({ rpc } = node);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    gateway = keyring.addFromUri('//Bob');
    device = keyring.addFromUri(mnemonicGenerate());
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
    const anchor = await untilServed(() => rpc('iotchain_anchor', deviceId, DEVICE_STREAM, 2));
    assert.equal(anchor.digest, reading(DEVICE_STREAM, 2));
    assert.equal(anchor.submitter, device.address);
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
    batchBlock = (await untilServed(() => rpc('iotchain_anchor', deviceId, GATEWAY_STREAM, 1))).block;

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
  it('runs the JavaScript example of examples/js as documented', async () => {
    // Run from this directory (piped in), so that it finds the @polkadot packages installed here.
    const source = await readFile(new URL('../../examples/js/anchor.mjs', import.meta.url));
    const example = spawn(process.execPath, ['--input-type=module', '-', node.url], { timeout: 120_000 });
    let [stdout, stderr] = ['', ''];
    example.stdout.on('data', (chunk) => { stdout += chunk; });
    example.stderr.on('data', (chunk) => { stderr += chunk; });
    example.stdin.end(source);
    const code = await new Promise((resolve) => example.on('exit', resolve));
    assert.equal(code, 0, `${stdout}${stderr}`);
    const exampleDevice = stdout.match(/^device (0x[0-9a-f]{64}) registered$/m)?.[1];
    assert.ok(exampleDevice, stdout);
    assert.match(stdout, /^reading 1 anchored in block 0x[0-9a-f]{64}: digest 0x[0-9a-f]{64}$/m);
    assert.equal((await rpc('iotchain_device', exampleDevice)).model, 'TH-1');
    assert.equal((await rpc('iotchain_anchorHead', exampleDevice, 1)).seq, 1);
  });
});
