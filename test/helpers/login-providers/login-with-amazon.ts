// A stand-in for Login with Amazon's token API: `/auth/o2/tokeninfo?access_token=` says which app and client a
// token was issued to and for which user; `/user/profile`, read with `Authorization: bearer <token>`, returns the
// user's profile. Bad tokens get LWA's `invalid_token` errors.
import { randomBytes } from 'node:crypto';
import { type StandInAnswer, type StandInRequest, StandInServer } from './stand-in-server.ts';

interface Grant {
  userId: string;
  appId: string;
  clientId: string;
}

export class LoginWithAmazonStandIn extends StandInServer {
  private readonly tokens = new Map<string, Grant>();

  /** An access token (`Atza|…`) of `userId` for the app `appId`. */
  issueToken(userId: string, appId: string, clientId = `amzn1.application-oa2-client.${appId.slice(-8)}`): string {
    const token = `Atza|${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { userId, appId, clientId });
    return token;
  }

  protected answer(request: StandInRequest): StandInAnswer {
    if (request.path === '/auth/o2/tokeninfo') {
      const grant = this.tokens.get(request.query.get('access_token') ?? '');
      if (!grant) return { status: 400, body: { error: 'invalid_token', error_description: 'The request has an invalid parameter : access_token' } };
      return { status: 200, body: { iss: 'https://www.amazon.com', user_id: grant.userId, aud: grant.clientId, app_id: grant.appId, exp: 3597, iat: Math.floor(Date.now() / 1000) } };
    }
    if (request.path === '/user/profile') {
      const token = /^bearer (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
      const grant = token === undefined ? undefined : this.tokens.get(token);
      if (!grant) return { status: 401, body: { error: 'invalid_token', error_description: 'The access token provided is expired, revoked, malformed, or invalid' } };
      return { status: 200, body: { user_id: grant.userId, name: 'Test User', email: 'user@example.com' } };
    }
    return { status: 404, body: { error: 'not_found' } };
  }
}
