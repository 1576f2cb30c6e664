// Access control on a real node: an owner grants and revokes read/write/manage, per stream and
// with an exclusive expiry; the anchoring pallet enforces write grants; a manager cannot grant
// more than it holds; every grant's deposit is returned when it goes.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { withDevNode } from './lib/node.js';
import { findEvent, submit } from './lib/tx.js';
import { registerDevice } from './lib/devices.js';

const [READ, WRITE, MANAGE] = [1, 2, 4];
const STREAM = 3;

describe('access control', () => {
  const node = withDevNode();
  let api;
  let alice;
  let bob;
  let charlie;
  let deviceId;
  const reserved = async (who) => (await api.query.system.account(who)).data.reserved.toBigInt();
  const bestNumber = async () => (await api.rpc.chain.getHeader()).number.toNumber();

  before(async () => {
    await cryptoWaitReady();
    api = node.api;
    const keyring = new Keyring({ type: 'sr25519' });
    [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map((uri) => keyring.addFromUri(uri));
    const device = keyring.addFromUri(mnemonicGenerate());
    ({ deviceId } = await registerDevice(api, alice, device, { model: 'TH-200' }));
  });

  it('grants write on one stream, enforced by anchoring, with its deposit held', async () => {
    const held = await reserved(alice.address);
    const events = await submit(api, api.tx.access.grant(deviceId, bob.address, READ | WRITE, STREAM, null, null), alice);
    findEvent(events, 'access', 'Granted');
    assert.equal(await reserved(alice.address) - held, api.consts.access.grantDeposit.toBigInt());

    await submit(api, api.tx.anchors.anchorFor(deviceId, STREAM, 1, blake2AsHex('by bob'), null), bob);
    assert.equal((await node.rpc('iotchain_anchorHead', deviceId, STREAM)).seq, 1);
    await assert.rejects(
      submit(api, api.tx.anchors.anchorFor(deviceId, STREAM + 1, 1, blake2AsHex('elsewhere'), null), bob),
      /^Error: anchors\.NotAllowed: /,
    );
    const [grant] = await node.rpc('iotchain_grantsOf', deviceId);
    assert.deepEqual(grant, {
      grantee: bob.address, permissions: READ | WRITE, stream: STREAM, expiresAt: null,
      granteeKey: null, grantedBy: alice.address, deposit: api.consts.access.grantDeposit.toString(),
    });
  });

  it('counts a grant up to the block before its expiry, exclusive', async () => {
    const expiresAt = await bestNumber() + 3;
    await submit(api, api.tx.access.grant(deviceId, charlie.address, READ, null, expiresAt, null), alice);
    const check = (at) => api.rpc.chain.getBlockHash(at)
      .then((hash) => node.rpc('iotchain_checkAccess', deviceId, charlie.address, STREAM, 'read', hash.toHex()));
    // Wait (bounded) for the expiry block, then ask the state of each block.
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`block ${expiresAt} not reached`)), 60_000);
      api.rpc.chain.subscribeNewHeads((header) => {
        if (header.number.toNumber() >= expiresAt) { clearTimeout(timer); resolve(); }
      }).catch(reject);
    });
    assert.deepEqual(await check(expiresAt - 1), { allowed: true, expiresAt, granteeKey: null });
    assert.deepEqual(await check(expiresAt), { allowed: false, expiresAt: null, granteeKey: null });
    await assert.rejects(
      submit(api, api.tx.access.grant(deviceId, charlie.address, READ, null, await bestNumber(), null), alice),
      /^Error: access\.ExpiryInPast: /,
    );
  });

  it('lets a manager grant no more than it holds', async () => {
    await submit(api, api.tx.access.grant(deviceId, charlie.address, MANAGE | READ, null, null, null), alice);
    const dave = new Keyring({ type: 'sr25519' }).addFromUri('//Dave');
    await submit(api, api.tx.access.grant(deviceId, dave.address, READ, null, null, null), charlie);
    await assert.rejects(
      submit(api, api.tx.access.grant(deviceId, dave.address, WRITE, null, null, null), charlie),
      /^Error: access\.Escalation: /,
    );
    assert.equal((await node.rpc('iotchain_checkAccess', deviceId, dave.address, STREAM, 'read')).allowed, true);
  });

  it('revokes, returning the deposit to whoever paid it', async () => {
    const held = await reserved(alice.address);
    const events = await submit(api, api.tx.access.revoke(deviceId, bob.address), alice);
    findEvent(events, 'access', 'Revoked');
    assert.equal(held - await reserved(alice.address), api.consts.access.grantDeposit.toBigInt());
    assert.equal((await node.rpc('iotchain_checkAccess', deviceId, bob.address, STREAM, 'write')).allowed, false);
    await assert.rejects(
      submit(api, api.tx.anchors.anchorFor(deviceId, STREAM, 2, blake2AsHex('after revoke'), null), bob),
      /^Error: anchors\.NotAllowed: /,
    );
    await assert.rejects(submit(api, api.tx.access.revoke(deviceId, bob.address), alice), /^Error: access\.NoGrant: /);
  });
});
