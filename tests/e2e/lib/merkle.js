// Merkle batches as primitives/src/anchor.rs defines them (binary-merkle-tree with blake2-256:
// leaves `seq ‖ digest`, pairs hashed as `a ‖ b`, an odd last node promoted unhashed),
// implemented independently so the e2e tests cross-check the runtime's verification.
import { bnToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

const leafHash = (seq, digest) =>
  blake2AsU8a(u8aConcat(bnToU8a(seq, { bitLength: 64 }), hexToU8a(digest)));

function levels(firstSeq, digests) {
  const all = [digests.map((digest, i) => leafHash(firstSeq + i, digest))];
  while (all[all.length - 1].length > 1) {
    const level = all[all.length - 1];
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? blake2AsU8a(u8aConcat(level[i], level[i + 1])) : level[i]);
    }
    all.push(next);
  }
  return all;
}

/** The Merkle root of readings `firstSeq, firstSeq + 1, …` with `digests` (hex). */
export function merkleRoot(firstSeq, digests) {
  const all = levels(firstSeq, digests);
  return u8aToHex(all[all.length - 1][0]);
}

/** The proof of the reading at `index`, as `iotchain_verifyReading` takes it. */
export function merkleProof(firstSeq, digests, index) {
  const items = [];
  let position = index;
  for (const level of levels(firstSeq, digests).slice(0, -1)) {
    const sibling = position ^ 1;
    if (sibling < level.length) items.push(u8aToHex(level[sibling]));
    position >>= 1;
  }
  return { leafIndex: index, numberOfLeaves: digests.length, items };
}
