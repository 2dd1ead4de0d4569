// Browser apps (amazon-cognito-js, the SDK for JavaScript in a page) call Cognito Sync and Cognito Identity
// cross-origin, as they do on AWS: every answer allows any origin (requests are authorized by their
// signature, not by cookies), and preflights are answered here, before the pipeline.
import type { IncomingMessage, ServerResponse } from 'node:http';

const EXPOSED = 'x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date';
const MAX_AGE_SECONDS = '86400';

export function applyCors(_req: IncomingMessage, res: ServerResponse) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
}

/** Answers a CORS preflight; returns false for any other request. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  res.writeHead(200, {
    'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
    'Access-Control-Max-Age': MAX_AGE_SECONDS,
    'Content-Length': 0,
  });
  res.end();
  return true;
}
