// Starts the servers under test as child processes. Ours is started exactly as `npm start` starts it
// (`node [flags] dist/cli.js …`, after `npm run build`, which `npm run bench` runs first), with throttling off and warn-level logs so that neither the rate limiter nor
// log volume decides the figures.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AwsCredentialIdentity } from '@smithy/types';

let cli = new URL('../../dist/cli.js', import.meta.url).pathname;

/**
 * Benches another build of the server with this bench's load (`npm run bench -- --server <tree>/dist/cli.js`),
 * so that two releases are measured by the same load code in one sitting.
 */
export function benchServerBuild(path: string): void {
  cli = path;
}
const PACKAGE_JSON = new URL('../../package.json', import.meta.url).pathname;

/**
 * The node flags `npm start` passes before dist/cli.js, read from package.json so the servers
 * under test keep starting exactly as `npm start` starts them if that script changes.
 */
export function npmStartNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  const words = start.trim().split(/\s+/);
  const script = words.indexOf('dist/cli.js');
  if (words[0] !== 'node' || script === -1) throw new Error(`npm start is '${start}'; the bench knows how to follow 'node [flags] dist/cli.js [args]' only`);
  return words.slice(1, script);
}
const BARE = new URL('../bare-server.ts', import.meta.url).pathname;

export const SERVER_FLAGS = ['--rate-limit', '0', '--log-level', 'warn'];

export interface DeveloperKey extends AwsCredentialIdentity {
  accountId: string;
}

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn until the process printed its listening line. */
  listeningAfterMs: number;
  spawnedAt: number;
  /** Everything the process printed so far (logs at warn level and above), for explaining a failure. */
  output(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now, so requests can be signed for it before the server exists. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface ChildOptions {
  /** A command node runs under (e.g. `valgrind --tool=callgrind …`): its first word is spawned, with node after it. */
  wrapper?: string[];
  startTimeoutMs?: number;
}

async function startChild(args: string[], env: NodeJS.ProcessEnv, port: number, options: ChildOptions = {}): Promise<ServerProcess> {
  const spawnedAt = performance.now();
  const [command, ...wrapperArgs] = options.wrapper ?? [process.execPath];
  const child = spawn(command!, options.wrapper ? [...wrapperArgs, process.execPath, ...args] : args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listeningAfterMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${startTimeoutMs / 1000}s\n${out}\n${err}`)), startTimeoutMs);
    const check = () => {
      if (!/listening on http/.test(out)) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(performance.now() - spawnedAt);
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${out}\n${err}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    child,
    listeningAfterMs,
    spawnedAt,
    output: () => out + err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface OurServerOptions {
  dataDir: string;
  developer: DeveloperKey;
  port?: number;
  /** Flags for node itself, before the script (e.g. --cpu-prof). */
  nodeFlags?: string[];
  extraArgs?: string[];
  /** Runs node under this command (see ChildOptions), given more time to start. */
  wrapper?: string[];
}

export async function startOurServer(options: OurServerOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COGNITO_SYNC_ACCESS_KEY_ID: options.developer.accessKeyId,
    COGNITO_SYNC_SECRET_ACCESS_KEY: options.developer.secretAccessKey,
    COGNITO_SYNC_ACCOUNT_ID: options.developer.accountId,
  };
  const args = [...npmStartNodeFlags(), ...(options.nodeFlags ?? []), cli, '--port', String(port), '--data-dir', options.dataDir, ...SERVER_FLAGS, ...(options.extraArgs ?? [])];
  return startChild(args, env, port, options.wrapper ? { wrapper: options.wrapper, startTimeoutMs: 300_000 } : {});
}

export interface FixedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A bare node:http server answering every request with `response`: the machine's own ceiling. */
export async function startBareServer(response: FixedResponse, nodeFlags: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  return startChild([...nodeFlags, BARE, String(port), JSON.stringify(response)], process.env, port);
}
