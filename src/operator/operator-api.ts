// The operator endpoint: what the console and the backup command need that the AWS API has no operation for
// (server and store health, outbox depth, streams turned off, an online backup). Two JSON operations under
// /operator/, each a POST signed with SigV4 by a developer key exactly as an AWS request is (signing name
// `cognito-sync-operator`), verified by the same code as every AWS request; identity credentials, unsigned
// requests and unknown keys are refused with AWS-shaped errors. Never part of the unauthenticated /metrics.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CredentialResolver, Principal } from '../auth/principal.ts';
import { hasSignature, verifySignature } from '../auth/sigv4-verify.ts';
import type { Throttle } from '../auth/throttle.ts';
import { readBody } from '../http/read-body.ts';
import { ServiceError } from '../protocol/errors.ts';
import { parseQueryString } from '../protocol/query-string.ts';
import { writeError } from '../protocol/serialize.ts';
import type { Store } from '../store/store.ts';
import { BackupRunner } from './backup-runner.ts';
import { collectStatus, type ServerFacts } from './status.ts';

export const OPERATOR_PATH_PREFIX = '/operator/';
/** The SigV4 service name operator requests are signed for (the credential scope's fourth part). */
export const OPERATOR_SIGNING_NAME = 'cognito-sync-operator';
const MAX_BODY_BYTES = 64 * 1024;

export interface OperatorApiOptions {
  store: Store;
  credentials: CredentialResolver;
  /** The API's throttle, applied as src/pipeline.ts applies it: by client before verification, then by account. */
  throttle: Throttle;
  clientAddress: (req: IncomingMessage) => string;
  region: string;
  dataDir: string;
  facts: ServerFacts;
  logger: Logger;
}

export interface OperatorApi {
  /** Answers `req` when its path is under /operator/; false otherwise. */
  answer(req: IncomingMessage, res: ServerResponse): boolean;
  /** Waits for a backup in progress, so the store it reads is not closed under it. */
  close(): Promise<void>;
}

const OPERATIONS = ['status', 'backup'] as const;
type Operation = (typeof OPERATIONS)[number];

export function createOperatorApi(options: OperatorApiOptions): OperatorApi {
  const backups = new BackupRunner(options.store, options.dataDir, options.logger);

  async function handle(req: IncomingMessage, res: ServerResponse, rawPath: string, query: string) {
    const requestId = randomUUID();
    try {
      const operation = rawPath.slice(OPERATOR_PATH_PREFIX.length) as Operation;
      if (!OPERATIONS.includes(operation)) {
        throw new ServiceError('UnknownOperationException', `No operator operation at ${rawPath}: POST /operator/status or /operator/backup`);
      }
      if (req.method !== 'POST') {
        throw new ServiceError('UnknownOperationException', `${rawPath} answers POST only, not ${req.method}`, { status: 405 });
      }
      await options.throttle.take('client', options.clientAddress(req));
      const body = await readBody(req, MAX_BODY_BYTES);
      const principal = await authenticate(req, rawPath, query, body);
      await options.throttle.take('account', principal.accountId);
      if (body.length > 0) parseJsonObject(body);
      if (operation === 'status') {
        const status = await collectStatus(options.store, principal.accountId, options.facts);
        const text = JSON.stringify(status);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId, 'Cache-Control': 'no-store' });
        res.end(text);
        return;
      }
      await backups.run(res, requestId, principal);
    } catch (thrown) {
      let error: ServiceError;
      if (thrown instanceof ServiceError) error = thrown;
      else {
        options.logger.error({ requestId, err: thrown }, 'operator request failed');
        error = new ServiceError('InternalErrorException', `An internal error occurred. Request id: ${requestId}`, { status: 500 });
      }
      writeError(res, undefined, requestId, error);
    }
  }

  async function authenticate(req: IncomingMessage, rawPath: string, queryText: string, body: Buffer): Promise<Extract<Principal, { kind: 'developer' }>> {
    const query = parseQueryString(queryText);
    if (!hasSignature(req.headers, query)) {
      throw new ServiceError('MissingAuthenticationTokenException', 'Operator requests must be signed with a developer key (SigV4)');
    }
    const { principal } = await verifySignature(
      { method: req.method ?? 'POST', rawPath, query, headers: req.headersDistinct, body },
      { service: OPERATOR_SIGNING_NAME, region: options.region, now: new Date() },
      options.credentials,
    );
    if (principal.kind !== 'developer') {
      throw new ServiceError('AccessDeniedException', 'The operator endpoint takes developer credentials only; identity credentials are refused');
    }
    return principal;
  }

  return {
    answer(req, res) {
      const url = req.url ?? '/';
      const queryStart = url.indexOf('?');
      const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
      if (!rawPath.startsWith(OPERATOR_PATH_PREFIX)) return false;
      void handle(req, res, rawPath, queryStart === -1 ? '' : url.slice(queryStart + 1));
      return true;
    },
    close: () => backups.idle(),
  };
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON', { status: 400 });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ServiceError('SerializationException', 'The request body must be a JSON object', { status: 400 });
  }
  return value as Record<string, unknown>;
}
