// Finding identities the way Cognito Identity answers for them: unknown ids, ids of another account's
// pools and ids merged away are all "not found" to a developer; a merged id still leads unsigned callers
// to the identity it was merged into.
import type { Principal } from '../../auth/principal.ts';
import { USER_POOL_PROVIDER } from '../../auth/login-providers/cognito-user-pool.ts';
import { isPublicProviderPlaceholder } from '../../import/identity-logins.ts';
import { notAuthorized, resourceNotFound } from '../../protocol/errors.ts';
import type { Identity, IdentityLogin, IdentityPool, Store } from '../../store/store.ts';

export const identityNotFound = (identityId: string) => resourceNotFound(`Identity '${identityId}' not found.`);
export const poolNotFound = (identityPoolId: string) => resourceNotFound(`IdentityPool '${identityPoolId}' not found.`);

/** The identity an id stands for now, following a merge; for the unsigned operations. */
export async function requireActingIdentity(store: Store, identityId: string): Promise<{ identity: Identity; pool: IdentityPool }> {
  let identity = await store.getIdentity(identityId);
  if (identity?.mergedInto !== undefined) identity = await store.getIdentity(identity.mergedInto);
  if (!identity) throw identityNotFound(identityId);
  if (identity.disabled) throw notAuthorized(`Identity '${identity.identityId}' is disabled.`);
  const pool = await store.getIdentityPool(identity.identityPoolId);
  if (!pool) throw identityNotFound(identityId);
  return { identity, pool };
}

/** An identity of `pool` (not merged away), for developer operations on that pool. */
export async function requireIdentityInPool(store: Store, pool: IdentityPool, identityId: string): Promise<Identity> {
  const identity = await store.getIdentity(identityId);
  if (!identity || identity.mergedInto !== undefined || identity.identityPoolId !== pool.identityPoolId) throw identityNotFound(identityId);
  return identity;
}

/** An identity in any pool of the developer's account (not merged away). */
export async function requireIdentityOfAccount(store: Store, principal: Principal, identityId: string): Promise<Identity> {
  const identity = await store.getIdentity(identityId);
  if (!identity || identity.mergedInto !== undefined) throw identityNotFound(identityId);
  const pool = await store.getIdentityPool(identity.identityPoolId);
  if (!pool || principal.kind !== 'developer' || pool.accountId !== principal.accountId) throw identityNotFound(identityId);
  return identity;
}

/** Provider names, once each, as DescribeIdentity and ListIdentities list them. */
export const providerNames = (logins: IdentityLogin[]) => [...new Set(logins.map((l) => l.providerName))];

/**
 * The token's `amr`: how the identity is authenticated, with each login's user in AWS's forms, so a relying party
 * can tell users apart: `<provider>:<pool>:<user>` for the developer provider, `<user pool>:CognitoSignIn:<sub>`
 * for user pools, `<provider>:<user id>` for the others.
 */
export function authenticationMethods(pool: IdentityPool, logins: IdentityLogin[]): string[] {
  if (logins.length === 0) return ['unauthenticated'];
  const amr = ['authenticated', ...providerNames(logins)];
  for (const login of logins) {
    if (login.providerName === pool.spec.DeveloperProviderName) amr.push(`${login.providerName}:${pool.identityPoolId}:${login.userIdentifier}`);
    else if (isPublicProviderPlaceholder(login)) continue;
    else if (USER_POOL_PROVIDER.test(login.providerName)) amr.push(`${login.providerName}:CognitoSignIn:${login.userIdentifier}`);
    else amr.push(`${login.providerName}:${login.userIdentifier}`);
  }
  return amr;
}
