// Device-to-device messages go through the nodes' statement store. The node admits a statement
// only from an account the runtime gave an allowance: the key and the owner of an Active device
// (pallet-devices keeps them), within that allowance. Statements are encoded and signed here,
// independently of the Rust code (lib/statements.js), and submitted with `statement_submit`
// like any Polkadot.js client would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { startDevNode, withDevNode } from './lib/node.js';
import { registerDevice } from './lib/devices.js';
import { submit } from './lib/tx.js';
import { expiryIn, signedStatement, topicOf } from './lib/statements.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('statement store: messages admitted for active devices only', () => {
  const node = withDevNode();
  let api;
  let alice;
  let bob;
  let sensor;
  let deviceId;
  let allowance;
  const topic = topicOf('iotchain-e2e/messaging');

  const post = (pair, options = {}) => node.rpc('statement_submit',
    signedStatement(pair, { expiry: expiryIn(600), topics: [topic], ...options }));

  /** How many statements signed by `pair` the node holds on the topic (a fresh subscription's
   * initial batches, which end with `remaining: 0`). */
  const storedFrom = async (pair) => {
    const statements = [];
    let caughtUp;
    const done = new Promise((resolve) => { caughtUp = resolve; });
    const unsubscribe = await node.subscribe('statement_statement', 'statement_subscribeStatement',
      [{ matchAll: [`0x${Buffer.from(topic).toString('hex')}`] }],
      (event) => {
        statements.push(...(event?.data?.statements ?? []));
        if (event?.data?.remaining === 0) caughtUp();
      });
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no initial batch within 10 s')), 10_000);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
      await unsubscribe();
    }
    const key = Buffer.from(pair.publicKey).toString('hex');
    return statements.filter((statement) => statement.includes(key)).length;
  };

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    sensor = keyring.addFromUri(mnemonicGenerate());
    api = node.api;
    ({ deviceId } = await registerDevice(api, alice, sensor, { model: 'TH-200' }));
    const { maxCount, maxSize } = api.consts.devices.statementAllowance.toJSON();
    allowance = { maxCount, maxSize };
  });

  it('shows the per-device allowance as a constant of the registry', () => {
    assert.deepEqual(allowance, { maxCount: 8, maxSize: 4096 });
    assert.ok(api.consts.devices.statementAllowance.meta.docs.join(' ').includes('statement store'));
  });

  it('refuses a key that is no device\'s and an account that owns none', async () => {
    const stranger = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    assert.deepEqual(await post(stranger, { data: new Uint8Array([1]) }), { status: 'rejected', reason: 'noAllowance' });
    assert.deepEqual(await post(bob, { data: new Uint8Array([1]) }), { status: 'rejected', reason: 'noAllowance' });
  });

  it('admits the device\'s key and its owner, and serves the statement to a subscriber of its topic', async () => {
    const seen = [];
    const unsubscribe = await node.subscribe('statement_statement', 'statement_subscribeStatement',
      [{ matchAll: [`0x${Buffer.from(topic).toString('hex')}`] }],
      (event) => seen.push(...(event?.data?.statements ?? [])));
    const fromDevice = signedStatement(sensor, { expiry: expiryIn(600), topics: [topic], data: new Uint8Array([7, 7]) });
    assert.deepEqual(await node.rpc('statement_submit', fromDevice), { status: 'new' });
    assert.deepEqual(await node.rpc('statement_submit', fromDevice), { status: 'known' });
    assert.deepEqual(await post(alice, { data: new Uint8Array([9]) }), { status: 'new' });
    const deadline = Date.now() + 10_000;
    while (!seen.includes(fromDevice)) {
      assert.ok(Date.now() < deadline, `the subscriber did not get the statement; got ${seen.length}`);
      await sleep(100);
    }
    await unsubscribe();
  });

  it('refuses a statement whose signature does not match its content', async () => {
    const statement = signedStatement(sensor, { expiry: expiryIn(600), topics: [topic], data: new Uint8Array([1, 2, 3]) });
    const tampered = `${statement.slice(0, -2)}${statement.endsWith('03') ? '04' : '03'}`;
    assert.deepEqual(await node.rpc('statement_submit', tampered), { status: 'invalid', reason: 'badProof' });
  });

  it('holds a device to its allowance: at the bound admitted, one more refused unless it outranks the oldest', async () => {
    const device = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    await registerDevice(api, alice, device, { model: 'quota' });
    const base = expiryIn(600);
    for (let i = 1; i <= allowance.maxCount; i += 1) {
      assert.deepEqual(await post(device, { expiry: base + BigInt(i), data: new Uint8Array([i]) }),
        { status: 'new' }, `statement ${i} of ${allowance.maxCount}`);
    }
    // Bound + 1, ranked below every stored one (a lower expiry): refused.
    const refused = await post(device, { expiry: base, data: new Uint8Array([0]) });
    assert.equal(refused.status, 'rejected');
    assert.equal(refused.reason, 'accountFull');
    // Bound + 1, ranked above them: admitted in place of the lowest, never beyond the bound.
    assert.deepEqual(await post(device, { expiry: base + 100n, data: new Uint8Array([100]) }), { status: 'new' });
    // Too many bytes for the allowance at all.
    const tooLarge = await post(device, { expiry: base + 200n, data: new Uint8Array(allowance.maxSize + 1) });
    assert.equal(tooLarge.status, 'rejected');
    assert.equal(tooLarge.reason, 'dataTooLarge');
  });

  it('refuses a suspended device, and admits it again once resumed', async () => {
    await submit(api, api.tx.devices.suspend(deviceId), alice);
    assert.deepEqual(await post(sensor, { data: new Uint8Array([2]) }), { status: 'rejected', reason: 'noAllowance' });
    await submit(api, api.tx.devices.resume(deviceId), alice);
    assert.deepEqual(await post(sensor, { data: new Uint8Array([3]) }), { status: 'new' });
  });

  it('refuses a device whose key was reported compromised, and evicts what it posted', async () => {
    assert.ok((await storedFrom(sensor)) > 0, 'the device has statements in the store');
    const header = await api.rpc.chain.getHeader();
    await submit(api, api.tx.devices.reportCompromised(deviceId, header.number.toNumber()), alice);
    assert.deepEqual(await post(sensor, { data: new Uint8Array([4]) }), { status: 'rejected', reason: 'noAllowance' });
    // The store's sweep (every 31 s) drops the statements of accounts over their allowance.
    const deadline = Date.now() + 75_000;
    while ((await storedFrom(sensor)) > 0) {
      assert.ok(Date.now() < deadline, 'the compromised device\'s statements were not evicted within 75 s');
      await sleep(1000);
    }
  });
});

