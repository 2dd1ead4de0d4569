// Sign in with Apple (`SupportedLoginProviders["appleid.apple.com"]` = the app's bundle id or services id): Apple's
// ID token, verified with the keys at https://appleid.apple.com/auth/keys.
import { verifyJwtLogin } from './jwt-login.ts';
import type { ProviderClients } from './provider-clients.ts';

export const APPLE = 'appleid.apple.com';
const ISSUER = 'https://appleid.apple.com';

export function verifyAppleLogin(clients: ProviderClients, clientIds: string[], token: string, now: Date): Promise<string> {
  return verifyJwtLogin(token, {
    issuers: [ISSUER],
    audiences: clientIds,
    keys: async () => clients.keys.atJwksUrl(APPLE, `${ISSUER}/auth/keys`),
    now,
  });
}
