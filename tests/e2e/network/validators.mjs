// Validators joining and leaving a running network: what an operator does, step by step, and
// the checks that it took effect. The zombienet test validators.zndsl runs it (through
// zombienet/scripts/validators.js); it is not a test of its own. Every command prints one JSON
// line last and exits 0 on success, 1 on failure (with the reason on stderr).
//
//   node network/validators.mjs add CHAIN_WS NODE_WS SURI
//     The new validator's node generates session keys for the account of SURI
//     (`author_rotateKeysWithOwner`, an unsafe RPC method: run it on the validator's own node),
//     the account registers them (`session.setKeys`, holding a deposit), and the sudo key
//     (//Alice) adds the account (`validatorSet.addValidator`).
//     Prints {account, aura, grandpa}.
//
//   node network/validators.mjs joined CHAIN_WS WHO SECONDS
//     Waits until validator WHO is in the session's validators and GRANDPA's voters (in the
//     finalized state), and has
//     authored a finalized block. (That its votes count, validators.zndsl shows by stopping
//     two others.)
//     Prints {block, validators, voters}.
//
//   node network/validators.mjs remove CHAIN_WS WHO
//     The sudo key removes validator WHO. Prints {account}.
//
//   node network/validators.mjs left CHAIN_WS WHO SECONDS
//     Waits until WHO is no longer in the session's validators nor a GRANDPA voter (in the
//     finalized state), and the remaining voters have finalized a block. Prints {validators, voters}.
//
// WHO is an account (SS58), or a dev seed such as //Dave for the account whose session keys
// have that seed's sr25519 key as Aura key (zombienet's validators are //Dave//stash and so on,
// with //Dave's keys).
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { findEvent, submit } from '../lib/tx.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every second until it returns a value other than undefined, for `seconds`. */
async function until(what, seconds, check) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(1000);
  }
}

async function connect(url) {
  return ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
}

/** The account WHO names (see above), with its session keys' Aura and GRANDPA keys. */
async function validator(api, keyring, who) {
  let account = who;
  if (who.startsWith('//')) {
    const auraKey = u8aToHex(keyring.addFromUri(who).publicKey);
    const entries = await api.query.session.nextKeys.entries();
    const found = entries.find(([, keys]) => keys.isSome && keys.unwrap().aura.toHex() === auraKey);
    if (!found) throw new Error(`no account has session keys with ${who}'s Aura key ${auraKey}`);
    account = found[0].args[0].toString();
  }
  const keys = await api.query.session.nextKeys(account);
  if (keys.isNone) throw new Error(`${account} has no session keys`);
  return { account, aura: keys.unwrap().aura.toHex(), grandpa: keys.unwrap().grandpa.toHex() };
}

/**
 * GRANDPA's voters in the state of the finalized head: the nodes vote with a new set once the
 * block that changed it is final, not before.
 */
async function grandpaVoters(api) {
  const finalized = await api.at(await api.rpc.chain.getFinalizedHead());
  const voters = await finalized.call.grandpaApi.grandpaAuthorities();
  return voters.map(([id]) => id.toHex());
}

/** Dispatches `call` with the sudo key (//Alice); resolves to the call's `section.method` event. */
async function sudo(api, keyring, call, section, method) {
  const events = await submit(api, api.tx.sudo.sudo(call), keyring.addFromUri('//Alice'));
  const result = findEvent(events, 'sudo', 'Sudid').data.sudoResult;
  if (result.isErr) {
    const error = result.asErr;
    const { section: s, name } = error.isModule ? api.registry.findMetaError(error.asModule) : {};
    throw new Error(`sudo ${call.method.section}.${call.method.method}: ${s ? `${s}.${name}` : error.toString()}`);
  }
  return findEvent(events, section, method);
}

async function add(api, nodeUrl, suri, keyring) {
  const account = keyring.addFromUri(suri);
  const node = await connect(nodeUrl);
  const generated = await node._rpcCore.provider.send('author_rotateKeysWithOwner', [u8aToHex(account.addressRaw)]);
  await node.disconnect();
  const setKeys = api.tx.session.setKeys(generated.keys, generated.proof);
  const keys = setKeys.method.args[0];
  await submit(api, setKeys, account);
  await sudo(api, keyring, api.tx.validatorSet.addValidator(account.address), 'validatorSet', 'ValidatorAdded');
  return { account: account.address, aura: keys.aura.toHex(), grandpa: keys.grandpa.toHex() };
}

async function joined(api, { account, aura: auraKey, grandpa: grandpaKey }, seconds) {
  const deadline = Date.now() + seconds * 1000;
  const left = () => Math.max(1, (deadline - Date.now()) / 1000);
  await until(`${account} among the session's validators`, left(), async () =>
    (await api.query.session.validators()).some((v) => v.toString() === account) ? true : undefined);
  await until(`${account} among GRANDPA's voters`, left(), async () =>
    (await grandpaVoters(api)).includes(grandpaKey) ? true : undefined);
  // A block it authored, finalized: the Aura author of a slot is authorities[slot % count].
  let next = (await api.rpc.chain.getHeader()).number.toNumber();
  const block = await until(`a finalized block authored by ${account}`, left(), async () => {
    const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    for (; next <= finalized; next += 1) {
      const hash = await api.rpc.chain.getBlockHash(next);
      const header = await api.rpc.chain.getHeader(hash);
      const parent = await api.at(header.parentHash);
      const authorities = await parent.query.aura.authorities();
      const digest = header.digest.logs.find((log) => log.isPreRuntime && log.asPreRuntime[0].toString() === 'aura');
      const slot = api.createType('u64', digest.asPreRuntime[1]).toBigInt();
      if (authorities[Number(slot % BigInt(authorities.length))].toHex() === auraKey) return next;
    }
    return undefined;
  });
  return { block, validators: (await api.query.session.validators()).length, voters: (await grandpaVoters(api)).length };
}

async function remove(api, keyring, { account }) {
  await sudo(api, keyring, api.tx.validatorSet.removeValidator(account), 'validatorSet', 'ValidatorRemoved');
  return { account };
}

async function left(api, { account, grandpa: grandpaKey }, seconds) {
  const deadline = Date.now() + seconds * 1000;
  const remaining = () => Math.max(1, (deadline - Date.now()) / 1000);
  await until(`${account} out of the session's validators`, remaining(), async () =>
    (await api.query.session.validators()).some((v) => v.toString() === account) ? undefined : true);
  await until(`${account} out of GRANDPA's voters`, remaining(), async () =>
    (await grandpaVoters(api)).includes(grandpaKey) ? undefined : true);
  const from = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  await until('a block finalized by the remaining voters', remaining(), async () => {
    const now = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    return now > from ? true : undefined;
  });
  return { validators: (await api.query.session.validators()).length, voters: (await grandpaVoters(api)).length };
}

async function main([command, url, ...args]) {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const api = await connect(url);
  try {
    switch (command) {
      case 'add': return await add(api, args[0], args[1], keyring);
      case 'joined': return await joined(api, await validator(api, keyring, args[0]), Number(args[1]));
      case 'remove': return await remove(api, keyring, await validator(api, keyring, args[0]));
      case 'left': return await left(api, await validator(api, keyring, args[0]), Number(args[1]));
      default: throw new Error(`unknown command ${command}`);
    }
  } finally {
    await api.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (result) => { console.log(JSON.stringify(result)); process.exit(0); },
  (error) => { console.error(error.message ?? error); process.exit(1); },
);
