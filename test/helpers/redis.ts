// The machine's Redis for tests (shared throttling). Same rule as PostgreSQL: under CI=true a missing Redis
// fails the test; elsewhere the test is skipped with the reason.
import { Socket } from 'node:net';
import { inCi } from './postgres.ts';

export const TEST_REDIS_URL = process.env.COGNITO_SYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Undefined when Redis answers PING; otherwise why not. */
export function redisUnavailableReason(): Promise<string | undefined> {
  const url = new URL(TEST_REDIS_URL);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(3_000, () => done(`Redis at ${TEST_REDIS_URL} did not answer within 3 s`));
    socket.once('error', (error) => done(`Redis at ${TEST_REDIS_URL} does not answer (${error.message})`));
    socket.connect(Number(url.port || 6379), url.hostname, () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? undefined : `Redis at ${TEST_REDIS_URL} answered ${JSON.stringify(data.toString())}`));
  });
}

/** For `describe(name, { skip: await skipUnlessRedis() }, …)`. */
export async function skipUnlessRedis(): Promise<false | string> {
  const reason = await redisUnavailableReason();
  if (reason === undefined) return false;
  if (inCi()) throw new Error(`${reason}; CI=true requires Redis (run .ci/run, which starts it)`);
  return `${reason}; skipped outside CI`;
}