describe('statement store: gossip between two nodes', () => {
  // Node 1 authors (Aura, GRANDPA); node 2 is a full node of the same chain, synced from it.
  let one;
  let two;
  let alice;

  before(async () => {
    await cryptoWaitReady();
    alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    one = await startDevNode({ aura: true });
    two = await startDevNode({ aura: true, peerOf: one.p2pAddress() });
  });

  after(async () => {
    for (const node of [two, one]) {
      if (node) await node.stop();
    }
  });

  it('a device\'s statement submitted to node 1 reaches a subscriber on node 2', async () => {
    const sender = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    await registerDevice(one.api, alice, sender, { model: 'gossip' });
    // Node 2 admits the statement only once it has the block that registered the device.
    const registeredAt = (await one.api.rpc.chain.getHeader()).number.toNumber();
    const synced = Date.now() + 60_000;
    while ((await two.api.rpc.chain.getHeader()).number.toNumber() < registeredAt) {
      assert.ok(Date.now() < synced, 'node 2 did not sync the registration within 60 s');
      await sleep(200);
    }

    const topic = topicOf('iotchain-e2e/gossip');
    const seen = [];
    const unsubscribe = await two.subscribe('statement_statement', 'statement_subscribeStatement',
      [{ matchAll: [`0x${Buffer.from(topic).toString('hex')}`] }],
      (event) => seen.push(...(event?.data?.statements ?? [])));
    const statement = signedStatement(sender, { expiry: expiryIn(600), topics: [topic], data: new Uint8Array([42]) });
    const sent = Date.now();
    assert.deepEqual(await one.rpc('statement_submit', statement), { status: 'new' });
    while (!seen.includes(statement)) {
      assert.ok(Date.now() - sent < 30_000, 'node 2 did not get the statement within 30 s');
      await sleep(20);
    }
    console.log(`statement gossip: node 1 -> node 2 subscriber in ${Date.now() - sent} ms`);
    // Node 2 stored it: submitting it there again is nothing new.
    assert.deepEqual(await two.rpc('statement_submit', statement), { status: 'known' });
    await unsubscribe();
  });
});
