// How an error reads in a problem line: the AWS error code with its message (`TooManyRequestsException: …`),
// or the message alone.
export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : String(e.message ?? error);
}
