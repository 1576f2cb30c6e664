// Helpers of the zombienet js-scripts: JSON-RPC over HTTP (it survives a node being killed and
// restarted, unlike a WebSocket subscription), the validators' processes, and bounded waits.
// Zombienet loads the scripts with `require`, once: module state lives as long as the test.
const fs = require("node:fs");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `method` on the node at `wsUri`; rejects on a transport or JSON-RPC error. */
async function rpc(wsUri, method, params = []) {
  const response = await fetch(wsUri.replace(/^ws/, "http"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
  return body.result;
}

/** The node's best and finalized block numbers, or `null` when it does not answer. */
async function heights(wsUri) {
  try {
    const [best, finalizedHash] = await Promise.all([
      rpc(wsUri, "chain_getHeader"),
      rpc(wsUri, "chain_getFinalizedHead"),
    ]);
    const finalized = await rpc(wsUri, "chain_getHeader", [finalizedHash]);
    return { best: parseInt(best.number, 16), finalized: parseInt(finalized.number, 16) };
  } catch {
    return null;
  }
}

/** Polls `check` every 500 ms until it returns a value other than undefined, for `seconds`. */
async function until(what, seconds, check) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(500);
  }
}

/** The pid of the `iotchain-node` process zombienet started as `name`, or `null`. */
function pidOf(name) {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const at = argv.indexOf("--name");
    if (argv[0].endsWith("iotchain-node") && at > 0 && argv[at + 1] === name) return Number(entry);
  }
  return null;
}

/** Resident memory of process `pid`, in MiB. */
function rssMiB(pid) {
  const kib = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)[1];
  return Number(kib) / 1024;
}

/** When process `pid` started, in ms since the epoch. */
function startedAt(pid) {
  const bootSeconds = Number(fs.readFileSync("/proc/stat", "utf8").match(/^btime (\d+)$/m)[1]);
  // Field 22 of /proc/PID/stat, after the parenthesised command name: start time in ticks.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticksPerSecond = 100;
  return (bootSeconds + Number(fields[19]) / ticksPerSecond) * 1000;
}

/** The Aura slot of a block header (its `PreRuntime` digest of engine `aura`). */
function auraSlot(header) {
  const preRuntimeAura = "0x066175726120"; // PreRuntime, b"aura", 8 bytes follow
  const log = header.digest.logs.find((item) => item.startsWith(preRuntimeAura));
  if (!log) throw new Error(`block ${header.number} has no Aura digest`);
  return Buffer.from(log.slice(preRuntimeAura.length, preRuntimeAura.length + 16), "hex").readBigUInt64LE();
}

/** The Aura authorities (0x-hex public keys) at block `hash` of the node at `wsUri`. */
async function auraAuthorities(wsUri, hash) {
  const bytes = Buffer.from((await rpc(wsUri, "state_call", ["AuraApi_authorities", "0x", hash])).slice(2), "hex");
  // SCALE Vec<[u8; 32]>: a compact length (one byte below 64 entries), then the keys.
  const count = bytes[0] >> 2;
  return Array.from({ length: count }, (_, i) => `0x${bytes.subarray(1 + 32 * i, 33 + 32 * i).toString("hex")}`);
}

/** The Aura authority (0x-hex public key) who authored block `hash`. */
async function authorOf(wsUri, hash) {
  const header = await rpc(wsUri, "chain_getHeader", [hash]);
  // The author of a slot is chosen among the authorities of the parent's state.
  const authorities = await auraAuthorities(wsUri, header.parentHash);
  return authorities[Number(auraSlot(header) % BigInt(authorities.length))];
}

module.exports = { sleep, rpc, heights, until, pidOf, rssMiB, startedAt, authorOf };
