// The source: AWS's Cognito Identity and Cognito Sync (or any endpoint that speaks them), through the official
// SDK clients with the standard credential chain. Cognito throttles its control-plane calls hard
// (TooManyRequestsException); the SDK's adaptive retry mode both retries those with backoff and slows the
// client's own sending rate while they keep coming, which is what a long copy needs.
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoSyncClient } from '@aws-sdk/client-cognito-sync';

/** Attempts per call. AWS_MAX_ATTEMPTS (or max_attempts in the profile) overrides it, as in any SDK. */
const DEFAULT_MAX_ATTEMPTS = 10;

export interface SourceCallStats {
  /** Calls made (each counted once, however many attempts it took). */
  calls: number;
  /** Extra attempts the SDK made after throttling or transient errors. */
  retries: number;
}

export interface Source {
  identity: CognitoIdentityClient;
  sync: CognitoSyncClient;
  stats: SourceCallStats;
  /** Awaits one SDK call, counting it and its retries. */
  call<T extends { $metadata: { attempts?: number } }>(response: Promise<T>): Promise<T>;
  describe: string;
  close(): void;
}

export function openSource(options: { region: string; endpointUrl?: string }, env: NodeJS.ProcessEnv = process.env): Source {
  const configured = env.AWS_MAX_ATTEMPTS !== undefined;
  const clientConfig = {
    region: options.region,
    endpoint: options.endpointUrl,
    retryMode: 'adaptive',
    ...(configured ? {} : { maxAttempts: DEFAULT_MAX_ATTEMPTS }),
  };
  const stats: SourceCallStats = { calls: 0, retries: 0 };
  const identity = new CognitoIdentityClient(clientConfig);
  const sync = new CognitoSyncClient(clientConfig);
  return {
    identity,
    sync,
    stats,
    async call(response) {
      stats.calls += 1;
      try {
        const result = await response;
        stats.retries += Math.max(0, (result.$metadata.attempts ?? 1) - 1);
        return result;
      } catch (error) {
        stats.retries += Math.max(0, ((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1);
        throw error;
      }
    },
    describe: `${options.region}${options.endpointUrl ? ` at ${options.endpointUrl}` : ''}`,
    close() {
      identity.destroy();
      sync.destroy();
    },
  };
}
