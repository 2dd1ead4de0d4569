// The `Logins` map of the unsigned operations (GetId, GetOpenIdToken, GetCredentialsForIdentity, UnlinkIdentity):
// every entry is verified before anything is decided. Tokens this server issued (`cognito-identity.amazonaws.com`)
// name their identity; every other provider's token proves a login (provider, user id) by that provider's checks
// (auth/login-providers/). The developer provider is never accepted here: only GetOpenIdTokenForDeveloperIdentity,
// signed with developer credentials, may name its users.
import type { LoginProviders } from '../../auth/login-providers/login-providers.ts';
import type { LoginMapping } from '../../auth/login-providers/login-mapping-file.ts';
import { COGNITO_LOGIN_PROVIDER, type OpenIdTokens, type VerifiedOpenIdToken } from '../../auth/open-id-tokens.ts';
import { notAuthorized } from '../../protocol/errors.ts';
import type { IdentityLogin, IdentityPool } from '../../store/store.ts';

/** What verifying logins needs: this server's token keys, the providers, and the imported identities' mapping. */
export interface LoginVerification {
  tokens: OpenIdTokens;
  providers: LoginProviders;
  importedLogins: LoginMapping;
}

export interface PresentedLogins {
  /** A token this server issued, naming an identity. */
  openId?: VerifiedOpenIdToken;
  /** Logins of public providers, verified. */
  logins: IdentityLogin[];
}

export const developerLoginRefused = (provider: string) =>
  notAuthorized(
    `Logins for the developer provider '${provider}' are accepted only by GetOpenIdTokenForDeveloperIdentity, signed with developer credentials; ` +
      `present the token it returns under '${COGNITO_LOGIN_PROVIDER}'.`,
  );

/**
 * Verifies every login in the map, the providers asked at once; the first entry (in map order) that fails decides
 * the answer. An absent or empty map is an unauthenticated call.
 */
export async function verifyLogins(
  verification: LoginVerification,
  pool: IdentityPool,
  presented: Record<string, string> | undefined,
  now: Date,
): Promise<PresentedLogins> {
  const entries = Object.entries(presented ?? {});
  const outcomes = await Promise.allSettled(
    entries.map(async ([provider, token]) => {
      if (provider === COGNITO_LOGIN_PROVIDER) return { openId: await verification.tokens.verify(token, pool.identityPoolId) };
      if (provider === pool.spec.DeveloperProviderName) throw developerLoginRefused(provider);
      return { login: await verification.providers.verify(pool, provider, token, now) };
    }),
  );
  const result: PresentedLogins = { logins: [] };
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') throw outcome.reason;
    if ('openId' in outcome.value) result.openId = outcome.value.openId;
    else result.logins.push(outcome.value.login);
  }
  return result;
}

export const unauthenticatedNotAllowed = () => notAuthorized('Unauthenticated access is not supported for this identity pool.');
export const loginsDoNotMatch = () =>
  notAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.");
export const accessForbidden = (identityId: string) => notAuthorized(`Access to Identity '${identityId}' is forbidden.`);
