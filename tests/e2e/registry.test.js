// The device registry on a real node, driven by @polkadot/api: what a device maker or fleet
// operator does from Polkadot.js or a script.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { mnemonicGenerate, cryptoWaitReady } from '@polkadot/util-crypto';
import { withDevNode } from './lib/node.js';
import { findEvent, submit } from './lib/tx.js';
import { deviceIdOf, multiSignature, registrationPayload, rotationPayload } from './lib/payloads.js';
import { deviceMetadata } from './lib/devices.js';

const UNIT = 10n ** 12n;
const DEPOSIT_BASE = UNIT;
const DEPOSIT_PER_BYTE = 10n ** 10n;

describe('device registry', () => {
  const node = withDevNode();
  let api;
  let alice;
  let bob;
  let keyring;
  let deviceId;
  let deviceKey;
  let firstKey;
  const metadata = deviceMetadata({ model: 'TH-200', manufacturer: 'Acme', serial: 'SN-0042', label: 'greenhouse 3' });
  const deposit = DEPOSIT_BASE + DEPOSIT_PER_BYTE * BigInt(6 + 4 + 7 + 12);

  const reserved = async (who) => (await api.query.system.account(who)).data.reserved.toBigInt();
  const device = async (id) => (await api.query.devices.devices(id)).unwrap();

  before(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    deviceKey = keyring.addFromUri(mnemonicGenerate());
    firstKey = deviceKey;
    deviceId = deviceIdOf(deviceKey.address);
    api = node.api;
  });

  it('shows the pallet, its calls and errors with their docs', () => {
    assert.ok(api.tx.devices.register.meta.docs.join(' ').includes('proof'));
    for (const call of ['register', 'rotateKey', 'transferOwnership', 'acceptOwnership',
      'cancelTransfer', 'updateMetadata', 'setFirmware', 'suspend', 'resume',
      'reportCompromised', 'retire']) {
      assert.ok(api.tx.devices[call], `devices.${call} exists`);
      assert.ok(api.tx.devices[call].meta.docs.length > 0, `devices.${call} is documented`);
    }
    assert.ok(api.errors.devices.BadProof.meta.docs.length > 0);
    assert.equal(api.consts.devices.depositBase.toBigInt(), DEPOSIT_BASE);
    assert.equal(api.consts.devices.stringLimit.toNumber(), 64);
    assert.equal(api.registry.chainSS58, 42);
    assert.deepEqual(api.registry.chainTokens, ['IOT']);
    assert.deepEqual(api.registry.chainDecimals, [12]);
  });

  it('registers a device whose key proved possession, under the id of its key, holding the deposit', async () => {
    const proof = multiSignature(deviceKey,
      registrationPayload(api, { owner: alice.address, key: deviceKey.address }));
    const reservedBefore = await reserved(alice.address);

    const events = await submit(api,
      api.tx.devices.register(deviceKey.address, proof, metadata, null), alice);

    const registered = findEvent(events, 'devices', 'Registered');
    assert.equal(registered.data.deviceId.toHex(), deviceId);
    assert.equal(registered.data.owner.toString(), alice.address);
    assert.equal(registered.data.deposit.toBigInt(), deposit);

    const record = await device(deviceId);
    assert.equal(record.owner.toString(), alice.address);
    assert.equal(record.key.toString(), deviceKey.address);
    assert.ok(record.status.isActive);
    assert.equal(record.metadata.label.toUtf8(), 'greenhouse 3');
    assert.equal(record.metadata.serial.toUtf8(), 'SN-0042');
    assert.equal((await api.query.devices.deviceByKey(deviceKey.address)).unwrap().toHex(), deviceId);
    assert.equal(await reserved(alice.address) - reservedBefore, deposit);

    // The device account exists with zero balance: the registry holds a sufficient reference.
    const account = await api.query.system.account(deviceKey.address);
    assert.equal(account.sufficients.toNumber(), 1);
    assert.equal(account.data.free.toBigInt(), 0n);
  });

  it('refuses a proof replayed by another owner', async () => {
    const otherKey = keyring.addFromUri(mnemonicGenerate());
    // Signed for Alice as owner, submitted by Bob.
    const proof = multiSignature(otherKey,
      registrationPayload(api, { owner: alice.address, key: otherKey.address }));
    await assert.rejects(
      submit(api, api.tx.devices.register(otherKey.address, proof, metadata, null), bob),
      /^Error: devices\.BadProof/,
    );
    assert.ok((await api.query.devices.devices(deviceIdOf(otherKey.address))).isNone);
  });

  it('recovers a compromised device by rotating to an ed25519 key', async () => {
    const header = await api.rpc.chain.getHeader();
    await submit(api, api.tx.devices.reportCompromised(deviceId, header.number.toNumber()), alice);
    assert.ok((await device(deviceId)).status.isCompromised);

    const newKey = new Keyring({ type: 'ed25519' }).addFromUri(mnemonicGenerate());
    const proof = multiSignature(newKey,
      rotationPayload(api, { deviceId, oldKey: deviceKey.address, newKey: newKey.address }));
    const events = await submit(api, api.tx.devices.rotateKey(deviceId, newKey.address, proof), alice);
    const rotated = findEvent(events, 'devices', 'KeyRotated');
    assert.equal(rotated.data.oldKey.toString(), deviceKey.address);

    const record = await device(deviceId);
    assert.ok(record.status.isActive);
    assert.equal(record.key.toString(), newKey.address);
    assert.ok((await api.query.devices.deviceByKey(deviceKey.address)).isNone);
    assert.equal((await api.query.devices.retiredKeys(deviceKey.address)).unwrap().toHex(), deviceId);
    deviceKey = newKey;
  });

  it('changes hands only when the new owner accepts, moving the deposit', async () => {
    await submit(api, api.tx.devices.transferOwnership(deviceId, bob.address), alice);
    assert.equal((await device(deviceId)).owner.toString(), alice.address);
    const [aliceBefore, bobBefore] = [await reserved(alice.address), await reserved(bob.address)];

    const events = await submit(api, api.tx.devices.acceptOwnership(deviceId), bob);
    findEvent(events, 'devices', 'OwnershipTransferred');
    const record = await device(deviceId);
    assert.equal(record.owner.toString(), bob.address);
    assert.equal(aliceBefore - await reserved(alice.address), deposit);
    assert.equal(await reserved(bob.address) - bobBefore, deposit);

    // The seller may still hold the device key: the device waits for the buyer's decision.
    assert.ok(record.status.isSuspended);
    assert.ok(record.status.asSuspended.by.isTransfer);
    await assert.rejects(
      submit(api, api.tx.anchors.anchor(1, 1, '0x' + '11'.repeat(32), null), deviceKey),
      /Inability to pay some fees/,
    );
    // Bob keeps the key by resuming.
    await submit(api, api.tx.devices.resume(deviceId), bob);
    assert.ok((await device(deviceId)).status.isActive);
  });

  it('retires for good, returning the deposit', async () => {
    const bobBefore = await reserved(bob.address);
    const events = await submit(api, api.tx.devices.retire(deviceId), bob);
    assert.equal(findEvent(events, 'devices', 'Retired').data.depositReturned.toBigInt(), deposit);
    assert.equal(bobBefore - await reserved(bob.address), deposit);
    assert.ok((await api.query.devices.devices(deviceId)).isNone);
    assert.ok((await api.query.devices.retiredDevices(deviceId)).isSome);

    // Its id and every key it had are dead for good: the first key, which the id derives from,
    // cannot register again.
    const proof = multiSignature(firstKey,
      registrationPayload(api, { owner: alice.address, key: firstKey.address }));
    await assert.rejects(
      submit(api, api.tx.devices.register(firstKey.address, proof, metadata, null), alice),
      /^Error: devices\.KeyRetired/,
    );
  });
});
