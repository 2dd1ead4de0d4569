// Google (`SupportedLoginProviders["accounts.google.com"]` = the app's OAuth client id, or several separated by
// commas): a Google ID token, verified with the keys Google's discovery document names.
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
