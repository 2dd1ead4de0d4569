// Google (`SupportedLoginProviders["accounts.google.com"]` = the app's OAuth client id): a Google ID token, verified
// with the keys Google's discovery document names. (An app with several client ids names Google as an OpenID
// Connect provider instead, with the ids as its audiences, as on AWS.)
import { verifyJwtLogin } from './jwt-login.ts';
import type { ProviderClients } from './provider-clients.ts';

export const GOOGLE = 'accounts.google.com';
const ISSUER = 'https://accounts.google.com';

export function verifyGoogleLogin(clients: ProviderClients, clientIds: string[], token: string, now: Date): Promise<string> {
  return verifyJwtLogin(token, {
    // Google signs ID tokens with either form of its issuer.
    issuers: [ISSUER, GOOGLE],
    audiences: clientIds,
    keys: async () => clients.keys.ofIssuer(GOOGLE, ISSUER),
    now,
  });
}
