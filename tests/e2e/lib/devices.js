// Registering a device the way a fleet operator does: the device key signs the proof.
import { submit } from './tx.js';
import { deviceIdOf, multiSignature, registrationPayload } from './payloads.js';

/** The full metadata of a registration, from the fields given. */
export function deviceMetadata(metadata = {}) {
  return { model: '', manufacturer: '', serial: '', label: '', ...metadata };
}

/**
 * `owner` registers the device of `deviceKey` (its id is derived from the key); resolves to
 * `{ deviceId, events }`.
 */
export async function registerDevice(api, owner, deviceKey, metadata = {}) {
  const proof = multiSignature(deviceKey,
    registrationPayload(api, { owner: owner.address, key: deviceKey.address }));
  const events = await submit(api,
    api.tx.devices.register(deviceKey.address, proof, deviceMetadata(metadata), null), owner);
  return { deviceId: deviceIdOf(deviceKey.address), events };
}
