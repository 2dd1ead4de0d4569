// The store's getOrCreateSecret(name, candidate) wants a candidate up front. For a random 32-byte secret that is
// free; an RSA key pair costs tens to hundreds of milliseconds of CPU, too much to pay on every start only to
// throw it away when a key is already stored. So a key that is expensive to make is looked up first and made
// only when missing, with nothing but getOrCreateSecret:
//
// The value lives in the first *slot* holding a value: `name`, then `name#1`, `name#2`, … A node asks for a
// slot with a marker of its own (`absent:<random>`) as the candidate. A value comes back: done. Its own marker
// comes back: the slot was empty until now, and since a node only writes slot k+1 after finding slot k marked,
// no later slot holds anything either — so it generates the value and offers it for the next slot. Someone
// else's marker: a slot given up earlier (two nodes raced there); go on to the next. Slots are written once, so
// every node settles on the same first value. In practice the first node writes slot 0 or 1 and every later
// start reads one or two rows.
import { randomUUID } from 'node:crypto';
import type { ServerSecretStore } from '../store/store.ts';

const MARKER = 'absent:';
const MAX_SLOTS = 64;

const slotName = (name: string, slot: number) => (slot === 0 ? name : `${name}#${slot}`);

/** Returns the value stored under `name`, generating and storing one only when there is none; `generated`
 *  says whether this call made the value that is now stored. */
export async function storedOrGenerated(
  secrets: ServerSecretStore,
  name: string,
  generate: () => Promise<string>,
): Promise<{ value: string; generated: boolean }> {
  const marker = `${MARKER}${randomUUID()}`;
  let candidate: string | undefined;
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const stored = await secrets.getOrCreateSecret(slotName(name, slot), candidate ?? marker);
    if (!stored.startsWith(MARKER)) return { value: stored, generated: stored === candidate };
    if (stored === marker) candidate = await generate();
  }
  throw new Error(`no value for the server secret '${name}' after ${MAX_SLOTS} slots`);
}
