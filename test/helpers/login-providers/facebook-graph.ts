// A stand-in for Facebook's Graph API, as much as a client without the app secret uses: `/app` and `/me` read
// with a user access token. Tokens are opaque strings handed out here for a user of an app; unknown or revoked
// ones get the Graph API's OAuthException (code 190), as Facebook answers them.
import { randomBytes } from 'node:crypto';
import { type StandInAnswer, type StandInRequest, StandInServer } from './stand-in-server.ts';

const invalidToken = {
  status: 400,
  body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'AbCdEf' } },
};

export class FacebookGraphStandIn extends StandInServer {
  private readonly tokens = new Map<string, { userId: string; appId: string }>();

  /** A user access token (`EAA…`, as Facebook's look) of `userId` for the app `appId`. */
  issueToken(userId: string, appId: string): string {
    const token = `EAA${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { userId, appId });
    return token;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  protected answer(request: StandInRequest): StandInAnswer {
    const grant = this.tokens.get(request.query.get('access_token') ?? '');
    if (request.method !== 'GET') return { status: 400, body: { error: { message: 'Unsupported method', type: 'GraphMethodException', code: 100 } } };
    if (request.path === '/app' || request.path === '/me') {
      if (!grant) return invalidToken;
      return { status: 200, body: request.path === '/app' ? { id: grant.appId } : { id: grant.userId } };
    }
    return { status: 400, body: { error: { message: `Unknown path components: ${request.path}`, type: 'OAuthException', code: 2500 } } };
  }
}
