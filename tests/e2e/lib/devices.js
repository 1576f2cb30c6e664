// Registering a device the way a fleet operator does: the device key signs the proof.
import { submit } from './tx.js';
import { multiSignature, registrationPayload } from './payloads.js';

/** `owner` registers `deviceKey` under `deviceId`; resolves to the events. */
export function registerDevice(api, owner, deviceKey, deviceId, metadata = {}) {
  const proof = multiSignature(deviceKey,
    registrationPayload(api, { owner: owner.address, deviceId, key: deviceKey.address }));
  const fullMetadata = { model: '', manufacturer: '', label: '', ...metadata };
  return submit(api,
    api.tx.devices.register(deviceId, deviceKey.address, proof, fullMetadata, null), owner);
}
