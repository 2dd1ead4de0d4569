// The login providers a pool names, in the forms the pool-level APIs take them. Role mappings are keyed like
// `Logins`, but a user pool's key carries the app client (`cognito-idp.<region>.amazonaws.com/<pool id>:<client
// id>`), since its ID tokens are told apart by audience. Principal tag maps name a user pool without the client and
// IAM providers (OIDC, SAML) by their ARN.
import type { IdentityPool } from '../../store/store.ts';

const OIDC_ARN_MARKER = ':oidc-provider/';

/** The `Logins` key of an OIDC provider: its issuer's host and path, as the IAM provider ARN ends. */
export const oidcIssuerOf = (arn: string) => arn.slice(arn.indexOf(OIDC_ARN_MARKER) + OIDC_ARN_MARKER.length);

/** Keys a role mapping may have in this pool. The developer provider counts: its users' tokens are ours. */
export function roleMappingProviders(pool: IdentityPool): Set<string> {
  const names = new Set<string>(Object.keys(pool.spec.SupportedLoginProviders ?? {}));
  for (const p of pool.spec.CognitoIdentityProviders ?? []) if (p.ProviderName && p.ClientId) names.add(`${p.ProviderName}:${p.ClientId}`);
  for (const arn of pool.spec.OpenIdConnectProviderARNs ?? []) names.add(oidcIssuerOf(arn));
  for (const arn of pool.spec.SamlProviderARNs ?? []) names.add(arn);
  if (pool.spec.DeveloperProviderName) names.add(pool.spec.DeveloperProviderName);
  return names;
}

/** Names a principal tag attribute map may have in this pool (an OIDC provider by its ARN or its issuer). */
export function principalTagProviders(pool: IdentityPool): Set<string> {
  const names = new Set<string>(Object.keys(pool.spec.SupportedLoginProviders ?? {}));
  for (const p of pool.spec.CognitoIdentityProviders ?? []) if (p.ProviderName) names.add(p.ProviderName);
  for (const arn of pool.spec.OpenIdConnectProviderARNs ?? []) {
    names.add(arn);
    names.add(oidcIssuerOf(arn));
  }
  for (const arn of pool.spec.SamlProviderARNs ?? []) names.add(arn);
  return names;
}
