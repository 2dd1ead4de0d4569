// Login with Amazon (`SupportedLoginProviders["www.amazon.com"]` = the app id): an LWA access token. LWA's
// tokeninfo says which app (and client) the token was issued to and for which user; the profile, read with the
// token itself, confirms the user.
import { invalidLoginToken } from './login-errors.ts';
import type { ProviderClients } from './provider-clients.ts';
import type { ProviderResponse } from './provider-http.ts';

export const AMAZON = 'www.amazon.com';
const LWA_API = 'https://api.amazon.com';

function refused(response: ProviderResponse, what: string): never {
  const body = response.body as { error?: unknown; error_description?: unknown } | undefined;
  const reason = typeof body?.error_description === 'string' ? body.error_description : typeof body?.error === 'string' ? body.error : `${what} answered ${response.status}`;
  throw invalidLoginToken(`Login with Amazon did not accept the token: ${reason}`);
}

export async function verifyAmazonLogin(clients: ProviderClients, appId: string, token: string): Promise<string> {
  const info = await clients.http.get(AMAZON, `${LWA_API}/auth/o2/tokeninfo?access_token=${encodeURIComponent(token)}`);
  const claims = info.body as { app_id?: unknown; aud?: unknown; user_id?: unknown } | undefined;
  if (info.status !== 200 || typeof claims?.user_id !== 'string') refused(info, 'tokeninfo');
  // The pool names the app id (amzn1.application.…); an app's client id (amzn1.application-oa2-client.…) is accepted too.
  if (claims.app_id !== appId.trim() && claims.aud !== appId.trim()) throw invalidLoginToken('Incorrect token audience.');
  const profile = await clients.http.get(AMAZON, `${LWA_API}/user/profile`, { authorization: `bearer ${token}` });
  const userId = (profile.body as { user_id?: unknown } | undefined)?.user_id;
  if (profile.status !== 200 || typeof userId !== 'string') refused(profile, 'profile');
  if (userId !== claims.user_id) throw invalidLoginToken('Login with Amazon named two different users for the token.');
  return userId;
}
