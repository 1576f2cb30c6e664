// iotctl against a real dev node: the device's side of the journey through the command-line
// tool, each step checked on chain with @polkadot/api. Register → anchor from a zero-balance
// device key → verify the file → modify it → verification fails with exit 1 → batch of 100
// files → verify a reading with its proof → grant/revoke round trip; plus the exit codes and
// messages of refusals and bad input. (`--stdin`, `--jsonl`, `--no-wait`, `--finalized`,
// `cancel-transfer` and `firmware --image` are covered by client/tests/dev_chain.rs.)
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { compactToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a, cryptoWaitReady, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { withDevNode } from './lib/node.js';
import { deviceIdOf } from './lib/payloads.js';
import { untilProvable, untilServed } from './lib/tx.js';

const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/iotchain/target');
const IOTCTL = process.env.IOTCTL ?? join(targetDir, 'release/iotctl');
const STREAM = 1;
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';

describe('iotctl: a device and its owner on the command line', () => {
  const node = withDevNode();
  let api;
  let dir;
  let deviceId;
  let deviceAddress;

  /** Runs iotctl against the node; resolves to `{ code, stdout, stderr, json }` (never throws). */
  const iotctl = (...args) => new Promise((resolve) => {
    execFile(
      IOTCTL,
      [...(args.includes('--url') ? [] : ['--url', node.url]), '--state-dir', join(dir, 'state'), ...args],
      { cwd: dir, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (error.code ?? 1) : 0;
        let json;
        if (args.includes('--json')) {
          try { json = JSON.parse(stdout || stderr); } catch { /* not JSON */ }
        }
        resolve({ code, stdout, stderr, json });
      },
    );
  });
  const ok = async (...args) => {
    const result = await iotctl(...args);
    assert.equal(result.code, 0, `iotctl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result;
  };

  before(async () => {
    await cryptoWaitReady();
    api = node.api;
    dir = await mkdtemp(join(tmpdir(), 'iotctl-e2e-'));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('generates a key file readable by its owner only, without printing the secret', async () => {
    const { stdout } = await ok('key', 'generate', '--scheme', 'ed25519', '--out', 'device.json');
    const file = JSON.parse(await readFile(join(dir, 'device.json'), 'utf8'));
    assert.equal(file.scheme, 'ed25519');
    assert.equal((await stat(join(dir, 'device.json'))).mode & 0o777, 0o600);
    assert.ok(stdout.includes(file.address), 'prints the address');
    assert.ok(!stdout.includes(file.secretUri), 'does not print the secret');
    deviceAddress = file.address;

    const inspect = await ok('--json', 'key', 'inspect', 'device.json');
    deviceId = deviceIdOf(file.address);
    // The key-agreement key, derived as the README says, here with Node's own X25519.
    const seed = mnemonicToMiniSecret(file.secretUri);
    const secret = blake2AsU8a(u8aConcat(stringToU8a('iotchain:msg:x25519'), compactToU8a(seed.length), seed));
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), secret]);
    const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const agreementKey = u8aToHex(Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x, 'base64url'));
    assert.deepEqual(inspect.json,
      { scheme: 'ed25519', publicKey: file.publicKey, address: file.address, deviceId, agreementKey });

    const again = await iotctl('key', 'generate', '--out', 'device.json');
    assert.equal(again.code, 2, 'an existing key file is never overwritten');
    assert.match(again.stderr, /exists/);
    const nowhere = await iotctl('key', 'generate');
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /nowhere to keep the secret/);
  });

  it('registers the device with a proof made by its key', async () => {
    const { json } = await ok('--json', 'device', 'register', '--suri', '//Alice',
      '--device-key', 'device.json', '--model', 'TH-200', '--serial', 'greenhouse-sensor-7');
    const registered = json.events.find((e) => e.pallet === 'Devices' && e.name === 'Registered');
    assert.ok(registered, 'Devices.Registered emitted');
    assert.equal(registered.fields.device_id, deviceId);

    const onChain = (await api.call.devicesApi.device(deviceId)).unwrap();
    assert.equal(onChain.key.toString(), deviceAddress);
    assert.equal(onChain.metadata.model.toUtf8(), 'TH-200');
    assert.equal(onChain.metadata.serial.toUtf8(), 'greenhouse-sensor-7');

    const shown = await ok('--json', 'device', 'show', '--id', deviceId);
    assert.equal(shown.json.key, deviceAddress);
    assert.deepEqual(shown.json.status, { type: 'active' });
    const listed = await ok('--json', 'device', 'list', '--owner', '//Alice');
    assert.ok(listed.json.includes(deviceId));

    const again = await iotctl('device', 'register', '--suri', '//Alice', '--device-key', 'device.json');
    assert.equal(again.code, 3, 'the chain refuses a second registration');
    assert.match(again.stderr, /devices\.KeyInUse: /, 'names the pallet error with its docs');
    const tooLong = await iotctl('device', 'register', '--suri', '//Alice', '--device-key', 'device.json',
      '--label', 'x'.repeat(65));
    assert.equal(tooLong.code, 2);
    assert.match(tooLong.stderr, /the label is 65 bytes long; at most 64 are allowed/);
    const byName = await iotctl('device', 'show', '--id', 'greenhouse-sensor-7');
    assert.equal(byName.code, 2);
    assert.match(byName.stderr, /is not a device id/);
  });

  it('anchors a file from the zero-balance device key, free, and verifies it', async () => {
    assert.equal((await api.query.system.account(deviceAddress)).data.free.toBigInt(), 0n);
    await writeFile(join(dir, 'reading.json'), '{"t": 21.5}\n');
    const { json } = await ok('--json', 'anchor', '--device-key', 'device.json',
      '--stream', String(STREAM), '--file', 'reading.json');
    assert.equal(json.seq, 1);
    assert.equal(json.digest, blake2AsHex('{"t": 21.5}\n'));
    assert.ok(json.outcome.events.some((e) => e.name === 'FeeSkipped'), 'no fee charged');
    assert.equal((await api.query.system.account(deviceAddress)).data.free.toBigInt(), 0n);
    const head = (await api.call.anchorsApi.anchorHead(deviceId, STREAM)).unwrap();
    assert.equal(head.head.toHex(), json.head, 'the local head is the chain head');

    // Provable once the block after the anchor's is final.
    await untilProvable(api);
    await untilServed(() => node.rpc('iotchain_anchor', deviceId, STREAM, 1));
    const verified = await iotctl('verify', '--device', deviceId, '--stream', String(STREAM),
      '--seq', '1', '--file', 'reading.json', '--proof-out', 'reading.anchor.json');
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /^verified: reading 1 .* by 5/m);
  });

  it('verifies the saved proof offline against a trusted block, and nothing tampered', async () => {
    const saved = JSON.parse(await readFile(join(dir, 'reading.anchor.json'), 'utf8'));
    const trusted = saved.anchorProof.finalizedHash;
    // The verifier's trust comes from its own view of the chain, not from the file.
    assert.equal((await api.rpc.chain.getBlockHash(saved.anchorProof.finalized)).toHex(), trusted);
    const offline = (...args) => iotctl('--url', 'ws://127.0.0.1:1', ...args);
    const good = await offline('--json', 'verify', '--offline', 'reading.anchor.json', '--trusted-block', trusted);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.json.type, 'anchored');
    assert.equal(good.json.block, saved.anchorProof.anchor.block);

    const modified = await offline('verify', '--offline', 'reading.anchor.json', '--trusted-block', trusted,
      '--value', '{"t": 29.5}\n');
    assert.equal(modified.code, 1);
    assert.match(modified.stdout, /the data was modified/);
    const untrusted = await offline('verify', '--offline', 'reading.anchor.json', '--trusted-block', blake2AsHex('other'));
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /UntrustedHeader/);
    // One byte of the record (its digest) flipped inside the proof.
    const bytes = Buffer.from(saved.anchorProof.proof.slice(2), 'hex');
    bytes[50] ^= 1;
    const tampered = structuredClone(saved);
    tampered.anchorProof.proof = `0x${bytes.toString('hex')}`;
    await writeFile(join(dir, 'tampered.anchor.json'), JSON.stringify(tampered));
    const bad = await offline('verify', '--offline', 'tampered.anchor.json', '--trusted-block', trusted);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /BadBlockProof/);
    const usage = await offline('verify', '--offline', 'reading.anchor.json');
    assert.equal(usage.code, 2, 'without --trusted-block');
  });

  it('fails verification with exit 1 once the file is modified', async () => {
    await writeFile(join(dir, 'reading.json'), '{"t": 29.5}\n');
    const result = await iotctl('--json', 'verify', '--device', deviceId,
      '--stream', String(STREAM), '--seq', '1', '--file', 'reading.json');
    assert.equal(result.code, 1);
    assert.equal(result.json.type, 'mismatch');
    const missing = await iotctl('verify', '--device', deviceId, '--stream', String(STREAM),
      '--seq', '99', '--value', 'anything');
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /nothing is anchored at seq 99/);
  });

  it('continues its sequence after a restart, and resyncs a stale state from the chain', async () => {
    const next = await ok('--json', 'anchor', '--device-key', 'device.json',
      '--stream', String(STREAM), '--value', 'second');
    assert.equal(next.json.seq, 2, 'the state file carried seq over to a new process');

    const [stateFile] = await readdir(join(dir, 'state'));
    await writeFile(join(dir, 'state', stateFile), JSON.stringify({ lastSeq: 1, head: deviceId }));
    const stale = await iotctl('anchor', '--device-key', 'device.json',
      '--stream', String(STREAM), '--value', 'third');
    assert.equal(stale.code, 3, 'the chain refuses the stale seq');
    assert.match(stale.stderr, /seq 2 from the local state is stale: the chain's head of stream 1 is at seq 2\nhint: run again with --resync/);
    const resynced = await ok('--json', 'anchor', '--device-key', 'device.json',
      '--stream', String(STREAM), '--value', 'third', '--resync');
    assert.equal(resynced.json.seq, 3);
  });

  it('anchors a batch of 100 files as one Merkle root, with a proof file per reading', async () => {
    await mkdir(join(dir, 'batch'));
    for (let i = 0; i < 100; i += 1) {
      await writeFile(join(dir, 'batch', `r${String(i).padStart(3, '0')}.json`), `{"i": ${i}}`);
    }
    const { json } = await ok('--json', 'anchor', 'batch', '--device-key', 'device.json',
      '--stream', String(STREAM), '--dir', 'batch');
    assert.equal(json.readings, 100);
    assert.equal(json.batches.length, 1);
    assert.equal(json.batches[0].firstSeq, 4);
    const proofs = await readdir(join(dir, 'batch.proofs'));
    assert.equal(proofs.length, 100);
    const head = (await api.call.anchorsApi.anchorHead(deviceId, STREAM)).unwrap();
    assert.equal(head.seq.toNumber(), 103, 'the batch took seqs 4..=103');
    assert.equal(head.head.toHex(), json.head);

    await untilProvable(api);
    await untilServed(() => node.rpc('iotchain_anchor', deviceId, STREAM, 4));
    const proof = join('batch.proofs', 'r042.json.proof.json');
    const good = await iotctl('--json', 'verify', '--proof', proof, '--file', join('batch', 'r042.json'));
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.json.type, 'anchored');
    assert.equal(good.json.suspect, false);
    // Saved with its batch proof, the reading verifies offline too.
    const saved = await iotctl('--json', 'verify', '--proof', proof, '--file', join('batch', 'r042.json'),
      '--proof-out', 'r042.anchor.json');
    assert.equal(saved.code, 0, saved.stderr);
    const offline = (...args) => iotctl('--url', 'ws://127.0.0.1:1', '--json', 'verify',
      '--offline', 'r042.anchor.json', '--trusted-block', saved.json.finalizedHash, ...args);
    assert.equal((await offline()).json.type, 'anchored');
    const swapped = await offline('--file', join('batch', 'r043.json'));
    assert.equal(swapped.code, 1);
    assert.equal(swapped.json.type, 'mismatch');
    const bad = await iotctl('verify', '--proof', proof, '--file', join('batch', 'r043.json'));
    assert.equal(bad.code, 1, 'another reading does not match the proof');
    const other = await iotctl('verify', '--proof', proof, '--seq', '47', '--file', join('batch', 'r042.json'));
    assert.equal(other.code, 1, 'nor does the reading at another seq');
  });

  it('grants, checks and revokes access', async () => {
    await ok('grant', '--suri', '//Alice', '--device', deviceId, '--to', BOB,
      '--permissions', 'read,write', '--stream', String(STREAM), '--expires-in', '100');
    const grant = (await api.query.access.grants(deviceId, BOB)).unwrap();
    assert.equal(grant.permissions.toNumber(), 3);
    assert.equal(grant.stream.unwrap().toNumber(), STREAM);

    const allowed = await iotctl('--json', 'access', 'check', '--device', deviceId, '--who', '//Bob',
      '--stream', String(STREAM), '--permission', 'write');
    assert.equal(allowed.code, 0);
    assert.equal(allowed.json.allowed, true);
    assert.ok(allowed.json.expiresAt > 0);
    const otherStream = await iotctl('access', 'check', '--device', deviceId, '--who', BOB,
      '--stream', '2', '--permission', 'write');
    assert.equal(otherStream.code, 1);
    const manage = await iotctl('access', 'check', '--device', deviceId, '--who', BOB,
      '--stream', String(STREAM), '--permission', 'manage');
    assert.equal(manage.code, 1);

    // Bob, holding WRITE, anchors for the device through anchorFor.
    const byBob = await ok('--json', 'anchor', '--suri', '//Bob', '--device', deviceId,
      '--stream', String(STREAM), '--value', 'from the gateway', '--resync');
    assert.equal(byBob.json.seq, 104);

    await ok('revoke', '--suri', '//Alice', '--device', deviceId, '--grantee', BOB);
    assert.ok((await api.query.access.grants(deviceId, BOB)).isNone);
    const denied = await iotctl('access', 'check', '--device', deviceId, '--who', BOB,
      '--stream', String(STREAM), '--permission', 'read');
    assert.equal(denied.code, 1);
    assert.match(denied.stdout, /^denied: read/);

    const again = await iotctl('--json', 'revoke', '--suri', '//Alice', '--device', deviceId, '--grantee', BOB);
    assert.equal(again.code, 3);
    assert.equal(again.json.dispatchError, 'access.NoGrant');
  });

  it('sends encrypted messages to a device and to a reader holding Read, never to one without', async () => {
    // A second device, registered (with the key-agreement key derived from its key) by Alice.
    await ok('key', 'generate', '--out', 'valve.json');
    const valve = (await ok('--json', 'key', 'inspect', 'valve.json')).json;
    await ok('device', 'register', '--suri', '//Alice', '--device-key', 'valve.json');
    assert.equal((await ok('--json', 'device', 'show', '--id', valve.deviceId)).json.agreementKey, valve.agreementKey);

    const sent = await ok('--json', 'msg', 'send', '--key', 'device.json', '--to', valve.deviceId,
      '--channel', '7', '--value', 'close the valve');
    assert.equal(sent.json.status, 'new');
    const received = await ok('--json', 'msg', 'recv', '--key', 'valve.json', '--channel', '7');
    const message = JSON.parse(received.stdout.trim());
    assert.deepEqual([message.id, message.from, message.sentBy, message.channel, message.text],
      [sent.json.id, deviceId, 'device', 7, 'close the valve']);
    const elsewhere = await ok('msg', 'recv', '--key', 'valve.json', '--channel', '8');
    assert.equal(elsewhere.stdout, '', 'nothing on another channel');

    // A reader gets the device's messages only while it holds Read on the channel's stream.
    await ok('key', 'generate', '--out', 'reader.json');
    const reader = (await ok('--json', 'key', 'inspect', 'reader.json')).json;
    const toReader = ['msg', 'send', '--key', 'device.json', '--to', reader.address, '--channel', '7'];
    const noGrant = await iotctl(...toReader, '--value', 't=21.5');
    assert.equal(noGrant.code, 2);
    assert.match(noGrant.stderr, /does not hold Read on stream 7 of device/);
    await ok('grant', '--suri', '//Alice', '--device', deviceId, '--to', reader.address,
      '--permissions', 'read', '--stream', '7', '--grantee-key', reader.agreementKey);
    await ok(...toReader, '--value', 't=21.5');
    const got = await ok('msg', 'recv', '--key', 'reader.json', '--channel', '7');
    assert.match(got.stdout, /from device 0x[0-9a-f]{64} \(signed by its key\) on channel 7: t=21\.5$/m);

    // The node refuses a suspended device's message: exit 3, with the reason.
    await ok('device', 'suspend', '--suri', '//Alice', '--id', deviceId);
    const suspended = await iotctl(...toReader, '--value', 't=21.6');
    assert.equal(suspended.code, 3);
    assert.match(suspended.stderr, /the node refused the message: rejected noAllowance/);
    await ok('device', 'resume', '--suri', '//Alice', '--id', deviceId);
  });

  it('watches the device\'s events in finalized blocks', async () => {
    const watcher = spawn(IOTCTL, ['--url', node.url, '--json', 'watch', '--device', deviceId, '--blocks', '15'],
      { timeout: 120_000 });
    let [stdout, stderr] = ['', ''];
    watcher.stdout.on('data', (chunk) => { stdout += chunk; });
    const exited = new Promise((resolve) => watcher.on('exit', resolve));
    // Anchor only once the watcher follows the chain: it says from which block.
    await new Promise((resolve, reject) => {
      watcher.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (/^following finalized blocks from #\d+$/m.test(stderr)) resolve();
      });
      exited.then((code) => reject(new Error(`iotctl watch exited ${code} before following: ${stderr}`)));
    });
    await ok('anchor', '--device-key', 'device.json', '--stream', '9', '--value', 'watched');
    assert.equal(await exited, 0, stderr);
    const events = stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const anchored = events.find((e) => e.event === 'Anchored' && e.fields.stream === 9);
    assert.ok(anchored, `the Anchored event among ${stdout}`);
    assert.equal(anchored.pallet, 'Anchors');
    assert.equal(anchored.fields.seq, 1);
    assert.equal(anchored.fields.submitter, deviceAddress, 'accounts shown in SS58');
    assert.ok(events.every((e) => e.fields.device_id === deviceId), 'only this device\'s events');
  });

  it('manages the lifecycle: firmware, suspend, compromise, rotation, transfer, retirement', async () => {
    const id = ['--id', deviceId];
    await ok('device', 'firmware', '--suri', '//Alice', ...id, '--hash', blake2AsHex('firmware 1.2'));
    assert.equal((await api.call.devicesApi.device(deviceId)).unwrap().firmware.unwrap().toHex(),
      blake2AsHex('firmware 1.2'));

    await ok('device', 'suspend', '--suri', '//Alice', ...id);
    const suspended = await iotctl('anchor', '--device-key', 'device.json', '--stream', '5', '--value', 'x');
    assert.equal(suspended.code, 3);
    assert.match(suspended.stderr, /the device is suspended by its owner, who must resume it first/);
    await ok('device', 'resume', '--suri', '//Alice', ...id);

    // A reading anchored, then the key reported compromised since before it: the reading is
    // suspect, and the device cannot anchor until its key is rotated.
    const before = await ok('--json', 'anchor', '--device-key', 'device.json', '--stream', '5', '--value', 'leaked?');
    const block = (await api.rpc.chain.getHeader(before.json.outcome.block)).number.toNumber();
    await ok('device', 'compromised', '--suri', '//Alice', ...id, '--since', String(block));
    await untilProvable(api);
    await untilServed(() => node.rpc('iotchain_anchor', deviceId, 5, 1));
    const suspect = await iotctl('--json', 'verify', '--device', deviceId, '--stream', '5', '--seq', '1', '--value', 'leaked?');
    assert.equal(suspect.code, 0, 'still anchored');
    assert.equal(suspect.json.suspect, true);
    const strict = await iotctl('verify', '--device', deviceId, '--stream', '5', '--seq', '1', '--value', 'leaked?', '--reject-suspect');
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /SUSPECT/);
    const blocked = await iotctl('anchor', '--device-key', 'device.json', '--stream', '5', '--value', 'x');
    assert.equal(blocked.code, 3);
    assert.match(blocked.stderr, /reported compromised since block \d+: its owner must rotate its key first/);

    await ok('key', 'generate', '--scheme', 'ecdsa', '--out', 'device2.json');
    const newKey = JSON.parse(await readFile(join(dir, 'device2.json'), 'utf8'));
    await ok('device', 'rotate', '--suri', '//Alice', ...id, '--new-key', 'device2.json');
    const rotated = (await api.call.devicesApi.device(deviceId)).unwrap();
    assert.equal(rotated.key.toString(), newKey.address);
    assert.ok(rotated.status.isActive, 'rotation recovers the device');
    const anchored = await ok('--json', 'anchor', '--device-key', 'device2.json', '--stream', '5', '--value', 'after');
    assert.equal(anchored.json.seq, 2, 'the new key continues the stream');
    const oldKey = await iotctl('anchor', '--device-key', 'device.json', '--stream', '5', '--value', 'x');
    assert.equal(oldKey.code, 2);
    assert.match(oldKey.stderr, /is not the key of any registered device/);

    await ok('device', 'transfer', '--suri', '//Alice', ...id, '--to', '//Bob');
    assert.equal((await api.call.devicesApi.device(deviceId)).unwrap().transferOffer.unwrap().to.toString(), BOB);
    await ok('device', 'accept', '--suri', '//Bob', ...id);
    // The seller may still hold the key: the device waits until Bob rotates or keeps it.
    const sold = await iotctl('anchor', '--device-key', 'device2.json', '--stream', '5', '--value', 'x');
    assert.equal(sold.code, 3);
    assert.match(sold.stderr, /suspended since it changed hands: its owner must rotate its key or resume it/);
    await ok('device', 'resume', '--suri', '//Bob', ...id);
    await ok('anchor', '--device-key', 'device2.json', '--stream', '5', '--value', 'kept');
    const bobsDevices = await ok('--json', 'device', 'list', '--owner', BOB);
    assert.deepEqual(bobsDevices.json, [deviceId]);

    const reserved = (await api.query.system.account(BOB)).data.reserved.toBigInt();
    const { json } = await ok('--json', 'device', 'retire', '--suri', '//Bob', ...id);
    const retired = json.events.find((e) => e.name === 'Retired');
    assert.ok(retired);
    assert.equal((await api.query.system.account(BOB)).data.reserved.toBigInt(),
      reserved - BigInt(retired.fields.deposit_returned), 'the deposit is returned');
    assert.ok((await api.call.devicesApi.device(deviceId)).isNone);
    const gone = await iotctl('device', 'show', ...id);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /no device is registered under/);
  });

  it('reports bad input, bad key files and an unreachable node with their own exit codes', async () => {
    const badId = await iotctl('device', 'show', '--id', '0x1234');
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /2 bytes, expected 32/);
    await writeFile(join(dir, 'broken.json'), 'not a key');
    await chmod(join(dir, 'broken.json'), 0o600);
    const badKey = await iotctl('anchor', '--device-key', 'broken.json', '--stream', '1', '--value', 'x');
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /key file broken\.json/);
    const unknown = await iotctl('anchor', '--device-key', 'device.json', '--stream', '1', '--value', 'x',
      '--url', 'ws://127.0.0.1:1');
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /cannot reach the node at ws:\/\/127\.0\.0\.1:1/);
    const usage = await iotctl('verify', '--stream', '1');
    assert.equal(usage.code, 2, 'clap reports usage errors with 2');
  });
});
