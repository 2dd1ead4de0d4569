// UnlinkIdentity (unsigned): the caller proves the identity with one of its logins (`Logins`) and names the
// providers to unlink (`LoginsToRemove`). Unlinked logins are free again: the next sign-in with one starts a new
// identity. An identity left without logins is disabled ("inaccessible", as AWS documents it).
import { COGNITO_LOGIN_PROVIDER } from '../../auth/open-id-tokens.ts';
import { invalidParameter } from '../../protocol/errors.ts';
import type { Store } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import { requireActingIdentity } from './identity-access.ts';
import { accessForbidden, type LoginVerification, loginsDoNotMatch, verifyLogins } from './logins.ts';

export function unlinkIdentityHandlers(store: Store, verification: LoginVerification): Pick<CognitoIdentityHandlers, 'UnlinkIdentity'> {
  return {
    async UnlinkIdentity(input, ctx) {
      const { identity, pool } = await requireActingIdentity(store, input.IdentityId);
      for (const provider of input.LoginsToRemove) {
        if (provider === pool.spec.DeveloperProviderName) {
          throw invalidParameter(`'${provider}' is the pool's developer provider: unlink its users with UnlinkDeveloperIdentity.`);
        }
        if (provider === COGNITO_LOGIN_PROVIDER) throw invalidParameter(`'${COGNITO_LOGIN_PROVIDER}' is not a login that can be unlinked.`);
      }
      const presented = await verifyLogins(verification, pool, input.Logins, ctx.now);
      const linked = await store.getIdentityLogins(identity.identityId);
      const provenByToken =
        presented.openId !== undefined &&
        (presented.openId.identityId === identity.identityId ||
          (await store.getIdentity(presented.openId.identityId))?.mergedInto === identity.identityId);
      const provenByLogin = presented.logins.some((p) => linked.some((l) => l.providerName === p.providerName && l.userIdentifier === p.userIdentifier));
      if (!provenByToken && !provenByLogin) {
        throw presented.openId || presented.logins.length > 0 ? loginsDoNotMatch() : accessForbidden(input.IdentityId);
      }
      const removing = new Set(input.LoginsToRemove);
      // Providers the identity is not linked to have nothing to unlink: asking again after a success succeeds.
      for (const login of linked) if (removing.has(login.providerName)) await store.unlinkLogin(identity.identityId, login, ctx.now);
    },
  };
}
