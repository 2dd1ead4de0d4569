// OpenID Connect providers (`OpenIdConnectProviderARNs`, arn:aws:iam::<account>:oidc-provider/<issuer host/path>):
// an ID token of the issuer https://<host/path>, verified with the keys its discovery document names. The client
// ids the token may be for live in IAM on AWS; here the operator lists them (--iam-providers-file).
import { verifyJwtLogin } from './jwt-login.ts';
import type { ProviderClients } from './provider-clients.ts';

export const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/;

/** The Logins key (issuer host/path) an OIDC provider ARN stands for. */
export function oidcProviderName(arn: string): string | undefined {
  return OIDC_PROVIDER_ARN.exec(arn)?.[1];
}

export function verifyOpenIdConnectLogin(clients: ProviderClients, providerName: string, clientIds: string[], token: string, now: Date): Promise<string> {
  const issuer = `https://${providerName}`;
  return verifyJwtLogin(token, {
    issuers: [issuer],
    audiences: clientIds,
    keys: async () => clients.keys.ofIssuer(providerName, issuer),
    now,
  });
}
