// Invokes a pool's sync trigger function through the official Lambda client, configured the standard AWS
// SDK way: credentials from the default chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, container or instance
// roles), endpoint from AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL when set. The region is the function
// ARN's own: Lambda runs a function only in its region. One attempt, no retries: the function may have side
// effects (issuing an award), and a throttled sync is the device's to retry (AWS: LambdaThrottledException,
// "retry the sync operation"). What the invocation came to is returned as a value; the service layer words
// the Cognito Sync error.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from 'pino';
import { Lazy } from './lazy-load.ts';

export type SyncTriggerInvocation =
  /** The function ran and returned `payload` (still to be checked against the event's shape). */
  | { outcome: 'returned'; payload: string }
  /** The function ran and failed (X-Amz-Function-Error): it threw, timed out inside Lambda, or crashed. */
  | { outcome: 'function-error'; message: string }
  /** Lambda throttled the invocation (429 TooManyRequestsException). */
  | { outcome: 'throttled'; message: string }
  /** No answer within the time allowed. */
  | { outcome: 'timed-out'; timeoutMs: number }
  /** Lambda refused the invocation (4xx: no such function, not allowed, payload too large…). */
  | { outcome: 'refused'; code: string; message: string }
  /** Lambda could not be reached or failed itself (5xx, network, no credentials). */
  | { outcome: 'unavailable'; message: string };

export interface SyncTriggerInvoker {
  invoke(functionArn: string, event: unknown, timeoutMs: number): Promise<SyncTriggerInvocation>;
}

const ARN_REGION = /^arn:[^:]*:lambda:([^:]+):/;

type LambdaSdk = typeof import('@aws-sdk/client-lambda');

export class LambdaSyncTrigger implements SyncTriggerInvoker {
  // Loaded on the first invocation: ~30 MB and ~45 ms of start-up that servers without triggers never pay.
  private readonly sdk: Lazy<LambdaSdk>;
  private readonly clients = new Map<string, LambdaClient>();
  private readonly logger: Logger;
  /** Used only when an ARN carries no region (SetCognitoEvents accepts full ARNs, so normally never). */
  private readonly fallbackRegion: string;

  /** `loadSdk` is replaceable for tests of a failed load. */
  constructor(options: { logger: Logger; fallbackRegion: string; loadSdk?: () => Promise<LambdaSdk> }) {
    this.logger = options.logger;
    this.fallbackRegion = options.fallbackRegion;
    this.sdk = new Lazy(options.loadSdk ?? (() => import('@aws-sdk/client-lambda')));
  }

  private clientFor(sdk: LambdaSdk, functionArn: string): LambdaClient {
    const region = ARN_REGION.exec(functionArn)?.[1] ?? this.fallbackRegion;
    let client = this.clients.get(region);
    if (!client) this.clients.set(region, (client = new sdk.LambdaClient({ region, maxAttempts: 1 })));
    return client;
  }

  async invoke(functionArn: string, event: unknown, timeoutMs: number): Promise<SyncTriggerInvocation> {
    const result = await this.call(functionArn, event, timeoutMs);
    if (result.outcome !== 'returned') this.logger.warn({ functionArn, ...result }, 'sync trigger invocation failed');
    return result;
  }

  private async call(functionArn: string, event: unknown, timeoutMs: number): Promise<SyncTriggerInvocation> {
    // The device is waiting on its UpdateRecords: one deadline over the whole call, connecting included.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const sdk = await this.sdk.get();
      const output = await this.clientFor(sdk, functionArn).send(
        new sdk.InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
        { abortSignal: deadline },
      );
      const payload = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
      if (output.FunctionError) return { outcome: 'function-error', message: functionErrorMessage(output.FunctionError, payload) };
      return { outcome: 'returned', payload };
    } catch (thrown) {
      if (deadline.aborted) return { outcome: 'timed-out', timeoutMs };
      const error = thrown as Error & { $metadata?: { httpStatusCode?: number }; Message?: string };
      const message = error.message || error.Message || error.name;
      if (error.name === 'TooManyRequestsException') return { outcome: 'throttled', message };
      const status = error.$metadata?.httpStatusCode;
      if (status !== undefined && status >= 400 && status < 500) return { outcome: 'refused', code: error.name, message };
      return { outcome: 'unavailable', message: `${error.name}: ${message}` };
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

/** Lambda's error payload is `{errorMessage, errorType, …}` from every managed runtime; anything else is shown as is. */
function functionErrorMessage(kind: string, payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') {
      return `${kind}: ${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${parsed.errorMessage}`;
    }
  } catch {
    // Not JSON: fall through and show the raw text.
  }
  return `${kind}: ${payload.slice(0, 256)}`;
}
