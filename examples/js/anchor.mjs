// Registers a device and anchors one of its readings from JavaScript, with @polkadot/api only.
// Against `scripts/dev.sh`: `node examples/js/anchor.mjs` (or pass another node's URL); it
// needs @polkadot/api 16.5 (tests/e2e has it: the end-to-end tests run this file).
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady, decodeAddress, mnemonicGenerate } from '@polkadot/util-crypto';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const api = await ApiPromise.create({
  provider: new WsProvider(url),
  // The runtime's own transaction extensions carry no data.
  signedExtensions: {
    AuthorizeCall: { extrinsic: {}, payload: {} },
    CheckFreeAnchor: { extrinsic: {}, payload: {} },
  },
});
await cryptoWaitReady();

// Signs and submits `tx`; resolves when it is in a block, rejects if it is refused or fails. (A
// node that finalizes each block as it seals it, `--dev-block-time`, may report `Finalized`
// without `InBlock`.)
const submit = (tx, signer) => new Promise((resolve, reject) => {
  tx.signAndSend(signer, ({ status, dispatchError }) => {
    if (status.isInvalid || status.isDropped || status.isUsurped) reject(new Error(status.type));
    else if (dispatchError?.isModule) {
      const { section, name } = api.registry.findMetaError(dispatchError.asModule);
      reject(new Error(`${section}.${name}`));
    } else if (status.isInBlock) resolve(status.asInBlock.toHex());
    else if (status.isFinalized) resolve(status.asFinalized.toHex());
  }).catch(reject);
});

// Alice owns the device (and pays its deposit); the device has a key of its own, which signs
// the proof of possession: domain tag ‖ genesis hash ‖ owner ‖ device key.
const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
const device = new Keyring({ type: 'ed25519' }).addFromUri(mnemonicGenerate());
const payload = u8aConcat(stringToU8a('iotchain:device:register'), api.genesisHash.toU8a(),
  decodeAddress(alice.address), decodeAddress(device.address));
const metadata = { model: 'TH-1', manufacturer: '', serial: '', label: '' };
await submit(api.tx.devices.register(device.address, { Ed25519: device.sign(payload) }, metadata, null), alice);
const deviceId = blake2AsHex(u8aConcat(stringToU8a('iotchain:device:id'), decodeAddress(device.address)));
console.log(`device ${deviceId} registered`);

// The device anchors the fingerprint of a reading, seq 1 of its stream 1, with its own key: free.
const digest = blake2AsHex('{"t": 21.5}');
const block = await submit(api.tx.anchors.anchor(1, 1, digest, null), device);
console.log(`reading 1 anchored in block ${block}: digest ${digest}`);
await api.disconnect();
