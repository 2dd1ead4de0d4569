// One request, one path: route → authenticate → throttle → parse and validate → authorize → handler →
// serialize. Errors from anywhere are values with a code, serialized once at the end.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { authorize, callerRule } from './auth/operation-rules.ts';
import type { CredentialResolver, Principal } from './auth/principal.ts';
import { hasSignature, verifySignature } from './auth/sigv4-verify.ts';
import type { Throttle } from './auth/throttle.ts';
import { readBody } from './http/read-body.ts';
import type { ServiceModel } from './model/types.ts';
import { declaredErrorCodes, notImplemented, ServiceError } from './protocol/errors.ts';
import { parseInput } from './protocol/parse-input.ts';
import { parseQueryString } from './protocol/query-string.ts';
import type { Router } from './protocol/router.ts';
import { serializeOutput, writeError, writeSuccess } from './protocol/serialize.ts';
import { InputWalker } from './protocol/shape-walk.ts';
import type { ServiceHandlers } from './services/context.ts';

export interface PipelineOptions {
  router: Router;
  /** Handlers by signing name (`cognito-sync`, `cognito-identity`). */
  handlers: Map<string, ServiceHandlers>;
  credentials: CredentialResolver;
  throttle: Throttle;
  region: string;
  maxBodyBytes: number;
  logger: Logger;
  /** Observes every finished request (metrics). */
  onFinished?: (event: { operation: string; status: number; seconds: number }) => void;
  /**
   * Under test only: an output member the model lacks, or a handler's error its operation does not declare,
   * fails the request with 500 (logged) instead of being dropped or sent, so the test that met it fails.
   */
  strictModel?: boolean;
}

export function createPipeline(options: PipelineOptions) {
  // Built now, so that a model pattern that cannot be compiled stops the start.
  const walkers = new Map(options.router.services.map((model) => [model, new InputWalker(model)]));
  const strictModel = options.strictModel === true;
  const outputOptions = { refuseUnmodelledMembers: strictModel };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
    let model: ServiceModel | undefined;
    let operation = 'Unknown';
    let status: number;
    try {
      const query = parseQueryString(queryStart === -1 ? '' : url.slice(queryStart + 1));
      const target = req.headers['x-amz-target'];
      const route = options.router.route(req.method ?? 'GET', rawPath, Array.isArray(target) ? target[0] : target);
      model = route.service;
      operation = route.operation.name;
      const body = await readBody(req, options.maxBodyBytes);

      const rule = callerRule(model, route.operation);
      let principal: Principal = { kind: 'anonymous' };
      if (hasSignature(req.headers, query)) {
        const signer = await verifySignature(
          { method: req.method ?? 'GET', rawPath, query, headers: req.headers, body },
          { service: model.signingName, region: options.region, now: new Date() },
          options.credentials,
        );
        principal = signer.principal;
      } else if (rule !== 'anyone') {
        throw new ServiceError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
      }
      await options.throttle.take(principal.kind === 'anonymous' ? `anonymous:${req.socket.remoteAddress}` : principal.accountId);

      const walker = walkers.get(model)!;
      const input = parseInput(route, walker, query, req.headers, body);
      if (route.operation.input) walker.validate(route.operation.input, input);
      authorize(rule, principal, input);

      const handler = options.handlers.get(model.signingName)?.[operation];
      if (!handler) throw notImplemented(operation);
      let output: object | void;
      try {
        output = await handler(input, { principal, requestId, region: options.region, now: new Date() });
      } catch (thrown) {
        if (strictModel && thrown instanceof ServiceError && !declaredErrorCodes(model, route.operation).has(thrown.code)) {
          throw new Error(`${operation} threw ${thrown.code}, which its model does not declare (${thrown.message})`);
        }
        throw thrown;
      }
      status = route.operation.http.responseCode;
      writeSuccess(res, model, status, requestId, serializeOutput(model, route.operation.output, output, outputOptions));
    } catch (thrown) {
      let error: ServiceError;
      if (thrown instanceof ServiceError) {
        error = thrown;
      } else {
        options.logger.error({ requestId, operation, err: thrown }, 'unexpected error');
        error = new ServiceError('InternalErrorException', `An internal error occurred. Request id: ${requestId}`, { status: 500 });
      }
      status = writeError(res, model, requestId, error);
    }
    const seconds = (performance.now() - started) / 1000;
    options.logger.info({ requestId, operation, status, durationMs: Math.round(seconds * 1e4) / 10 }, 'request');
    options.onFinished?.({ operation, status, seconds });
  };
}
