// The command line: start-up line, configuration errors, credential bootstrap, graceful stop, logs, throttling.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CreateIdentityPoolCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { GetIdentityPoolConfigurationCommand } from '@aws-sdk/client-cognito-sync';
import { errorOf, startServer, TEST_STORE } from './helpers/server.ts';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, '--port', '0', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15_000 });
}

describe('command line', { timeout: 120_000 }, () => {
  it('generates developer credentials on the first start only, keeps them 0600, and they work', async () => {
    const first = await startServer({ developer: null });
    try {
      assert.match(first.stdout(), /generated developer credentials/);
      assert.match(first.developer.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
      assert.match(first.developer.accountId, /^\d{12}$/);
      assert.ok(first.developer.secretAccessKey.length >= 40);
      const file = `${first.dataDir}/credentials`;
      assert.equal(statSync(file).mode & 0o777, 0o600);
      if (TEST_STORE === 'sqlite') assert.equal(statSync(`${first.dataDir}/cognito-sync.db`).mode & 0o777, 0o600);
      const ini = readFileSync(file, 'utf8');
      assert.match(ini, new RegExp(`aws_access_key_id = ${first.developer.accessKeyId}`));
      assert.match(ini, new RegExp(`aws_secret_access_key = ${first.developer.secretAccessKey}`));
      const pool = await first.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'boot', AllowUnauthenticatedIdentities: true }));
      await first.stop();

      const second = await startServer({ dataDir: first.dataDir, developer: null });
      try {
        assert.doesNotMatch(second.stdout(), /generated developer credentials/, 'printed once only');
        assert.match(second.stdout(), /^listening on http:\/\/127\.0\.0\.1:\d+$/m);
        const config = await second.syncClient(first.developer).send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: pool.IdentityPoolId! }));
        assert.equal(config.IdentityPoolId, pool.IdentityPoolId);
      } finally {
        await second.stop();
      }
    } finally {
      await first.dispose();
    }
  });

  it('uses configured developer credentials and generates none', async () => {
    const server = await startServer();
    try {
      assert.doesNotMatch(server.stdout(), /generated developer credentials/);
      const list = await server.identityClient().send(new ListIdentityPoolsCommand({ MaxResults: 5 }));
      assert.deepEqual(list.IdentityPools, []);
    } finally {
      await server.dispose();
    }
  });

  it('refuses bad configuration with exit code 2 and a message', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--port', 'eighty'], {}, /port must be an integer/],
      [['--no-such-flag'], {}, /no-such-flag/],
      [[], { COGNITO_SYNC_ACCESS_KEY_ID: 'AKIAONLYHALFCONFIGURED' }, /must be set together/],
      [[], { COGNITO_SYNC_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', COGNITO_SYNC_SECRET_ACCESS_KEY: 'secret-secret-secret', COGNITO_SYNC_ACCOUNT_ID: '12345' }, /12 digits/],
      [['--rate-limit', '-1'], {}, /rate-limit/],
      [['--region', 'mars'], {}, /region/],
      [['--outbox-max-attempts', '0'], {}, /outbox-max-attempts must be an integer from 1 to 100000/],
      [[], { COGNITO_SYNC_OUTBOX_MAX_ATTEMPTS: 'many' }, /outbox-max-attempts must be an integer/],
    ];
    for (const [args, env, message] of cases) {
      const result = runCli(args, env);
      assert.equal(result.status, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('exits 0 on SIGTERM after finishing', async () => {
    const server = await startServer();
    try {
      assert.equal(await server.stop(), 0);
    } finally {
      await server.dispose();
    }
  });

  it('logs one JSON line per request with its request id, operation, status and duration', async () => {
    const server = await startServer({ env: { COGNITO_SYNC_LOG_LEVEL: 'info' } });
    try {
      const error = await errorOf(server.syncClient().send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: 'us-east-1:0000' })));
      const requestId = (error as { $metadata: { requestId?: string } }).$metadata.requestId;
      assert.ok(requestId);
      let line: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && !line; i++) {
        line = server.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.requestId === requestId);
        if (!line) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(line, 'a log line carries the request id the client saw');
      assert.equal(line.operation, 'GetIdentityPoolConfiguration');
      assert.equal(line.status, 404);
      assert.equal(typeof line.durationMs, 'number');
    } finally {
      await server.dispose();
    }
  });

  it('throttles an account over its rate with 429 TooManyRequestsException, and not at all with --rate-limit 0', async () => {
    const limited = await startServer({ args: ['--rate-limit', '5'] });
    try {
      const pool = await limited.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 't', AllowUnauthenticatedIdentities: true }));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 40 }, () => limited.syncClient().send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: pool.IdentityPoolId! }))),
      );
      const throttled = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
      assert.ok(throttled.length > 0, 'some requests were throttled');
      assert.ok(outcomes.some((o) => o.status === 'fulfilled'), 'the burst allowance was served');
      for (const error of throttled) {
        assert.equal(error.name, 'TooManyRequestsException');
        assert.equal(error.$metadata.httpStatusCode, 429);
      }
    } finally {
      await limited.dispose();
    }
    const open = await startServer({ args: ['--rate-limit', '0'] });
    try {
      const pool = await open.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 't', AllowUnauthenticatedIdentities: true }));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 200 }, () => open.syncClient().send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: pool.IdentityPoolId! }))),
      );
      assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 0);
    } finally {
      await open.dispose();
    }
  });
});
