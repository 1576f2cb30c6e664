// Starts a throw-away `iotchain-node --dev --tmp` and connects @polkadot/api to it. The node
// binds port 0 (RPC and p2p) and the test reads the port it got from its log, so test files
// running in parallel never collide. The binary is `$IOTCHAIN_NODE`, by default the release
// build in the shared build directory (see scripts/common.sh).
//
// By default the node seals a block every second and finalizes it at once
// (`--dev-block-time 1000`): tests wait for blocks, not for 6 s slots and finality votes. A file
// that is about Aura and GRANDPA themselves (blocks not yet final) asks for `{ aura: true }`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ApiPromise, WsProvider } from '@polkadot/api';

const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/iotchain/target');
export const NODE_BIN = process.env.IOTCHAIN_NODE ?? join(targetDir, 'release/iotchain-node');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Milliseconds between the blocks of a dev node that is not on Aura. */
export const DEV_BLOCK_TIME = 1000;

/**
 * Starts a dev node, on a throw-away chain or in `basePath` (to restart it on the same chain),
 * sealing a block every `DEV_BLOCK_TIME` ms or, with `aura`, authoring in Aura slots finalized
 * by GRANDPA. `peerOf` (another node's `p2pAddress`) starts instead a full node of the dev
 * chain that authors nothing and syncs from that node (Aura only). Resolves to
 * `{ api, rpc, subscribe, p2pAddress, stop }` once the API is connected (≤ 60 s).
 */
export async function startDevNode({ basePath, aura = false, peerOf } = {}) {
  const role = peerOf
    ? ['--chain', 'dev', '--rpc-methods', 'unsafe', '--bootnodes', peerOf]
    : ['--dev'];
  // The p2p port is chosen here, so that other nodes can be told where this one listens.
  const p2pPort = await freePort();
  const child = spawn(
    NODE_BIN,
    [...role, ...(basePath ? ['--base-path', basePath] : ['--tmp']), '--no-telemetry', '--no-mdns', '--no-prometheus',
      '--rpc-port', '0', '--port', String(p2pPort), ...(aura || peerOf ? [] : ['--dev-block-time', String(DEV_BLOCK_TIME)])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  let rpcPort;
  let peerId;
  child.stderr.on('data', (chunk) => {
    log = (log + chunk).slice(-20_000);
    rpcPort ??= log.match(/Running JSON-RPC server: addr=[^\s]*?:(\d+)/)?.[1];
    peerId ??= log.match(/Local node identity is: (\w+)/)?.[1];
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // A test file cut short (a timeout) leaves no node behind.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  exited.then(() => process.off('exit', orphaned));

  const deadline = Date.now() + 60_000;
  let api;
  let provider;
  let url;
  while (!api) {
    if (child.exitCode !== null) throw new Error(`iotchain-node exited early:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`iotchain-node did not answer within 60 s:\n${log}`);
    }
    if (!rpcPort) {
      await sleep(200);
      continue;
    }
    url = `ws://127.0.0.1:${rpcPort}`;
    provider = new WsProvider(url, false);
    try {
      await provider.connect();
      await provider.isReadyOrError;
      api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
    } catch {
      await provider.disconnect().catch(() => {});
      await sleep(500);
    }
  }

  return {
    api,
    url,
    /** Where other nodes reach this one (once it listens): a multiaddr with its peer id. */
    p2pAddress: () => (peerId ? `/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${peerId}` : undefined),
    /** Calls a JSON-RPC method directly, e.g. `rpc('iotchain_device', id)`. */
    rpc: (method, ...params) => provider.send(method, params),
    /**
     * Subscribes with `method` (notifications named `type`) and calls `onItem` with each;
     * resolves to a function that unsubscribes.
     */
    async subscribe(type, method, params, onItem) {
      const id = await provider.subscribe(type, method, params, (error, item) => {
        if (!error) onItem(item);
      });
      return () => provider.unsubscribe(type, method.replace('subscribe', 'unsubscribe'), id);
    },
    log: () => log,
    /** Disconnects and stops the node with SIGINT; resolves to its exit status. */
    async stop() {
      await api.disconnect();
      child.kill('SIGINT');
      return exited;
    },
  };
}

/**
 * The dev node of a `describe` block: started in its `before` hook, stopped with SIGINT in its
 * `after` hook (which checks that it exited cleanly). Returns an object that holds `api`, `url`,
 * `rpc`, `log` and `stop` once the suite runs.
 */
export function withDevNode(options = {}) {
  const node = {};
  before(async () => {
    Object.assign(node, await startDevNode(options));
  });
  after(async () => {
    if (!node.stop) return;
    const { code, signal } = await node.stop();
    assert.equal(code, 0, `node exited with ${code ?? signal} after SIGINT`);
  });
  return node;
}
