// A client that keeps a network busy, then checks that the network kept what it finalized.
// The zombienet tests (zombienet/scripts/client.js) run it; it is not a test of its own.
//
//   node load/anchors.mjs submit WS_URL RECORDS_FILE
//     Owner //Bob registers a device, the device anchors DEVICE_READINGS readings with its own
//     key (one at a time: a device has at most one free anchor in the pool), then the next
//     device, until SIGTERM. Every anchor that reaches a finalized block is appended to
//     RECORDS_FILE as a JSON line {deviceId, stream, seq, digest, blockHash}. Prints "ready" once
//     the first device is registered, and on exit one JSON line {submitted, finalized, failed}.
//     Errors (a node restarting under it, a retracted block) are logged and anchoring resumes
//     from the stream's head on chain.
//
//   node load/anchors.mjs verify RECORDS_FILE WS_URL...
//     For every node: waits until everything anchored is provable, then checks that each
//     record has an anchor proof that the node's runtime accepts against the node's finalized
//     head, with the same digest and block. Prints one JSON line per node; exits 1 if any record
//     is missing or refused.
import { appendFileSync, readFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { registerDevice } from '../lib/devices.js';
import { untilProvable, untilServed } from '../lib/tx.js';

const STREAM = 1;
const DEVICE_READINGS = 10;

/** Connects to `url`; the provider reconnects by itself when the node restarts. */
async function connect(url) {
  const provider = new WsProvider(url);
  return { provider, api: await ApiPromise.create({ provider, noInitWarn: true }) };
}

/**
 * Submits `tx` signed by `signer`; resolves once it is in a block, and calls `onFinalized(hash)`
 * when (and if) that block is finalized.
 */
function anchor(tx, signer, onFinalized) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    tx.signAndSend(signer, ({ status, dispatchError }) => {
      if (status.isInvalid || status.isDropped || status.isUsurped || status.isFinalityTimeout) {
        unsubscribe?.();
        reject(new Error(`the transaction pool reported the transaction ${status.type}`));
      } else if (dispatchError) {
        unsubscribe?.();
        reject(new Error(`dispatch failed: ${dispatchError.toString()}`));
      } else if (status.isInBlock) {
        resolve();
      } else if (status.isFinalized) {
        unsubscribe?.();
        resolve();
        onFinalized(status.asFinalized.toHex());
      }
    }).then((u) => { unsubscribe = u; }, reject);
  });
}

async function runSubmit(url, recordsFile) {
  await cryptoWaitReady();
  const { api } = await connect(url);
  const keyring = new Keyring({ type: 'sr25519' });
  const owner = keyring.addFromUri('//Bob');
  const counts = { submitted: 0, finalized: 0, failed: 0 };
  let stopping = false;
  let wake;
  process.on('SIGTERM', () => { stopping = true; wake?.(); });
  const pause = (ms) => new Promise((resolve) => { wake = resolve; setTimeout(resolve, ms); });

  let ready = false;
  while (!stopping) {
    const device = keyring.addFromUri(mnemonicGenerate());
    let deviceId;
    try {
      ({ deviceId } = await registerDevice(api, owner, device, { label: 'load' }));
    } catch (error) {
      console.error(`registering a device failed: ${error.message}`);
      await pause(1_000);
      continue;
    }
    if (!ready) {
      console.log('ready');
      ready = true;
    }
    for (let seq = 1; seq <= DEVICE_READINGS && !stopping;) {
      const digest = blake2AsHex(`${deviceId} reading ${seq}`);
      const record = { deviceId, stream: STREAM, seq, digest };
      try {
        counts.submitted += 1;
        await anchor(api.tx.anchors.anchor(STREAM, seq, digest, null), device, (blockHash) => {
          counts.finalized += 1;
          appendFileSync(recordsFile, `${JSON.stringify({ ...record, blockHash })}\n`);
        });
        seq += 1;
      } catch (error) {
        counts.failed += 1;
        console.error(`anchor ${seq} of ${deviceId} failed: ${error.message}`);
        await pause(1_000);
        // Go on from what the chain holds (the anchor may have made it after all).
        const head = await api.query.anchors.heads(deviceId, STREAM).catch(() => null);
        if (head?.isSome) seq = head.unwrap().seq.toNumber() + 1;
      }
    }
  }
  console.log(JSON.stringify(counts));
  await api.disconnect();
}

async function runVerify(recordsFile, urls) {
  const records = readFileSync(recordsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  let ok = true;
  for (const url of urls) {
    const { api, provider } = await connect(url);
    const trusted = await untilProvable(api, 120_000);
    const problems = [];
    for (const { deviceId, stream, seq, digest, blockHash } of records) {
      // The node serves an anchor once it has indexed it, a moment after its block is final.
      const answer = await untilServed(() => provider.send('iotchain_anchorProof', [deviceId, stream, seq, trusted]))
        .catch(() => null);
      if (!answer) {
        problems.push(`${deviceId}/${stream}/${seq}: no anchor`);
        continue;
      }
      const verdict = await api.call.anchorsApi.verifyAnchorProof(answer.proof, trusted);
      if (!verdict.isOk) {
        problems.push(`${deviceId}/${stream}/${seq}: proof refused (${verdict.toString()})`);
      } else if (verdict.asOk.record.digest.toHex() !== digest || verdict.asOk.blockHash.toHex() !== blockHash) {
        problems.push(`${deviceId}/${stream}/${seq}: another record (${verdict.toString()})`);
      }
    }
    console.log(JSON.stringify({ url, trusted, records: records.length, verified: records.length - problems.length, problems }));
    ok &&= problems.length === 0;
    await api.disconnect();
  }
  process.exit(ok ? 0 : 1);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'submit' && args.length === 2) {
  await runSubmit(...args);
} else if (command === 'verify' && args.length >= 2) {
  await runVerify(args[0], args.slice(1));
} else {
  console.error('usage: anchors.mjs submit WS_URL RECORDS_FILE | verify RECORDS_FILE WS_URL...');
  process.exit(2);
}
