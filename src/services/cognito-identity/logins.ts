// The `Logins` map of the unsigned operations (GetId, GetOpenIdToken, GetCredentialsForIdentity).
// This server can verify only the OpenID tokens it issued itself (login key `cognito-identity.amazonaws.com`);
// tokens of public providers (Facebook, Google, OIDC, SAML, user pools) would need those providers, which a
// self-hosted server cannot reach, so they are refused by name rather than trusted unchecked.
import { COGNITO_LOGIN_PROVIDER, type OpenIdTokens, type VerifiedOpenIdToken } from '../../auth/open-id-tokens.ts';
import { notAuthorized } from '../../protocol/errors.ts';
import type { IdentityPool } from '../../store/store.ts';

/** Providers the pool names in its configuration, under the keys clients would use in `Logins`. */
function configuredProviders(pool: IdentityPool): Set<string> {
  const names = new Set<string>(Object.keys(pool.spec.SupportedLoginProviders ?? {}));
  for (const p of pool.spec.CognitoIdentityProviders ?? []) if (p.ProviderName) names.add(p.ProviderName);
  for (const arn of pool.spec.OpenIdConnectProviderARNs ?? []) names.add(arn.slice(arn.indexOf('oidc-provider/') + 'oidc-provider/'.length));
  for (const arn of pool.spec.SamlProviderARNs ?? []) names.add(arn);
  return names;
}

export function refuseUnverifiableProvider(pool: IdentityPool, provider: string): never {
  if (provider === pool.spec.DeveloperProviderName) {
    throw notAuthorized(
      `Logins for the developer provider '${provider}' are accepted only by GetOpenIdTokenForDeveloperIdentity, signed with developer credentials; ` +
        `present the token it returns under '${COGNITO_LOGIN_PROVIDER}'.`,
    );
  }
  if (configuredProviders(pool).has(provider)) {
    throw notAuthorized(
      `Logins from '${provider}' cannot be verified by this server: it accepts only '${COGNITO_LOGIN_PROVIDER}' tokens it issued.`,
    );
  }
  throw notAuthorized(`Token is not from a supported provider of this identity pool: '${provider}'.`);
}

/**
 * Verifies every login in the map. Returns the verified token, or undefined when the map is absent or empty
 * (an unauthenticated call).
 */
export async function verifyLogins(
  tokens: OpenIdTokens,
  pool: IdentityPool,
  logins: Record<string, string> | undefined,
): Promise<VerifiedOpenIdToken | undefined> {
  let verified: VerifiedOpenIdToken | undefined;
  for (const [provider, token] of Object.entries(logins ?? {})) {
    if (provider !== COGNITO_LOGIN_PROVIDER) refuseUnverifiableProvider(pool, provider);
    verified = await tokens.verify(token, pool.identityPoolId);
  }
  return verified;
}

export const unauthenticatedNotAllowed = () => notAuthorized('Unauthenticated access is not supported for this identity pool.');
export const loginsDoNotMatch = () =>
  notAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.");
