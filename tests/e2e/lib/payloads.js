// The proof-of-possession payloads of primitives/src/device.rs, encoded by an independent
// client: `domain tag ‖ SCALE(fields)`. If the runtime's encoding ever drifts from this, the
// e2e tests fail with devices.BadProof.
import { stringToU8a, u8aConcat } from '@polkadot/util';

export const REGISTRATION_DOMAIN = stringToU8a('iotchain:device:register');
export const ROTATION_DOMAIN = stringToU8a('iotchain:device:rotate');

/** Bytes a device key signs to prove possession at registration. */
export function registrationPayload(api, { owner, deviceId, key }) {
  return u8aConcat(
    REGISTRATION_DOMAIN,
    api.genesisHash.toU8a(),
    api.createType('AccountId', owner).toU8a(),
    api.createType('H256', deviceId).toU8a(),
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
