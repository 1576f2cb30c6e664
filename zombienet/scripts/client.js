// A device fleet's client on the node it runs for (tests/e2e/load/anchors.mjs, with the e2e
// suite's @polkadot/api):
//   start   registers devices and anchors their readings on this node until `stop`; returns 1
//           once the first device is registered
//   stop    stops it, then checks on every node of the network that each anchor the client saw
//           finalized is there and verifiable; returns how many anchors that was (fails if any
//           node misses one, or if there were fewer than MIN_FINALIZED)
const { spawn } = require("node:child_process");
const path = require("node:path");

const CLIENT = path.resolve(__dirname, "../../tests/e2e/load/anchors.mjs");
const MIN_FINALIZED = 5;
let client; // { child, exited, records }

function start(args, onStdout) {
  const child = spawn(process.execPath, [CLIENT, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
    onStdout?.(out);
  });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
  return { child, exited };
}

async function run(nodeName, networkInfo, args) {
  const [command] = args;
  if (command === "start") {
    const records = path.join(networkInfo.tmpDir, "finalized-anchors.jsonl");
    let ready;
    const registered = new Promise((resolve) => { ready = resolve; });
    client = { records, ...start(["submit", networkInfo.nodesByName[nodeName].wsUri, records], (out) => {
      if (out.startsWith("ready\n")) ready();
    }) };
    const first = await Promise.race([registered, client.exited]);
    if (first) throw new Error(`the client exited with ${first.code}: ${first.out}`);
    return 1;
  }
  if (command === "stop") {
    client.child.kill("SIGTERM");
    const { code, out } = await client.exited;
    const counts = JSON.parse(out.trim().split("\n").at(-1));
    console.log(`client on ${nodeName}: ${JSON.stringify(counts)}`);
    if (code !== 0) throw new Error(`the client exited with ${code}`);
    if (counts.finalized < MIN_FINALIZED) throw new Error(`only ${counts.finalized} anchors were finalized`);
    const urls = Object.values(networkInfo.nodesByName).map((node) => node.wsUri);
    const verify = start(["verify", client.records, ...urls]);
    const result = await verify.exited;
    console.log(result.out.trim());
    if (result.code !== 0) throw new Error("an anchor the client saw finalized is missing or refused on some node");
    return counts.finalized;
  }
  throw new Error(`unknown command ${command}`);
}

module.exports = { run };
