// The check GetOpenIdToken and GetCredentialsForIdentity share, made by unsigned callers: an
// unauthenticated identity needs a pool that allows them; an authenticated one needs a valid login for it.
import { notAuthorized } from '../../protocol/errors.ts';
import type { OpenIdTokens } from '../../auth/open-id-tokens.ts';
import type { Identity, IdentityLogin, IdentityPool, Store } from '../../store/store.ts';
import { requireActingIdentity } from './identity-access.ts';
import { loginsDoNotMatch, unauthenticatedNotAllowed, verifyLogins } from './logins.ts';

export interface AuthenticatedIdentity {
  /** The identity acting: the one asked for, or the one it was merged into. */
  identity: Identity;
  pool: IdentityPool;
  logins: IdentityLogin[];
}

export async function authenticateIdentity(
  store: Store,
  tokens: OpenIdTokens,
  identityId: string,
  presented: Record<string, string> | undefined,
): Promise<AuthenticatedIdentity> {
  const { identity, pool } = await requireActingIdentity(store, identityId);
  const verified = await verifyLogins(tokens, pool, presented);
  const logins = await store.getIdentityLogins(identity.identityId);
  // Unauthenticated identities exist only as long as their pool allows them, whatever token they hold.
  if (logins.length === 0 && !pool.spec.AllowUnauthenticatedIdentities) throw unauthenticatedNotAllowed();
  if (verified) {
    if (verified.identityId !== identity.identityId && verified.identityId !== identityId) {
      // The token may name an identity since merged into this one.
      const named = await store.getIdentity(verified.identityId);
      if (named?.mergedInto !== identity.identityId) throw loginsDoNotMatch();
    }
  } else if (logins.length > 0) {
    throw notAuthorized(`Access to Identity '${identityId}' is forbidden.`);
  }
  return { identity, pool, logins };
}
