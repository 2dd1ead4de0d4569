// The endpoints that are not AWS operations: health, readiness, metrics and the OpenID token keys.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenIdTokens } from '../auth/open-id-tokens.ts';
import type { Store } from '../store/store.ts';
import { answerHealth, answerLiveness, answerReadiness } from './health.ts';
import { answerJwks } from './jwks.ts';
import type { Metrics } from './metrics.ts';

export interface OperationalEndpoints {
  store: Store;
  metrics: Metrics;
  openIdTokens: OpenIdTokens;
  isShuttingDown(): boolean;
}

/** Answers `req` when it asks for an operational endpoint; false when it is an AWS request. */
export function answerOperationalEndpoint(req: IncomingMessage, res: ServerResponse, endpoints: OperationalEndpoints): boolean {
  if (req.method !== 'GET') return false;
  switch (req.url) {
    case '/health':
      void answerHealth(res, endpoints.store);
      return true;
    case '/health/live':
      answerLiveness(res);
      return true;
    case '/health/ready':
      void answerReadiness(res, endpoints.store, endpoints.isShuttingDown());
      return true;
    case '/metrics':
      void endpoints.metrics.answer(res);
      return true;
    case '/.well-known/jwks.json':
      answerJwks(res, endpoints.openIdTokens);
      return true;
    default:
      return false;
  }
}
