// A stand-in for Twitter's account/verify_credentials, which checks an OAuth 1.0a signature (RFC 5849, HMAC-SHA1)
// the way Twitter does: over the method, Twitter's own URL and the sorted parameters, with the consumer secret
// and the token secret. Written from the RFC, independently of the library the server signs with.
import { createHmac, randomBytes } from 'node:crypto';
import { type StandInAnswer, type StandInRequest, StandInServer } from './stand-in-server.ts';

const REAL_URL = 'https://api.twitter.com/1.1/account/verify_credentials.json';
const couldNotAuthenticate = { status: 401, body: { errors: [{ code: 32, message: 'Could not authenticate you.' }] } };

/** RFC 5849 3.6: percent-encode everything but unreserved characters. */
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class TwitterStandIn extends StandInServer {
  private readonly consumers = new Map<string, string>();
  private readonly tokens = new Map<string, { secret: string; consumerKey: string; userId: string }>();

  /** Registers an app; returns the pool setting `consumerKey;consumerSecret`. */
  addApp(): string {
    const key = randomBytes(12).toString('hex');
    const secret = randomBytes(20).toString('hex');
    this.consumers.set(key, secret);
    return `${key};${secret}`;
  }

  /** A user's `accessToken;accessTokenSecret` for the app. */
  issueToken(userId: string, app: string): string {
    const token = `${userId}-${randomBytes(12).toString('hex')}`;
    const secret = randomBytes(20).toString('hex');
    this.tokens.set(token, { secret, consumerKey: app.split(';')[0]!, userId });
    return `${token};${secret}`;
  }

  protected answer(request: StandInRequest): StandInAnswer {
    if (request.path !== '/1.1/account/verify_credentials.json') return { status: 404, body: { errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] } };
    const header = String(request.headers.authorization ?? '');
    if (!header.startsWith('OAuth ')) return { status: 400, body: { errors: [{ code: 215, message: 'Bad Authentication data.' }] } };
    const oauth = new Map<string, string>();
    for (const [, name, value] of header.slice(6).matchAll(/([\w]+)="([^"]*)"/g)) oauth.set(name!, decodeURIComponent(value!));
    const consumerSecret = this.consumers.get(oauth.get('oauth_consumer_key') ?? '');
    const token = this.tokens.get(oauth.get('oauth_token') ?? '');
    if (consumerSecret === undefined || !token || token.consumerKey !== oauth.get('oauth_consumer_key')) return couldNotAuthenticate;
    if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1' || oauth.get('oauth_version') !== '1.0') return couldNotAuthenticate;
    if (Math.abs(Number(oauth.get('oauth_timestamp')) - Date.now() / 1000) > 300) return couldNotAuthenticate;
    const parameters = [...oauth].filter(([name]) => name !== 'oauth_signature');
    for (const [name, value] of request.query) parameters.push([name, value]);
    const normalized = parameters
      .map(([n, v]) => [encode(n), encode(v)] as const)
      .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
      .map(([n, v]) => `${n}=${v}`)
      .join('&');
    const base = `${request.method}&${encode(REAL_URL)}&${encode(normalized)}`;
    const expected = createHmac('sha1', `${encode(consumerSecret)}&${encode(token.secret)}`).update(base).digest('base64');
    if (expected !== oauth.get('oauth_signature')) return couldNotAuthenticate;
    return { status: 200, body: { id: Number(token.userId), id_str: token.userId, screen_name: `user${token.userId}` } };
  }
}
