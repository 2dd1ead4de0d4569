// Starts the real server as a child process (exactly as `npm start` does) and hands out AWS SDK v3
// clients pointed at it. Every test talks to it over HTTP.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoSyncClient } from '@aws-sdk/client-cognito-sync';
import type { AwsCredentialIdentity } from '@smithy/types';
import { databaseUrlFor, dropSchema, testSchemaName } from './postgres.ts';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

export interface DeveloperCredentials extends AwsCredentialIdentity {
  accountId: string;
}

export interface TestServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process printed on stdout so far. */
  stdout(): string;
  developer: DeveloperCredentials;
  syncClient(credentials?: AwsCredentialIdentity, region?: string): CognitoSyncClient;
  identityClient(credentials?: AwsCredentialIdentity, region?: string): CognitoIdentityClient;
  /** Sends SIGTERM and waits for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, no chance to clean up. */
  kill9(): Promise<void>;
  /** Stops the process (if running) and removes its data directory. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data directory (for restart tests); a fresh temporary one otherwise. */
  dataDir?: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Developer key to configure; a random one unless `null` (then the server generates its own). */
  developer?: DeveloperCredentials | null;
}

let keyCounter = 0;
export function newDeveloperCredentials(): DeveloperCredentials {
  keyCounter += 1;
  const suffix = `${process.pid}${keyCounter}`.padStart(12, '0').slice(-12);
  return {
    accessKeyId: `AKIATEST${suffix}`,
    secretAccessKey: `test-secret-${Math.random().toString(36).slice(2)}-${suffix}`,
    accountId: `1${suffix.slice(1)}`.padStart(12, '1'),
  };
}

export const REGION = 'us-east-1';

/** Which store servers started here use: `postgres` in `npm test`'s second pass, `sqlite` otherwise. */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.COGNITO_SYNC_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cognito-sync-test-'));
  const developer = options.developer === undefined ? newDeveloperCredentials() : options.developer;
  // Strict model: an output member or an error the model does not declare fails the request, so the test meeting it fails.
  const env: Record<string, string | undefined> = { ...process.env, COGNITO_SYNC_LOG_LEVEL: 'warn', COGNITO_SYNC_STRICT_MODEL: '1', ...options.env };
  delete env.COGNITO_SYNC_ACCESS_KEY_ID;
  delete env.COGNITO_SYNC_SECRET_ACCESS_KEY;
  delete env.COGNITO_SYNC_ACCOUNT_ID;
  if (developer) {
    env.COGNITO_SYNC_ACCESS_KEY_ID = developer.accessKeyId;
    env.COGNITO_SYNC_SECRET_ACCESS_KEY = developer.secretAccessKey;
    env.COGNITO_SYNC_ACCOUNT_ID = developer.accountId;
  }
  Object.assign(env, options.env);
  // COGNITO_SYNC_TEST_STORE=postgres (set by `npm test` for its second pass): the same tests against
  // PostgreSQL, one schema per data directory, so reusing a data directory (restart tests) reuses the data.
  const storeArgs: string[] = [];
  let ownSchema: string | undefined;
  const choosesDatabase = options.args?.includes('--database-url') || env.COGNITO_SYNC_DATABASE_URL !== undefined;
  if (process.env.COGNITO_SYNC_TEST_STORE === 'postgres' && !choosesDatabase) {
    ownSchema = testSchemaName(dataDir);
    storeArgs.push('--database-url', databaseUrlFor(ownSchema));
  }
  const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir, ...storeArgs, ...(options.args ?? [])], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 15s\nstdout: ${out}\nstderr: ${err}`)), 15_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });

  let resolvedDeveloper = developer;
  if (!resolvedDeveloper) {
    const id = /access key id:\s+(\S+)/.exec(out);
    const secret = /secret access key:\s+(\S+)/.exec(out);
    const account = /account id:\s+(\S+)/.exec(out);
    resolvedDeveloper = { accessKeyId: id?.[1] ?? '', secretAccessKey: secret?.[1] ?? '', accountId: account?.[1] ?? '' };
  }
  const dev = resolvedDeveloper;

  const clientConfig = (credentials: AwsCredentialIdentity, region: string) => ({
    region,
    endpoint: url,
    credentials,
    maxAttempts: 1,
  });

  const server: TestServer = {
    url,
    dataDir,
    child,
    stdout: () => out,
    developer: dev,
    syncClient: (credentials = dev, region = REGION) => new CognitoSyncClient(clientConfig(credentials, region)),
    identityClient: (credentials = dev, region = REGION) => new CognitoIdentityClient(clientConfig(credentials, region)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await server.kill9();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (!options.dataDir && ownSchema) await dropSchema(ownSchema);
    },
  };
  return server;
}

/** Catches the error an SDK call throws, failing if it succeeds. */
export async function errorOf(promise: Promise<unknown>): Promise<Error & { name: string; $metadata: { httpStatusCode?: number }; $response?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
