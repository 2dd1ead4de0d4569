// One request, one path: throttle by client → route → read → authenticate → throttle by account → parse and
// validate → authorize → handler → serialize. Errors from anywhere are values with a code, serialized once at the end.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { authorize, callerRule } from './auth/operation-rules.ts';
import type { CredentialResolver, Principal } from './auth/principal.ts';
import { hasSignature, verifySignature } from './auth/sigv4-verify.ts';
import type { Throttle } from './auth/throttle.ts';
import { clientAddressResolver } from './http/client-address.ts';
import { readBody } from './http/read-body.ts';
import type { ServiceModel } from './model/types.ts';
import { declaredErrorCodes, ServiceError, unservedOperation } from './protocol/errors.ts';
import { parseInput } from './protocol/parse-input.ts';
import { isFormContentType, parseFormBody, parseQueryString } from './protocol/query-string.ts';
import { type Router, RoutingError } from './protocol/router.ts';
import { serializeOperationOutput, writeError, writeSuccess } from './protocol/serialize.ts';
import { InputWalker } from './protocol/shape-walk.ts';
import type { ServiceHandlers } from './services/context.ts';

export interface PipelineOptions {
  router: Router;
  /** Handlers by signing name (`cognito-sync`, `cognito-identity`). */
  handlers: Map<string, ServiceHandlers>;
  credentials: CredentialResolver;
  throttle: Throttle;
  /** The address a request's client is throttled under (X-Forwarded-For as far as proxies are trusted);
   *  the socket's peer by default. */
  clientAddress?: (req: IncomingMessage) => string;
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
  const clientAddress = options.clientAddress ?? clientAddressResolver(undefined);
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
      // Before the body is read or a signature checked: what a flood costs is this one bucket lookup, whatever
      // it sends, bad signatures and unsigned calls alike.
      await options.throttle.take('client', clientAddress(req));
      // A query protocol POST names its operation in its form body, so that body is read before routing; any other
      // request is routed first, so a body that never arrives is still counted under its operation.
      const form = isFormContentType(req.headers['content-type']);
      const formBody = form ? await readBody(req, options.maxBodyBytes) : undefined;
      const params = formBody ? new Map([...query, ...parseFormBody(formBody)]) : query;
      const route = options.router.route({ method: req.method ?? 'GET', path: rawPath, target: Array.isArray(target) ? target[0] : target, params, form });
      model = route.service;
      operation = route.operation.name;
      const body = formBody ?? (await readBody(req, options.maxBodyBytes));
      // Before any signature check, so a caller learns first that the operation is not served at all.
      const handlers = options.handlers.get(model.signingName) ?? {};
      const handler = handlers[operation];
      if (!handler) throw unservedOperation(model, operation, Object.keys(handlers));

      const rule = callerRule(model, route.operation);
      let principal: Principal = { kind: 'anonymous' };
      if (hasSignature(req.headers, query)) {
        const signer = await verifySignature(
          { method: req.method ?? 'GET', rawPath, query, headers: req.headersDistinct, body },
          { service: model.signingName, region: options.region, now: new Date() },
          options.credentials,
        );
        principal = signer.principal;
      } else if (rule !== 'anyone') {
        throw new ServiceError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
      }
      if (principal.kind !== 'anonymous') await options.throttle.take('account', principal.accountId);

      const walker = walkers.get(model)!;
      const input = parseInput(route, walker, query, req.headers, body);
      if (route.operation.input) walker.validate(route.operation.input, input);
      authorize(rule, principal, input);

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
      writeSuccess(res, model, status, requestId, serializeOperationOutput(model, route.operation, output, requestId, outputOptions));
    } catch (thrown) {
      let error: ServiceError;
      if (thrown instanceof ServiceError) {
        error = thrown;
        if (thrown instanceof RoutingError && thrown.service) model = thrown.service;
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
