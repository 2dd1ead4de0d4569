// Cognito identities: GetId (unsigned), and for developers ListIdentities, DescribeIdentity, DeleteIdentities.
import { randomUUID } from 'node:crypto';
import type {
  DeleteIdentitiesResponse,
  GetIdResponse,
  IdentityDescription,
  ListIdentitiesResponse,
  UnprocessedIdentityId,
} from '../../model/cognito-identity-types.ts';
import type { Identity, IdentityPool, IdentityWithLogins, Store } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import type { PageTokens } from '../pagination.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { poolNotFound, providerNames, requireActingIdentity, requireIdentityOfAccount } from './identity-access.ts';
import { signIn } from './authenticate-identity.ts';
import { linkFreeLogins, loginLinkedElsewhere, loginsOfSeveralIdentities, ownersOf } from './link-logins.ts';
import { type LoginVerification, loginsDoNotMatch, type PresentedLogins, unauthenticatedNotAllowed, verifyLogins } from './logins.ts';

const describe = (identity: IdentityWithLogins): IdentityDescription => ({
  IdentityId: identity.identityId,
  Logins: providerNames(identity.logins),
  CreationDate: identity.createdAt,
  LastModifiedDate: identity.lastModifiedAt,
});

/** A new identity of the pool, with an id in AWS's `<region>:<uuid>` form (the pool's region). */
export function newIdentity(pool: IdentityPool, now: Date): Identity {
  const region = pool.identityPoolId.slice(0, pool.identityPoolId.indexOf(':'));
  return { identityId: `${region}:${randomUUID()}`, identityPoolId: pool.identityPoolId, createdAt: now, lastModifiedAt: now, disabled: false };
}

/**
 * The identity of a user signing in with public-provider logins: the one holding them, or a new one for a new
 * user. Two devices of one user, on any node, get the same id.
 */
async function identityOfLogins(store: Store, verification: LoginVerification, pool: IdentityPool, presented: PresentedLogins, now: Date): Promise<string> {
  const owned = await ownersOf(store, verification.importedLogins, pool, presented.logins, now);
  const holders = [...new Set(owned.flatMap((o) => (o.owner === undefined ? [] : [o.owner])))];
  if (holders.length > 1) throw loginsOfSeveralIdentities(holders);
  let free = owned.filter((o) => o.owner === undefined).map((o) => o.login);
  let identityId = holders[0];
  if (identityId === undefined) {
    // Atomic in the store: racing first sign-ins of one user end with one identity.
    identityId = (await store.findOrCreateIdentityForLogin(pool.identityPoolId, free[0]!, newIdentity(pool, now))).identityId;
    free = free.slice(1);
  }
  const { identity } = await requireActingIdentity(store, identityId);
  const takenBy = await linkFreeLogins(store, identity.identityId, free, now);
  if (takenBy !== undefined) throw loginLinkedElsewhere(takenBy.login.providerName);
  return identity.identityId;
}

export function identityHandlers(
  store: Store,
  verification: LoginVerification,
  pageTokens: PageTokens,
): Pick<CognitoIdentityHandlers, 'GetId' | 'ListIdentities' | 'DescribeIdentity' | 'DeleteIdentities'> {
  return {
    async GetId(input, ctx): Promise<GetIdResponse> {
      const pool = await store.getIdentityPool(input.IdentityPoolId);
      if (!pool || (input.AccountId !== undefined && input.AccountId !== pool.accountId)) throw poolNotFound(input.IdentityPoolId);
      const presented = await verifyLogins(verification, pool, input.Logins, ctx.now);
      if (presented.openId) {
        // A token this server issued already names its identity (developer-authenticated flow); logins beside it link to it.
        const named = await store.getIdentity(presented.openId.identityId);
        if (!named) throw loginsDoNotMatch();
        const { identity } = await requireActingIdentity(store, named.identityId);
        const signedIn = await signIn(store, verification, pool, identity, named.identityId, presented, ctx.now);
        return { IdentityId: signedIn.identity.identityId };
      }
      if (presented.logins.length > 0) return { IdentityId: await identityOfLogins(store, verification, pool, presented, ctx.now) };
      if (!pool.spec.AllowUnauthenticatedIdentities) throw unauthenticatedNotAllowed();
      const identity = newIdentity(pool, ctx.now);
      await store.createIdentity(identity);
      return { IdentityId: identity.identityId };
    },

    async ListIdentities(input, ctx): Promise<ListIdentitiesResponse> {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const hideDisabled = input.HideDisabled === true;
      const listing = `ListIdentities:${pool.identityPoolId}:${hideDisabled}`;
      const page = await store.listIdentities(pool.identityPoolId, input.MaxResults, {
        after: pageTokens.resume(listing, input.NextToken),
        hideDisabled,
      });
      return { IdentityPoolId: pool.identityPoolId, Identities: page.items.map(describe), NextToken: pageTokens.issue(listing, page.nextAfter) };
    },

    async DescribeIdentity(input, ctx): Promise<IdentityDescription> {
      const identity = await requireIdentityOfAccount(store, ctx.principal, input.IdentityId);
      return describe({ ...identity, logins: await store.getIdentityLogins(identity.identityId) });
    },

    async DeleteIdentities(input, ctx): Promise<DeleteIdentitiesResponse> {
      const accountId = ctx.principal.kind === 'developer' ? ctx.principal.accountId : undefined;
      const poolAccounts = new Map<string, string | undefined>();
      const owned: string[] = [];
      const unprocessed: UnprocessedIdentityId[] = [];
      for (const identityId of new Set(input.IdentityIdsToDelete)) {
        const identity = await store.getIdentity(identityId);
        // Unknown ids are already gone: deleting them again succeeds, as deleting is idempotent.
        if (!identity) continue;
        if (!poolAccounts.has(identity.identityPoolId)) {
          poolAccounts.set(identity.identityPoolId, (await store.getIdentityPool(identity.identityPoolId))?.accountId);
        }
        if (poolAccounts.get(identity.identityPoolId) === accountId) owned.push(identityId);
        else unprocessed.push({ IdentityId: identityId, ErrorCode: 'AccessDenied' });
      }
      await store.deleteIdentities(owned);
      return { UnprocessedIdentityIds: unprocessed };
    },
  };
}
