// Validators joining and leaving, for validators.zndsl: runs tests/e2e/network/validators.mjs
// (with the e2e suite's @polkadot/api) against the node it runs for.
//   add,NAME             NAME's node makes session keys for //Name, which registers them, and
//                        sudo adds //Name as a validator: returns 1
//   joined,NAME,SECONDS  the validator added for NAME is in the session and GRANDPA's voters,
//                        and authored a finalized block: that block's number
//   remove,NAME          sudo removes NAME's genesis validator (//Name//stash, with //Name's
//                        keys): returns 1
//   left,NAME,SECONDS    it is out of the session and of GRANDPA's voters, and the others
//                        finalized a block: how many voters remain
// Each returns a number above 0 on success or throws.
const { spawn } = require("node:child_process");
const path = require("node:path");

const SCRIPT = path.resolve(__dirname, "../../tests/e2e/network/validators.mjs");
const added = {}; // node name → account added for it

function run_(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => { out += chunk; });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`validators.mjs ${args[0]} exited with ${code}`));
      const result = JSON.parse(out.trim().split("\n").at(-1));
      console.log(`validators.mjs ${args[0]}: ${JSON.stringify(result)}`);
      resolve(result);
    });
  });
}

const seed = (name) => `//${name[0].toUpperCase()}${name.slice(1)}`;

async function run(nodeName, networkInfo, args) {
  const [command, name, seconds] = args;
  const { wsUri } = networkInfo.nodesByName[nodeName];
  switch (command) {
    case "add": {
      const { account } = await run_(["add", wsUri, networkInfo.nodesByName[name].wsUri, seed(name)]);
      added[name] = account;
      return 1;
    }
    case "joined":
      return (await run_(["joined", wsUri, added[name], seconds])).block;
    case "remove":
      await run_(["remove", wsUri, seed(name)]);
      return 1;
    case "left":
      return (await run_(["left", wsUri, seed(name), seconds])).voters;
    default:
      throw new Error(`unknown command ${command}`);
  }
}

module.exports = { run };
