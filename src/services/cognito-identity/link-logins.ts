// Logins meeting identities: who holds a login, linking free logins, and merging a guest (an unauthenticated
// identity) into the identity that already holds the login it signs in with. A login belongs to one identity of a
// pool only; the store enforces it, so racing first sign-ins of one user on several devices or nodes end with one
// identity.
import type { LoginMapping } from '../../auth/login-providers/login-mapping-file.ts';
import { ServiceError } from '../../protocol/errors.ts';
import type { IdentityLogin, IdentityPool, Store } from '../../store/store.ts';
import { importedIdentityFor } from './imported-logins.ts';

/** "The number of linked logins is limited to 20" (MergeDeveloperIdentities' documentation). */
export const MAX_LINKED_LOGINS = 20;

export const loginLinkedElsewhere = (providerName: string) =>
  new ServiceError(
    'ResourceConflictException',
    `The '${providerName}' login is already linked to another identity; an authenticated identity cannot take it over.`,
  );

export const loginsOfSeveralIdentities = (identityIds: string[]) =>
  new ServiceError('ResourceConflictException', `The logins belong to different identities (${identityIds.join(', ')}); present the logins of one identity.`);

export const tooManyLogins = (count: number) =>
  new ServiceError('ResourceConflictException', `The identity would have ${count} linked logins; at most ${MAX_LINKED_LOGINS} are allowed.`);

export interface LoginOwnership {
  login: IdentityLogin;
  /** The identity holding the login; undefined when it is free. */
  owner: string | undefined;
}

/** Who holds each login now. A free login the operator mapped to an imported identity is linked to it first. */
export async function ownersOf(store: Store, mapping: LoginMapping, pool: IdentityPool, logins: IdentityLogin[], now: Date): Promise<LoginOwnership[]> {
  const owned: LoginOwnership[] = [];
  for (const login of logins) {
    let owner = await store.findIdentityByLogin(pool.identityPoolId, login);
    if (owner === undefined && mapping.size > 0) {
      const imported = await importedIdentityFor(store, mapping, pool, login);
      if (imported !== undefined) {
        const result = await store.linkLogin(imported, login, now);
        owner = result.linked ? imported : result.linkedTo;
      }
    }
    owned.push({ login, owner });
  }
  return owned;
}

/**
 * Links the free logins to the identity. Answers the identity a login turned out to be held by meanwhile (another
 * device linked it first), leaving the rest unlinked, so the caller decides; undefined when all were linked.
 */
export async function linkFreeLogins(
  store: Store,
  identityId: string,
  free: IdentityLogin[],
  now: Date,
): Promise<{ login: IdentityLogin; linkedTo: string } | undefined> {
  if (free.length === 0) return undefined;
  const count = (await store.getIdentityLogins(identityId)).length + free.length;
  if (count > MAX_LINKED_LOGINS) throw tooManyLogins(count);
  for (const login of free) {
    const result = await store.linkLogin(identityId, login, now);
    if (!result.linked) return { login, linkedTo: result.linkedTo };
  }
  return undefined;
}

/**
 * Merges an identity into another, as MergeDeveloperIdentities does: its datasets appear under the survivor as
 * `<name>.<mergedId>` (MergedDatasetNames), and its id acts for the survivor from then on. One store transaction,
 * so no write by the merged identity can land between moving its datasets and marking it merged.
 */
export async function mergeIdentityInto(store: Store, mergedId: string, survivorId: string, now: Date): Promise<void> {
  await store.mergeIdentities(mergedId, survivorId, now);
}
