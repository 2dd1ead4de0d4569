// One wording for every failure the console shows: the server's error name and message (both AWS-shaped), with a
// sentence saying what it means for the operator where the name alone would not.
const HINTS: Record<string, string> = {
  UnrecognizedClientException: 'The server does not know this access key ID.',
  InvalidSignatureException: 'The secret access key does not match the access key ID (or the clock of this computer is off by more than 15 minutes).',
  MissingAuthenticationTokenException: 'The request was not signed.',
  NotImplementedException: 'This server does not implement this operation yet.',
  ResourceConflictException: 'The dataset changed since it was read (a device synced in between). Nothing was written; reload and try again.',
  ResourceNotFoundException: 'It does not exist (any more), or it belongs to another account.',
  TooManyRequestsException: 'The server is throttling this account; wait a moment and try again.',
  LimitExceededException: 'A quota of the server would be exceeded.',
  NotAuthorizedException: 'This key may not do that.',
  AccessDeniedException: 'This key may not do that.',
  InvalidParameterException: 'The server refused a value.',
  TypeError: 'The server could not be reached.',
};

export interface ErrorShape {
  name: string;
  message: string;
  status?: number;
  hint?: string;
}

export function describeError(error: unknown): ErrorShape {
  const e = error as { name?: string; message?: string; status?: number; $metadata?: { httpStatusCode?: number } };
  const name = e?.name && e.name !== 'Error' ? e.name : 'Error';
  const status = e?.status ?? e?.$metadata?.httpStatusCode;
  return { name, message: e?.message || String(error), status, hint: HINTS[name] };
}

export const isConflict = (error: unknown) => describeError(error).name === 'ResourceConflictException';
