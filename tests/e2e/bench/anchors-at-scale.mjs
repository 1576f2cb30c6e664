// Benchmark: anchoring throughput and chain state size as anchors accumulate, on one real
// `iotchain-node --dev` in one run (scripts/bench-anchors.sh runs it; figures go to
// docs/performance.md). Not a test: it prints numbers.
//
// At each checkpoint (default 0, 100 000 and 1 000 000 anchors):
// - throughput: a few full blocks of anchors (`utility.batch` of `anchors.anchorFor`, signed by
//   the owner) and, in the same phase, blocks of as many `system.remark`s as a baseline; the
//   node's own block-building time ("Prepared block for proposing … (N ms)") gives anchors/s
//   and remarks/s, and their ratio;
// - state: every key (`state_getKeysPaged`) and its size (`state_getStorageSize`), by pallet,
//   and the size of the node's ParityDB directory (which also holds the blocks themselves).
// Between checkpoints the pool is kept full of anchors until the next count is reached.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { xxhashAsHex, cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { NODE_BIN } from '../lib/node.js';
import { registerDevice } from '../lib/devices.js';

const CHECKPOINTS = (process.env.BENCH_CHECKPOINTS ?? '0,100000,1000000').split(',').map(Number);
const BATCH = 1000; // anchors per extrinsic
const SAMPLE_BLOCKS = 3; // full blocks measured per checkpoint and kind
const STREAM = 1;

