import type { ServerResponse } from 'node:http';
import type { OpenIdTokens } from '../auth/open-id-tokens.ts';

/** GET /.well-known/jwks.json: the public keys that verify the OpenID tokens this server issues. */
export function answerJwks(res: ServerResponse, tokens: OpenIdTokens) {
  const text = JSON.stringify(tokens.jwks());
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    // The key pair never changes for a deployment; verifiers may cache it briefly.
    'Cache-Control': 'public, max-age=300',
  });
  res.end(text);
}
