// Starts a throw-away `iotchain-node --dev --tmp` on free local ports and connects
// @polkadot/api to it. The binary is `$IOTCHAIN_NODE`, by default the release build in the
// shared build directory (see scripts/common.sh).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';

const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/iotchain/target');
export const NODE_BIN = process.env.IOTCHAIN_NODE ?? join(targetDir, 'release/iotchain-node');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a dev node, on a throw-away chain or in `basePath` (to restart it on the same chain);
 * resolves to `{ api, rpc, stop }` once the API is connected (≤ 60 s).
 */
export async function startDevNode({ basePath } = {}) {
  const [rpcPort, p2pPort] = [await freePort(), await freePort()];
  const child = spawn(
    NODE_BIN,
    ['--dev', ...(basePath ? ['--base-path', basePath] : ['--tmp']), '--no-telemetry', '--no-mdns', '--no-prometheus',
      '--rpc-port', String(rpcPort), '--port', String(p2pPort)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  const url = `ws://127.0.0.1:${rpcPort}`;
  const deadline = Date.now() + 60_000;
  let api;
  let provider;
  while (!api) {
    if (child.exitCode !== null) throw new Error(`iotchain-node exited early:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`iotchain-node did not answer on ${url} within 60 s:\n${log}`);
    }
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
    /** Calls a JSON-RPC method directly, e.g. `rpc('iotchain_device', id)`. */
    rpc: (method, ...params) => provider.send(method, params),
    log: () => log,
    /** Disconnects and stops the node with SIGINT; resolves to its exit status. */
    async stop() {
      await api.disconnect();
      child.kill('SIGINT');
      return exited;
    },
  };
}
