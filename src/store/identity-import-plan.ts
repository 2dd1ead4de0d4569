// What importing an identity does to the store, decided in one place for both stores and the importer's dry
// run. Logins are only ever added: a login linked here to another identity (a user who signed in here first)
// stays where it is and is reported, and logins linked here since an earlier import are kept.
import type { Identity, IdentityLogin, ImportedIdentity, ImportIdentityResult } from './store.ts';

export const loginKey = (login: IdentityLogin) => `${login.providerName}\u0000${login.userIdentifier}`;

export type IdentityImportPlan =
  | Exclude<ImportIdentityResult, { outcome: 'created' | 'updated' | 'unchanged' }>
  | (Extract<ImportIdentityResult, { outcome: 'created' | 'updated' | 'unchanged' }> & { link: IdentityLogin[] });

/** `loginOwners`: for each incoming login (by loginKey), the identity it is linked to in the pool now, if any. */
export function planIdentityImport(
  existing: Identity | undefined,
  loginOwners: ReadonlyMap<string, string | undefined>,
  incoming: ImportedIdentity,
): IdentityImportPlan {
  if (existing && existing.identityPoolId !== incoming.identityPoolId) return { outcome: 'in-another-pool', identityPoolId: existing.identityPoolId };
  if (existing?.mergedInto !== undefined) return { outcome: 'merged-here', mergedInto: existing.mergedInto };
  const link: IdentityLogin[] = [];
  const loginsLinkedElsewhere: Array<IdentityLogin & { identityId: string }> = [];
  const seen = new Set<string>();
  for (const login of incoming.logins) {
    const key = loginKey(login);
    if (seen.has(key)) continue;
    seen.add(key);
    const owner = loginOwners.get(key);
    if (owner === undefined) link.push(login);
    else if (owner !== incoming.identityId) loginsLinkedElsewhere.push({ ...login, identityId: owner });
  }
  const outcome = !existing ? 'created' : link.length > 0 ? 'updated' : 'unchanged';
  return { outcome, link, loginsLinkedElsewhere };
}

/** The row to insert for a new identity: disabled only when AWS had it disabled and nothing links it. */
export function newImportedIdentityRow(incoming: ImportedIdentity, linking: number): Identity {
  return {
    identityId: incoming.identityId,
    identityPoolId: incoming.identityPoolId,
    createdAt: incoming.createdAt,
    lastModifiedAt: incoming.lastModifiedAt,
    disabled: incoming.disabled && linking === 0,
  };
}
