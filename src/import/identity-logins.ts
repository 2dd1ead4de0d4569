// Which logins an imported identity gets here, from what AWS tells about it: ListIdentities names the
// providers an identity is linked to; LookupDeveloperIdentity gives the developer user identifiers. For
// public providers (Facebook, Google, Apple, Amazon, Twitter, user pools, OIDC, SAML) AWS tells the provider
// but never the user's id there: the operator's login mapping (--login-mapping-file) brings those users back.
import type { IdentityDescription } from '@aws-sdk/client-cognito-identity';
import type { IdentityLogin } from '../store/store.ts';

/** The provider name under which AWS may list a developer-authenticated identity. */
export const COGNITO_LOGIN = 'cognito-identity.amazonaws.com';

export type IdentityKind = 'unauthenticated' | 'disabled' | 'developer-authenticated' | 'public-providers-only';

export interface LoginPlan {
  /** Whether LookupDeveloperIdentity must be asked for the developer user identifiers. */
  hasDeveloperLogin: boolean;
  /** Public providers the identity is linked to. */
  publicProviders: string[];
}

export function planLogins(identity: IdentityDescription, developerProviderName: string | undefined): LoginPlan {
  const providers = [...new Set(identity.Logins ?? [])];
  const developer = developerProviderName !== undefined ? providers.filter((p) => p === developerProviderName || p === COGNITO_LOGIN) : [];
  return { hasDeveloperLogin: developer.length > 0, publicProviders: providers.filter((p) => !developer.includes(p)) };
}

const PLACEHOLDER_PREFIX = 'imported-from-aws:';

/**
 * A login that stands for the identity's link to a public provider whose user id AWS does not reveal: the
 * identity stays an authenticated one here (its id alone never yields credentials, as on AWS), and ListIdentities
 * and DescribeIdentity name the provider as AWS did. No provider's token names this user id; the login mapping
 * (services/cognito-identity/imported-logins.ts) trusts a mapped login only for identities carrying it.
 */
export const publicProviderLogin = (providerName: string, identityId: string): IdentityLogin => ({
  providerName,
  userIdentifier: `${PLACEHOLDER_PREFIX}${identityId}`,
});

export const isPublicProviderPlaceholder = (login: IdentityLogin) => login.userIdentifier.startsWith(PLACEHOLDER_PREFIX);

export function loginsFor(
  identityId: string,
  plan: LoginPlan,
  developerProviderName: string | undefined,
  developerUserIdentifiers: string[],
): IdentityLogin[] {
  const logins: IdentityLogin[] = developerUserIdentifiers.map((userIdentifier) => ({ providerName: developerProviderName!, userIdentifier }));
  for (const provider of plan.publicProviders) logins.push(publicProviderLogin(provider, identityId));
  return logins;
}

export function kindOf(developerUserIdentifiers: number, publicProviders: number, disabled: boolean): IdentityKind {
  if (developerUserIdentifiers > 0) return 'developer-authenticated';
  if (publicProviders > 0) return 'public-providers-only';
  return disabled ? 'disabled' : 'unauthenticated';
}
