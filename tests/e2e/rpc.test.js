// The node's `iotchain_*` RPC methods on a real node: the `at` parameter reads past state,
// `devicesOf` and `grantsOf` page with `startAfter` and `limit`, and malformed parameters get
// JSON-RPC errors while the node keeps serving. This file runs the node as validators do, on
// Aura slots finalized by GRANDPA, where the best block is not final yet.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, mnemonicGenerate, randomAsHex } from '@polkadot/util-crypto';
import { withDevNode } from './lib/node.js';
import { submit } from './lib/tx.js';
import { registerDevice } from './lib/devices.js';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

describe('iotchain_* RPC', () => {
  const node = withDevNode({ aura: true });
  let api;
  let alice;
  const devices = [];

  before(async () => {
    await cryptoWaitReady();
    api = node.api;
    alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    for (const label of ['one', 'two', 'three']) {
      const key = new Keyring({ type: 'ed25519' }).addFromUri(mnemonicGenerate());
      const { deviceId } = await registerDevice(api, alice, key, { label });
      devices.push(deviceId);
    }
  });

  it('reads the state of the block given as `at`', async () => {
    const [first] = devices;
    const genesis = (await api.rpc.chain.getBlockHash(0)).toHex();
    assert.equal(await node.rpc('iotchain_device', first, genesis), null);
    assert.equal((await node.rpc('iotchain_device', first)).label, 'one');
    assert.deepEqual(await node.rpc('iotchain_devicesOf', ALICE, null, null, genesis), []);
    const beforeSuspension = (await api.rpc.chain.getHeader()).hash.toHex();
    await submit(api, api.tx.devices.suspend(first), alice);
    const now = await node.rpc('iotchain_device', first);
    assert.deepEqual(now.status, { type: 'suspended', by: 'owner' });
    const then = await node.rpc('iotchain_device', first, beforeSuspension);
    assert.deepEqual(then.status, { type: 'active' });
    await assert.rejects(node.rpc('iotchain_device', first, randomAsHex(32)), /^RpcError: 1: Runtime API call failed/);
  });

  it('pages devicesOf and grantsOf with startAfter and limit', async () => {
    const all = await node.rpc('iotchain_devicesOf', ALICE);
    assert.deepEqual([...all].sort(), [...devices].sort());
    const firstPage = await node.rpc('iotchain_devicesOf', ALICE, null, 2);
    assert.deepEqual(firstPage, all.slice(0, 2));
    assert.deepEqual(await node.rpc('iotchain_devicesOf', ALICE, firstPage[1], 2), all.slice(2));
    assert.deepEqual(await node.rpc('iotchain_devicesOf', ALICE, all[2], null), []);

    const device = devices[1];
    const grantees = ['//Bob', '//Charlie', '//Dave'].map((uri) => new Keyring({ type: 'sr25519' }).addFromUri(uri).address);
    for (const grantee of grantees) {
      await submit(api, api.tx.access.grant(device, grantee, 1, null, null, null), alice);
    }
    const grants = await node.rpc('iotchain_grantsOf', device);
    assert.deepEqual(grants.map((g) => g.grantee).sort(), [...grantees].sort());
    const page = await node.rpc('iotchain_grantsOf', device, null, 1);
    assert.deepEqual(page, grants.slice(0, 1));
    assert.deepEqual(await node.rpc('iotchain_grantsOf', device, page[0].grantee, 5), grants.slice(1));
  });

  it('answers malformed parameters with JSON-RPC errors, and keeps running', async () => {
    const invalid = /^RpcError: -32602: Invalid params/;
    await assert.rejects(node.rpc('iotchain_device', '0x1234'), invalid);
    await assert.rejects(node.rpc('iotchain_device', 'not hex'), invalid);
    await assert.rejects(node.rpc('iotchain_deviceByKey', 'not-an-address'), invalid);
    await assert.rejects(node.rpc('iotchain_checkAccess', randomAsHex(32), ALICE, 1, 'admin'), invalid);
    await assert.rejects(
      node.rpc('iotchain_verifyReading', randomAsHex(32), 1, 1, randomAsHex(32), { leafIndex: 0 }),
      invalid,
    );
    // Anchor proofs only against finalized blocks: error 2 otherwise.
    const best = (await api.rpc.chain.getHeader()).hash.toHex();
    await assert.rejects(node.rpc('iotchain_anchorProof', devices[0], 1, 1, best), /^RpcError: 2: Block is not finalized/);
    // Still serving.
    assert.equal(await node.rpc('iotchain_device', randomAsHex(32)), null);
  });
});
