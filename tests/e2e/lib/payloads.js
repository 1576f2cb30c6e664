// The proof-of-possession payloads of primitives/src/device.rs, encoded by an independent
// client: `domain tag ‖ SCALE(fields)`. If the runtime's encoding ever drifts from this, the
// e2e tests fail with devices.BadProof.
import { stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsHex, decodeAddress } from '@polkadot/util-crypto';

export const REGISTRATION_DOMAIN = stringToU8a('iotchain:device:register');
export const ROTATION_DOMAIN = stringToU8a('iotchain:device:rotate');
export const DEVICE_ID_DOMAIN = stringToU8a('iotchain:device:id');

/** The id of the device whose first key is `address`: blake2-256(domain ‖ account id). */
export function deviceIdOf(address) {
  return blake2AsHex(u8aConcat(DEVICE_ID_DOMAIN, decodeAddress(address)));
}

/** Bytes a device key signs to prove possession at registration. */
export function registrationPayload(api, { owner, key }) {
  return u8aConcat(
    REGISTRATION_DOMAIN,
    api.genesisHash.toU8a(),
    api.createType('AccountId', owner).toU8a(),
    api.createType('AccountId', key).toU8a(),
  );
}

/** Bytes a device's new key signs when it replaces `oldKey`. */
export function rotationPayload(api, { deviceId, oldKey, newKey }) {
  return u8aConcat(
    ROTATION_DOMAIN,
    api.genesisHash.toU8a(),
    api.createType('H256', deviceId).toU8a(),
    api.createType('AccountId', oldKey).toU8a(),
    api.createType('AccountId', newKey).toU8a(),
  );
}

/** `pair`'s signature over `payload` as a `MultiSignature`. */
export function multiSignature(pair, payload) {
  const scheme = { sr25519: 'Sr25519', ed25519: 'Ed25519', ecdsa: 'Ecdsa' }[pair.type];
  return { [scheme]: pair.sign(payload) };
}
