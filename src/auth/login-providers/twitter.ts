// Twitter (`SupportedLoginProviders["api.twitter.com"]` = `consumerKey;consumerSecret`): the login is the user's
// `accessToken;accessTokenSecret`, proven by an OAuth 1.0a-signed account/verify_credentials call. The request is
// signed for Twitter's real URL, whatever endpoint override carries it, as a mirror forwards it unchanged.
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { invalidLoginToken, unsupportedProvider } from './login-errors.ts';
import type { ProviderClients } from './provider-clients.ts';

export const TWITTER = 'api.twitter.com';
const VERIFY_CREDENTIALS = 'https://api.twitter.com/1.1/account/verify_credentials.json';

function pair(text: string): [string, string] | undefined {
  const at = text.indexOf(';');
  if (at <= 0 || at === text.length - 1) return undefined;
  return [text.slice(0, at), text.slice(at + 1)];
}

export async function verifyTwitterLogin(clients: ProviderClients, consumer: string, token: string): Promise<string> {
  const consumerPair = pair(consumer.trim());
  if (!consumerPair) {
    clients.logger.warn({ provider: TWITTER }, "the pool's api.twitter.com setting is not 'consumerKey;consumerSecret'");
    throw unsupportedProvider();
  }
  const tokenPair = pair(token);
  if (!tokenPair) throw invalidLoginToken("Twitter logins must be 'accessToken;accessTokenSecret'.");
  const oauth = new OAuth({
    consumer: { key: consumerPair[0], secret: consumerPair[1] },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  const signed = oauth.toHeader(oauth.authorize({ url: VERIFY_CREDENTIALS, method: 'GET' }, { key: tokenPair[0], secret: tokenPair[1] }));
  const response = await clients.http.get(TWITTER, VERIFY_CREDENTIALS, { authorization: signed.Authorization });
  const user = response.body as { id_str?: unknown; errors?: Array<{ message?: unknown }> } | undefined;
  if (response.status === 200 && typeof user?.id_str === 'string' && user.id_str !== '') return user.id_str;
  const reason = typeof user?.errors?.[0]?.message === 'string' ? user.errors[0].message : `verify_credentials answered ${response.status}`;
  throw invalidLoginToken(`Twitter did not accept the token: ${reason}`);
}
