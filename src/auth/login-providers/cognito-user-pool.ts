// Cognito user pools (`CognitoIdentityProviders`): the user pool's ID token, a JWT signed with the pool's keys at
// https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/jwks.json. Access tokens are refused as
// AWS refuses them: they carry no `aud` (their client is in `client_id`), so "Missing a required claim: aud".
import { verifyJwtLogin } from './jwt-login.ts';
import { invalidLoginToken, unsupportedProvider } from './login-errors.ts';
import type { ProviderClients } from './provider-clients.ts';

/** `cognito-idp.<region>.amazonaws.com/<userPoolId>`, the Logins key of a user pool. */
export const USER_POOL_PROVIDER = /^(cognito-idp\.[a-z0-9-]+\.amazonaws\.com)\/[\w-]+_[0-9a-zA-Z]+$/;

export function verifyUserPoolLogin(clients: ProviderClients, providerName: string, clientIds: string[], token: string, now: Date): Promise<string> {
  const match = USER_POOL_PROVIDER.exec(providerName);
  if (!match) throw unsupportedProvider();
  // The endpoint override of a user pool is keyed by its host alone; the pool id stays in the path.
  const host = match[1]!;
  const issuer = `https://${providerName}`;
  return verifyJwtLogin(token, {
    issuers: [issuer],
    audiences: clientIds,
    // AWS's answer to an ID token of another app client of the pool.
    wrongAudience: unsupportedProvider,
    checkClaims: (claims) => {
      if (claims.token_use !== 'id') throw invalidLoginToken(`Not a Cognito ID token: token_use is '${String(claims.token_use)}'.`);
    },
    keys: async () => clients.keys.atJwksUrl(host, `${issuer}/.well-known/jwks.json`),
    now,
  });
}
