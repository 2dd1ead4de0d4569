// Errors are values with a code. Anything thrown on a request's path is turned into an AWS-shaped
// response in exactly one place (serialize.ts); a status given here overrides the model's. Codes are typed:
// a code no model defines and no AWS service shares is a compile error.
import type { ModelErrorCode } from '../model/error-codes.ts';
import type { OperationModel, ServiceModel } from '../model/types.ts';

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options: { status?: number; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status;
    this.headers = options.headers;
  }
}

/** Errors common to all AWS services (not in the service models); status as AWS answers them. */
const COMMON_ERRORS = {
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
  InvalidSignatureException: 403,
  SignatureDoesNotMatch: 403,
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403,
  InvalidClientTokenId: 403,
  AccessDeniedException: 403,
  SerializationException: 400,
  UnknownOperationException: 404,
  RequestEntityTooLargeException: 413,
  RequestHeaderFieldsTooLarge: 431,
  ThrottlingException: 400,
  NotImplementedException: 501,
  ServiceUnavailableException: 503,
  // The AWS query protocol's common errors (STS): its validation failures, unknown actions, refused role trust.
  ValidationError: 400,
  InvalidAction: 400,
  MissingAction: 400,
  AccessDenied: 403,
} as const;

export type CommonErrorCode = keyof typeof COMMON_ERRORS;

/**
 * Codes of our own, in no AWS model; each thrower gives its status. HTTP-level answers Node would otherwise send
 * bare (src/http/http-level-errors.ts), a client that left mid-body (never sent: counted as 499), and the
 * operator endpoint (src/operator/).
 */
type ServerErrorCode =
  | 'BadRequestException'
  | 'ExpectationFailedException'
  | 'RequestTimeoutException'
  | 'ClientClosedRequest'
  | 'UnsupportedOperationException'
  | 'BackupInProgressException';
/** A code the server may answer: one a model defines, or one common to all AWS services. */
export type ErrorCode = ModelErrorCode | CommonErrorCode | ServerErrorCode;

export const COMMON_ERROR_STATUS: Readonly<Record<string, number>> = COMMON_ERRORS;

export const invalidParameter = (message: string) => new ServiceError('InvalidParameterException', message);
export const notAuthorized = (message: string) => new ServiceError('NotAuthorizedException', message);
export const resourceNotFound = (message: string) => new ServiceError('ResourceNotFoundException', message);
export const serializationError = (message: string) => new ServiceError('SerializationException', message);
export const notImplemented = (operation: string) => new ServiceError('NotImplementedException', `${operation} is not implemented by this server yet.`);

/**
 * An operation the model routes and this server has no handler for. JSON services answer 501 NotImplemented; the
 * query protocol's own answer for an action a service does not take is InvalidAction, here naming what it does take.
 */
export function unservedOperation(model: ServiceModel, operation: string, served: readonly string[]): ServiceError {
  if (model.protocol !== 'query') return notImplemented(operation);
  return new ServiceError('InvalidAction', `${operation} is not served by this server: of ${model.signingName.toUpperCase()} it answers only ${served.join(', ')}.`);
}

const declaredCodes = new WeakMap<OperationModel, ReadonlySet<string>>();

/** The codes an operation may answer from its handler: the errors its model declares, and AWS's common ones. */
export function declaredErrorCodes(model: ServiceModel, operation: OperationModel): ReadonlySet<string> {
  let codes = declaredCodes.get(operation);
  if (!codes) {
    codes = new Set([
      ...Object.keys(COMMON_ERRORS),
      ...operation.errors.map((name) => {
        const shape = model.shapes[name];
        return shape?.type === 'structure' && shape.error ? shape.error.code : name;
      }),
    ]);
    declaredCodes.set(operation, codes);
  }
  return codes;
}
