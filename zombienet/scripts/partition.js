// A validator cut off from the network and back, for partition.zndsl. The node it runs for is
// started with `--reserved-only`: it talks to its reserved peers only, which this script sets
// over RPC (`system_addReservedPeer` / `system_removeReservedPeer`).
//   join                 the other nodes become this node's reserved peers: how many it has
//   cut                  it drops them all: returns 1 once it has no peer
//   isolated,SECONDS     over SECONDS alone, it authors a fork of its own that it cannot
//                        finalize, while the others finalize on: the length of its fork
//   converged,SECONDS    after `join`, it reaches the others' finality, and every node holds the
//                        same finalized block at every height, none of them on its fork: the
//                        number of heights compared
// Each returns a number above 0 on success or throws.
const { sleep, rpc, heights, until, authorOf } = require("./lib.js");

let fork = []; // [{ number, hash }] authored by the isolated node alone
let finalizedAtCut;

const others = (networkInfo, nodeName) =>
  Object.values(networkInfo.nodesByName).filter((node) => node.name !== nodeName);

async function peers(wsUri) {
  return (await rpc(wsUri, "system_health")).peers;
}

function devKey(name) {
  const pair = new zombie.Keyring({ type: "sr25519" }).addFromUri(`//${name[0].toUpperCase()}${name.slice(1)}`);
  return `0x${Buffer.from(pair.publicKey).toString("hex")}`;
}

async function run(nodeName, networkInfo, args) {
  const [command, ...params] = args;
  const { wsUri } = networkInfo.nodesByName[nodeName];
  switch (command) {
    case "join": {
      for (const node of others(networkInfo, nodeName)) {
        const peerId = await rpc(node.wsUri, "system_localPeerId");
        const addresses = await rpc(node.wsUri, "system_localListenAddresses");
        const local = addresses.find((a) => a.startsWith("/ip4/127.0.0.1/")) ?? addresses[0];
        await rpc(wsUri, "system_addReservedPeer", [local.includes("/p2p/") ? local : `${local}/p2p/${peerId}`]);
      }
      const wanted = others(networkInfo, nodeName).length;
      return until(`${nodeName} connected to its ${wanted} reserved peers`, 60, async () => {
        const count = await peers(wsUri);
        return count >= wanted ? count : undefined;
      });
    }
    case "cut": {
      for (const node of others(networkInfo, nodeName)) {
        await rpc(wsUri, "system_removeReservedPeer", [await rpc(node.wsUri, "system_localPeerId")]);
      }
      await until(`${nodeName} without peers`, 30, async () => ((await peers(wsUri)) === 0 ? true : undefined));
      return 1;
    }
    case "isolated": {
      const seconds = Number(params[0]);
      await sleep(6_000); // votes already cast may still finalize a block
      const alone = await heights(wsUri);
      const majority = others(networkInfo, nodeName)[0];
      const majorityBefore = await heights(majority.wsUri);
      await sleep(seconds * 1000);
      const after = await heights(wsUri);
      const majorityAfter = await heights(majority.wsUri);
      if ((await peers(wsUri)) !== 0) throw new Error(`${nodeName} has peers again`);
      if (after.finalized !== alone.finalized) {
        throw new Error(`${nodeName} finalized #${alone.finalized}..#${after.finalized} alone`);
      }
      if (majorityAfter.finalized < majorityBefore.finalized + 3) {
        throw new Error(`${majority.name} finalized only #${majorityBefore.finalized}..#${majorityAfter.finalized}`);
      }
      // Its blocks since it was cut off are its own fork: every one authored by itself.
      const key = devKey(nodeName);
      fork = [];
      for (let number = alone.best + 1; number <= after.best; number += 1) {
        const hash = await rpc(wsUri, "chain_getBlockHash", [number]);
        if ((await authorOf(wsUri, hash)) !== key) throw new Error(`block #${number} of ${nodeName}'s fork is not its own`);
        fork.push({ number, hash });
      }
      finalizedAtCut = alone.finalized;
      console.log(`${nodeName} alone for ${seconds} s: a fork of ${fork.length} blocks, finality stuck at ` +
        `#${after.finalized}; ${majority.name} finalized #${majorityBefore.finalized}..#${majorityAfter.finalized}`);
      return fork.length;
    }
    case "converged": {
      const seconds = Number(params[0]);
      const nodes = Object.values(networkInfo.nodesByName);
      const target = Math.max(...(await Promise.all(others(networkInfo, nodeName).map(async (n) => (await heights(n.wsUri)).finalized))));
      await until(`${nodeName} finalizing #${target}`, seconds, async () => {
        const h = await heights(wsUri);
        return h && h.finalized >= target ? true : undefined;
      });
      const upTo = Math.min(...(await Promise.all(nodes.map(async (n) => (await heights(n.wsUri)).finalized))));
      for (let number = 1; number <= upTo; number += 1) {
        const hashes = await Promise.all(nodes.map((n) => rpc(n.wsUri, "chain_getBlockHash", [number])));
        if (new Set(hashes).size !== 1) {
          throw new Error(`finalized #${number} differs: ${nodes.map((n, i) => `${n.name} ${hashes[i]}`).join(", ")}`);
        }
        const forked = fork.find((block) => block.number === number);
        if (forked && forked.hash === hashes[0]) throw new Error(`${nodeName}'s fork block #${number} was finalized`);
      }
      if (upTo <= finalizedAtCut + fork.length) throw new Error(`finality did not pass ${nodeName}'s fork (#${upTo})`);
      console.log(`${nodeName} rejoined: all nodes agree on finalized #1..#${upTo}; its fork of ${fork.length} blocks was abandoned`);
      return upTo;
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

module.exports = { run };
