// The one rule for reaching an identity pool: it must exist and belong to the caller's account.
// Another account's pool is answered exactly like a missing one, so ids cannot be probed.
import type { Principal } from '../auth/principal.ts';
import { resourceNotFound } from '../protocol/errors.ts';
import type { IdentityPool, IdentityPoolStore } from '../store/store.ts';

export async function requireOwnedPool(store: IdentityPoolStore, principal: Principal, identityPoolId: string): Promise<IdentityPool> {
  const pool = await store.getIdentityPool(identityPoolId);
  const accountId = principal.kind === 'anonymous' ? undefined : principal.accountId;
  if (!pool || (accountId !== undefined && pool.accountId !== accountId)) {
    throw resourceNotFound(`IdentityPool '${identityPoolId}' not found.`);
  }
  return pool;
}
