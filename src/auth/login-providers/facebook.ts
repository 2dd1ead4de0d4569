// Facebook (`SupportedLoginProviders["graph.facebook.com"]` = the app id): a user access token, an opaque string
// only Facebook can read. The pool knows the app id but not its secret, so the token is checked the way a client
// of the Graph API without the secret can: `/app` names the app the token was issued to (it must be the pool's),
// `/me` names its user (the subject).
import { invalidLoginToken } from './login-errors.ts';
import type { ProviderClients } from './provider-clients.ts';
import type { ProviderResponse } from './provider-http.ts';

export const FACEBOOK = 'graph.facebook.com';
const GRAPH_API = 'https://graph.facebook.com';

/** The Graph API's error object, `{"error": {"message", "type", "code"}}`. */
function graphError(response: ProviderResponse): string | undefined {
  const error = (response.body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message : undefined;
}

function requireObjectId(response: ProviderResponse, what: string): string {
  const id = (response.body as { id?: unknown } | undefined)?.id;
  if (response.status === 200 && typeof id === 'string' && id !== '') return id;
  const reason = graphError(response);
  throw invalidLoginToken(`Facebook did not accept the token${reason ? `: ${reason}` : ` (${what} answered ${response.status})`}`);
}

export async function verifyFacebookLogin(clients: ProviderClients, appId: string, token: string): Promise<string> {
  const accessToken = `access_token=${encodeURIComponent(token)}`;
  const [app, me] = await Promise.all([
    clients.http.get(FACEBOOK, `${GRAPH_API}/app?fields=id&${accessToken}`),
    clients.http.get(FACEBOOK, `${GRAPH_API}/me?fields=id&${accessToken}`),
  ]);
  if (requireObjectId(app, '/app') !== appId.trim()) throw invalidLoginToken('Incorrect token audience.');
  return requireObjectId(me, '/me');
}
