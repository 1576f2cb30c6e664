// Checks and figures of the network as a whole, for resilience.zndsl:
//   watch                 start sampling every node's best and finalized heights (every 500 ms)
//   first-finalized       seconds from the first validator's start to the first finalized block
//   lag,SECONDS           the largest finality lag (best − finalized) of this node over SECONDS
//   down,NAME             blocks this node finalized while NAME was down (its last outage)
//   catch-up              seconds this node took after its outage to reach the finality the
//                         network had when it came back
//   authors,SECONDS       a block this node authored after its outage, now finalized: its number
//   stalled,SECONDS       finality of this node stands still for SECONDS while blocks are still
//                         authored: how many (fails if finality moved: the control)
//   finalizes,N,SECONDS   this node finalizes N more blocks within SECONDS: how many it did
//   report                print the figures gathered and each validator's resident memory
// Each returns a number above 0 on success (zndsl skips a comparison with 0) or throws.
const { sleep, heights, until, pidOf, rssMiB, startedAt, rpc, authorOf } = require("./lib.js");

const samples = {}; // node name → [{ t, best, finalized } | { t, down: true }]
const figures = {};
let watching = false;

async function watch(nodes) {
  watching = true;
  for (const name of Object.keys(nodes)) samples[name] = [];
  while (watching) {
    const t = Date.now();
    await Promise.all(Object.entries(nodes).map(async ([name, { wsUri }]) => {
      const h = await heights(wsUri);
      samples[name].push(h ? { t, ...h } : { t, down: true });
    }));
    await sleep(Math.max(0, 500 - (Date.now() - t)));
  }
}

/** The last outage of `name` seen by the watcher: { from, to } (ms), `to` once it answers again. */
function outage(name) {
  const list = samples[name];
  const last = list.findLastIndex((s) => s.down);
  if (last < 0) throw new Error(`${name} was never seen down`);
  let first = last;
  while (first > 0 && list[first - 1].down) first -= 1;
  return { from: list[first].t, to: list[last + 1]?.t };
}

const latest = (name) => samples[name].findLast((s) => !s.down);
const round = (x) => Math.round(x * 10) / 10;

async function run(nodeName, networkInfo, args) {
  const [command, ...params] = args;
  const nodes = networkInfo.nodesByName;
  const { wsUri } = nodes[nodeName];
  switch (command) {
    case "watch": {
      if (!watching) watch(nodes);
      return 1;
    }
    case "first-finalized": {
      const start = Math.min(...Object.keys(nodes).map((name) => startedAt(pidOf(name))));
      const first = await until("a finalized block", 120, async () =>
        samples[nodeName].find((s) => s.finalized >= 1));
      figures.firstFinalizedSeconds = round((first.t - start) / 1000);
      console.log(`first finalized block ${figures.firstFinalizedSeconds} s after the first validator started`);
      return figures.firstFinalizedSeconds;
    }
    case "lag": {
      const seconds = Number(params[0]);
      const from = Date.now();
      await sleep(seconds * 1000);
      const window = samples[nodeName].filter((s) => s.t >= from && !s.down);
      const lags = window.map((s) => s.best - s.finalized);
      const validators = Object.keys(nodes).filter((name) => latest(name)?.t >= from).length;
      const max = Math.max(...lags);
      const mean = round(lags.reduce((a, b) => a + b, 0) / lags.length);
      figures[`finalityLag${validators}`] = { max, mean };
      console.log(`finality lag of ${nodeName} with ${validators} validators up: max ${max}, mean ${mean} blocks`);
      return max;
    }
    case "down": {
      const [name] = params;
      const { from, to } = outage(name);
      if (to === undefined) throw new Error(`${name} is still down`);
      const during = samples[nodeName].filter((s) => s.t >= from && s.t <= to && !s.down);
      const finalizedBlocks = during.at(-1).finalized - during[0].finalized;
      const lags = during.map((s) => s.best - s.finalized);
      figures.finalityLag3 = { max: Math.max(...lags), mean: round(lags.reduce((a, b) => a + b, 0) / lags.length) };
      figures.downSeconds = round((to - from) / 1000);
      console.log(`${name} down ${figures.downSeconds} s: ${nodeName} finalized ${finalizedBlocks} blocks, ` +
        `finality lag max ${figures.finalityLag3.max}, mean ${figures.finalityLag3.mean}`);
      return finalizedBlocks;
    }
    case "catch-up": {
      const { to } = outage(nodeName);
      const others = Object.keys(nodes).filter((name) => name !== nodeName);
      const target = Math.max(...others.map((name) => samples[name].findLast((s) => !s.down && s.t <= to).finalized));
      const caught = await until(`${nodeName} reaching #${target}`, 120, async () =>
        samples[nodeName].find((s) => s.t >= to && s.finalized >= target));
      figures.catchUpSeconds = round((caught.t - to) / 1000);
      console.log(`${nodeName} reached finalized #${target} ${figures.catchUpSeconds} s after it answered again`);
      return Math.max(figures.catchUpSeconds, 0.1);
    }
    case "authors": {
      const seconds = Number(params[0]);
      const key = `0x${Buffer.from(new zombie.Keyring({ type: "sr25519" })
        .addFromUri(`//${nodeName[0].toUpperCase()}${nodeName.slice(1)}`).publicKey).toString("hex")}`;
      // Blocks above the network's best when it came back were authored since.
      const { to } = outage(nodeName);
      const others = Object.keys(nodes).filter((name) => name !== nodeName);
      let next = Math.max(...others.map((name) => samples[name].findLast((s) => !s.down && s.t <= to).best)) + 1;
      return until(`a finalized block authored by ${nodeName}`, seconds, async () => {
        for (const { finalized } = latest(nodeName); next <= finalized; next += 1) {
          const hash = await rpc(wsUri, "chain_getBlockHash", [next]);
          if ((await authorOf(wsUri, hash)) === key) {
            console.log(`${nodeName} authored finalized block #${next} after its restart`);
            return next;
          }
        }
        return undefined;
      });
    }
    case "stalled": {
      const seconds = Number(params[0]);
      await sleep(6_000); // votes already cast may still finalize a block
      const before = await heights(wsUri);
      await sleep(seconds * 1000);
      const after = await heights(wsUri);
      if (after.finalized !== before.finalized) {
        throw new Error(`finality went on from #${before.finalized} to #${after.finalized} without a quorum`);
      }
      console.log(`${nodeName}: finality stood at #${after.finalized} for ${seconds} s; ` +
        `best went from #${before.best} to #${after.best}`);
      return after.best - before.best;
    }
    case "finalizes": {
      const [count, seconds] = params.map(Number);
      const from = (await heights(wsUri)).finalized;
      const reached = await until(`${nodeName} finalizing ${count} blocks`, seconds, async () => {
        const h = await heights(wsUri);
        return h && h.finalized >= from + count ? h.finalized : undefined;
      });
      return reached - from;
    }
    case "report": {
      watching = false;
      for (const name of Object.keys(nodes)) figures[`rssMiB ${name}`] = round(rssMiB(pidOf(name)));
      console.log(`figures: ${JSON.stringify(figures)}`);
      return 1;
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

module.exports = { run };
