// An identity acting with the logins it presents (GetOpenIdToken, GetCredentialsForIdentity, and GetId with a token
// of ours). An authenticated identity must present one of its own logins; logins it presents that nobody holds are
// linked to it. A guest (an unauthenticated identity) signing in keeps its id when the login is free, and is merged
// into the login's identity when someone holds it already (its data then shows there as `<name>.<guestId>`).
import type { VerifiedOpenIdToken } from '../../auth/open-id-tokens.ts';
import { notAuthorized } from '../../protocol/errors.ts';
import type { Identity, IdentityLogin, IdentityPool, Store } from '../../store/store.ts';
import { requireActingIdentity } from './identity-access.ts';
import { linkFreeLogins, loginLinkedElsewhere, loginsOfSeveralIdentities, mergeIdentityInto, ownersOf } from './link-logins.ts';
import { accessForbidden, type LoginVerification, loginsDoNotMatch, type PresentedLogins, unauthenticatedNotAllowed, verifyLogins } from './logins.ts';

export interface AuthenticatedIdentity {
  /** The identity acting: the one asked for, the one it was merged into, or the one a guest was just merged into. */
  identity: Identity;
  pool: IdentityPool;
  logins: IdentityLogin[];
}

/** Whether a token of ours stands for the identity: issued to it, to the id asked for, or to an id merged into it. */
async function tokenNames(store: Store, token: VerifiedOpenIdToken, identity: Identity, requestedId: string): Promise<boolean> {
  if (token.identityId === identity.identityId || token.identityId === requestedId) return true;
  return (await store.getIdentity(token.identityId))?.mergedInto === identity.identityId;
}

export async function authenticateIdentity(
  store: Store,
  verification: LoginVerification,
  identityId: string,
  presented: Record<string, string> | undefined,
  now: Date,
): Promise<AuthenticatedIdentity> {
  const { identity, pool } = await requireActingIdentity(store, identityId);
  return signIn(store, verification, pool, identity, identityId, await verifyLogins(verification, pool, presented, now), now);
}

export async function signIn(
  store: Store,
  verification: LoginVerification,
  pool: IdentityPool,
  acting: Identity,
  requestedId: string,
  presented: PresentedLogins,
  now: Date,
): Promise<AuthenticatedIdentity> {
  let identity = acting;
  const authenticated = (await store.getIdentityLogins(identity.identityId)).length > 0;
  let proven = false;
  if (presented.openId) {
    if (!(await tokenNames(store, presented.openId, identity, requestedId))) throw loginsDoNotMatch();
    proven = true;
  }
  const owned = await ownersOf(store, verification.importedLogins, pool, presented.logins, now);
  if (owned.some((o) => o.owner === identity.identityId)) proven = true;
  const elsewhere = owned.filter((o) => o.owner !== undefined && o.owner !== identity.identityId);

  if (authenticated) {
    if (!proven) throw presented.openId || presented.logins.length > 0 ? loginsDoNotMatch() : accessForbidden(requestedId);
    if (elsewhere.length > 0) throw loginLinkedElsewhere(elsewhere[0]!.login.providerName);
  } else {
    const holders = [...new Set(elsewhere.map((o) => o.owner!))];
    if (holders.length > 1) throw loginsOfSeveralIdentities(holders);
    if (holders.length === 1) identity = await mergeGuest(store, pool, identity, holders[0]!, now);
  }

  const free = owned.filter((o) => o.owner === undefined).map((o) => o.login);
  const takenBy = await linkFreeLogins(store, identity.identityId, free, now);
  if (takenBy !== undefined) {
    // Another device linked one of these logins a moment ago. A guest that has linked nothing yet joins it, as if
    // it had come second; otherwise the logins now belong to two identities.
    if ((await store.getIdentityLogins(identity.identityId)).length > 0) throw loginLinkedElsewhere(takenBy.login.providerName);
    identity = await mergeGuest(store, pool, identity, takenBy.linkedTo, now);
    const stillFree = (await ownersOf(store, verification.importedLogins, pool, free, now)).filter((o) => o.owner === undefined);
    const lost = await linkFreeLogins(store, identity.identityId, stillFree.map((o) => o.login), now);
    if (lost !== undefined) throw loginLinkedElsewhere(lost.login.providerName);
  }

  const logins = await store.getIdentityLogins(identity.identityId);
  // Unauthenticated identities exist only as long as their pool allows them, whatever token they hold.
  if (logins.length === 0 && !pool.spec.AllowUnauthenticatedIdentities) throw unauthenticatedNotAllowed();
  return { identity, pool, logins };
}

async function mergeGuest(store: Store, pool: IdentityPool, guest: Identity, survivorId: string, now: Date): Promise<Identity> {
  const survivor = await store.getIdentity(survivorId);
  if (!survivor) throw loginsDoNotMatch();
  if (survivor.disabled) throw notAuthorized(`Identity '${survivor.identityId}' is disabled.`);
  await mergeIdentityInto(store, guest.identityId, survivor.identityId, now);
  return survivor;
}
