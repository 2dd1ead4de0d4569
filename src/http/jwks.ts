import type { ServerResponse } from 'node:http';
import type { OpenIdTokens } from '../auth/open-id-tokens.ts';
import { writeJson } from './json-response.ts';

/** GET /.well-known/jwks.json: the public keys that verify the OpenID tokens this server issues. */
export function answerJwks(res: ServerResponse, tokens: OpenIdTokens) {
  // The key pair never changes for a deployment; verifiers may cache it briefly.
  writeJson(res, 200, tokens.jwks(), { 'Cache-Control': 'public, max-age=300' });
}