const freePort = () => new Promise((resolve, reject) => {
  const server = createServer();
  server.on('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

const basePath = await mkdtemp(join(tmpdir(), 'iotchain-bench-'));
const [rpcPort, p2pPort] = [await freePort(), await freePort()];
const node = spawn(NODE_BIN, ['--dev', '--base-path', basePath, '--no-telemetry', '--no-mdns',
  '--no-prometheus', '--rpc-port', String(rpcPort), '--port', String(p2pPort),
  '--pool-kbytes', '204800', '--pool-limit', '100000'],
{ stdio: ['ignore', 'ignore', 'pipe'] });
/** Block-building time and extrinsic count of each block this node authored, by number. */
const built = new Map();
let tail = '';
node.stderr.on('data', (chunk) => {
  const lines = (tail + chunk).split('\n');
  tail = lines.pop();
  for (const line of lines) {
    const m = line.match(/Prepared block for proposing at (\d+) \((\d+) ms\).*extrinsics_count: (\d+)/);
    if (m) built.set(Number(m[1]), { ms: Number(m[2]), extrinsics: Number(m[3]) });
  }
});
const stop = async () => { node.kill('SIGINT'); await new Promise((r) => node.on('exit', r)); };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let api;
for (let i = 0; !api; i += 1) {
  if (i > 120) throw new Error('the node did not start');
  const provider = new WsProvider(`ws://127.0.0.1:${rpcPort}`, false);
  try {
    await provider.connect();
    await provider.isReadyOrError;
    api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
  } catch { await provider.disconnect().catch(() => {}); await sleep(500); }
}
await cryptoWaitReady();
const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
const device = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
const { deviceId } = await registerDevice(api, alice, device, { model: 'bench' });

let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
let nextSeq = 1;
const send = (tx) => tx.signAndSend(alice, { nonce: nonce++ }).catch((e) => {
  console.error(`submission failed: ${e.message}`);
  process.exitCode = 1;
});
const anchorBatch = () => {
  const calls = [];
  for (let i = 0; i < BATCH; i += 1) {
    const seq = nextSeq++;
    calls.push(api.tx.anchors.anchorFor(deviceId, STREAM, seq, xxhashAsHex(`reading ${seq}`, 256), null));
  }
  return api.tx.utility.batch(calls);
};
const remarkBatch = () => api.tx.utility.batch(Array.from({ length: BATCH }, () => api.tx.system.remark('0x')));
const anchored = async (at) => {
  const head = at ? await api.query.anchors.heads.at(at, deviceId, STREAM) : await api.query.anchors.heads(deviceId, STREAM);
  return head.isSome ? head.unwrap().count.toNumber() : 0;
};
const bestNumber = async () => (await api.rpc.chain.getHeader()).number.toNumber();
const untilBlock = async (number) => { while (await bestNumber() < number) await sleep(300); };

/**
 * Waits for a best block without anchors: the state between blocks, without the previous
 * block's records (kept until this block moved them off-chain) and events.
 */
async function untilQuiet() {
  for (;;) {
    const header = await api.rpc.chain.getHeader();
    const number = header.number.toNumber();
    if (number > 1 && (await anchored(header.hash)) === (await anchored(header.parentHash))) {
      const previous = await api.rpc.chain.getBlockHash(number - 1);
      const before = await api.rpc.chain.getBlockHash(number - 2);
      if ((await anchored(previous)) === (await anchored(before))) return;
    }
    await untilBlock(number + 1);
  }
}

/** Keeps the pool holding about `ahead` anchors more than the chain has, until `target`. */
async function fillTo(target, ahead = 20_000) {
  for (;;) {
    const onChain = await anchored();
    if (onChain >= target) return;
    while (nextSeq - 1 < Math.min(target, onChain + ahead)) send(anchorBatch());
    await sleep(1000);
  }
}

/**
 * Anchors/s and remarks/s: `batches` extrinsics of each kind are submitted, and the node's
 * block-building time of every block that includes them is summed.
 */
async function throughput(batches = 40) {
  const measure = async (make, count) => {
    const from = await bestNumber();
    for (let i = 0; i < batches; i += 1) send(make());
    const blocks = [];
    const deadline = Date.now() + 15 * 60_000;
    for (let n = from + 1; ; n += 1) {
      await untilBlock(n + 1);
      if (Date.now() > deadline) throw new Error('the measurement did not finish in 15 minutes');
      const hash = await api.rpc.chain.getBlockHash(n);
      const parent = await api.rpc.chain.getBlockHash(n - 1);
      const items = await count(hash, parent);
      const info = built.get(n);
      if (info && items > 0) blocks.push({ number: n, ms: info.ms, items });
      if (items === 0 && blocks.length > 0
        && (await api.rpc.author.pendingExtrinsics()).length === 0) break;
    }
    const items = blocks.reduce((s, b) => s + b.items, 0);
    const ms = blocks.reduce((s, b) => s + b.ms, 0);
    return { perSecond: (items * 1000) / Math.max(ms, 1), items, ms, blocks: blocks.length };
  };
  const anchorsOf = async (hash, parent) => (await anchored(hash)) - (await anchored(parent));
  const remarksOf = async (hash) => {
    const block = await api.rpc.chain.getBlock(hash);
    return block.block.extrinsics.filter((x) => x.method.section === 'utility').length * BATCH;
  };
  const anchors = await measure(anchorBatch, anchorsOf);
  const remarks = await measure(remarkBatch, remarksOf);
  return { anchors, remarks, ratio: anchors.perSecond / remarks.perSecond };
}

/** Every key of the state at the best block, with sizes, by pallet. */
async function stateSize() {
  const at = await api.rpc.chain.getBlockHash();
  const pallets = Object.fromEntries(
    ['System', 'Balances', 'Devices', 'Anchors', 'Access', 'Mmr', 'Timestamp', 'Aura', 'Grandpa',
      'TransactionPayment', 'Sudo'].map((p) => [xxhashAsHex(p, 128), p]),
  );
  const byPallet = {};
  let keys = 0;
  let bytes = 0;
  let start;
  for (;;) {
    const page = await api.rpc.state.getKeysPaged('0x', 1000, start, at);
    if (page.length === 0) break;
    for (const key of page) {
      const size = (await api.rpc.state.getStorageSize(key, at)).toNumber();
      const pallet = pallets[key.toHex().slice(0, 34)] ?? 'other';
      byPallet[pallet] ??= { keys: 0, bytes: 0 };
      byPallet[pallet].keys += 1;
      byPallet[pallet].bytes += key.length + size;
      keys += 1;
      bytes += key.length + size;
    }
    start = page[page.length - 1];
  }
  const db = Number(execFileSync('du', ['-sb', join(basePath, 'chains')]).toString().split('\t')[0]);
  return { block: (await api.rpc.chain.getHeader(at)).number.toNumber(), keys, bytes, byPallet, databaseBytes: db };
}

const results = [];
try {
  for (const checkpoint of CHECKPOINTS) {
    await fillTo(checkpoint);
    while ((await api.rpc.author.pendingExtrinsics()).length > 0) await sleep(1000);
    await untilQuiet();
    const count = await anchored();
    const state = await stateSize();
    const speed = await throughput();
    const result = { anchors: count, state, speed };
    results.push(result);
    console.log(`\n== ${result.anchors} anchors (block ${state.block}) ==`);
    console.log(`state: ${state.keys} keys, ${state.bytes} bytes (keys + values); database ${state.databaseBytes} bytes`);
    console.log(`  by pallet: ${JSON.stringify(state.byPallet)}`);
    for (const kind of ['anchors', 'remarks']) {
      const m = speed[kind];
      console.log(`${kind}/s ${m.perSecond.toFixed(0)} (${m.items} in ${m.blocks} blocks built in ${m.ms} ms)`);
    }
    console.log(`anchors/s ÷ remarks/s = ${speed.ratio.toFixed(3)}`);
  }
  const [first] = results;
  console.log('\n== summary ==');
  console.log(`machine: ${cpus().length} × ${cpus()[0].model}`);
  for (const r of results) {
    const growth = r.state.bytes - first.state.bytes;
    console.log(`${r.anchors} anchors: state ${r.state.keys} keys / ${r.state.bytes} B `
      + `(+${growth} B since ${first.anchors}), database ${r.state.databaseBytes} B, `
      + `anchors/s ${r.speed.anchors.perSecond.toFixed(0)} = ${(r.speed.anchors.perSecond / first.speed.anchors.perSecond).toFixed(3)} × at ${first.anchors}, `
      + `remarks/s ${r.speed.remarks.perSecond.toFixed(0)}, ratio to remarks ${r.speed.ratio.toFixed(3)}`);
  }
} finally {
  await api.disconnect();
  await stop();
  await rm(basePath, { recursive: true, force: true });
}
