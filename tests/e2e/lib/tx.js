// Submitting extrinsics and reading their outcome.

/**
 * Signs and submits `tx` with `signer`, waits until it is in a block, and resolves to its
 * events. (On a node that finalizes each block as it seals it, `--dev-block-time`, the pool may
 * report a transaction `Finalized` without reporting it `InBlock` first: both count.) A failed dispatch rejects with an Error whose message starts with `section.Name`
 * (e.g. `devices.BadProof`), followed by the error's documentation; a transaction the pool
 * gives up on (`Invalid`, `Dropped`, `Usurped`, `FinalityTimeout`) rejects with its status, so
 * no test waits for a block that will never come.
 */
export function submit(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInvalid || status.isDropped || status.isUsurped || status.isFinalityTimeout) {
        unsubscribe?.();
        reject(new Error(`the transaction pool reported the transaction ${status.type}`));
        return;
      }
      if (!status.isInBlock && !status.isFinalized) return;
      unsubscribe?.();
      if (dispatchError) {
        if (dispatchError.isModule) {
          const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`${section}.${name}: ${docs.join(' ')}`));
        } else {
          reject(new Error(dispatchError.toString()));
        }
        return;
      }
      resolve(events.map(({ event }) => event));
    }).then((u) => { unsubscribe = u; }, reject);
  });
}

/** The first event `section.method` among `events`, or throws. */
export function findEvent(events, section, method) {
  const event = events.find((e) => e.section === section && e.method === method);
  if (!event) {
    const seen = events.map((e) => `${e.section}.${e.method}`).join(', ');
    throw new Error(`no ${section}.${method} event; got ${seen}`);
  }
  return event;
}

/**
 * Resolves to the hash of a finalized block once every block up to the current best one has a
 * finalized child: everything anchored so far is then provable (an anchor in block N is in the
 * MMR leaf of block N + 1). Rejects after `timeoutMs`.
 */
export async function untilProvable(api, timeoutMs = 90_000) {
  const target = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
  return new Promise((resolve, reject) => {
    let unsubscribe;
    let done = false;
    const finish = (settle, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe?.();
      settle(value);
    };
    const timer = setTimeout(
      () => finish(reject, new Error(`block ${target} was not finalized within ${timeoutMs} ms`)),
      timeoutMs,
    );
    api.rpc.chain.subscribeFinalizedHeads((header) => {
      if (header.number.toNumber() >= target) finish(resolve, header.hash.toHex());
    }).then((u) => { unsubscribe = u; if (done) u(); }, (e) => finish(reject, e));
  });
}

/**
 * Resolves to what `query()` resolves to once that is not null, asking every 200 ms: the node
 * indexes a final anchor a moment after it reports the anchor's block final, and only then
 * serves it (`iotchain_anchor`, `iotchain_anchorProof`). Rejects after `timeoutMs`.
 */
export async function untilServed(query, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await query();
    if (answer !== null) return answer;
    if (Date.now() > deadline) throw new Error(`not served within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
