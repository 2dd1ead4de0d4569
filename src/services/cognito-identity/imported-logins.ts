// Imported identities meet their users again: a verified login nobody holds yet, which the operator's mapping
// (--login-mapping-file) gives to an identity imported from AWS, is linked to that identity. The mapping is
// trusted only for identities that are in the login's pool and were imported linked to that provider (they carry
// the importer's placeholder for it), so a mistyped or stale line cannot hand a user someone else's identity.
import type { LoginMapping } from '../../auth/login-providers/login-mapping-file.ts';
import { publicProviderLogin } from '../../import/identity-logins.ts';
import type { IdentityLogin, IdentityPool, Store } from '../../store/store.ts';

/** The identity (surviving any merge since) the operator mapped this login to, when the mapping holds. */
export async function importedIdentityFor(store: Store, mapping: LoginMapping, pool: IdentityPool, login: IdentityLogin): Promise<string | undefined> {
  for (const importedId of mapping.identitiesFor(login.providerName, login.userIdentifier)) {
    let identity = await store.getIdentity(importedId);
    if (identity?.mergedInto !== undefined) identity = await store.getIdentity(identity.mergedInto);
    if (!identity || identity.identityPoolId !== pool.identityPoolId || identity.disabled) continue;
    const placeholder = publicProviderLogin(login.providerName, importedId);
    const logins = await store.getIdentityLogins(identity.identityId);
    if (logins.some((l) => l.providerName === placeholder.providerName && l.userIdentifier === placeholder.userIdentifier)) return identity.identityId;
  }
  return undefined;
}
