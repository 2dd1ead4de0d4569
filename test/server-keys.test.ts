// The server keys (what seals session, sync session and pagination tokens, derives temporary credentials'
// secrets, and signs OpenID tokens): kept in the store and not made again on a restart, numbered so they can be
// rotated — the current key seals and signs, every configured key opens and verifies, a retired key's tokens
// are refused — and tokens sealed before keys had ids still open with key 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GetCredentialsForIdentityCommand } from '@aws-sdk/client-cognito-identity';
import { ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { decodeProtectedHeader } from 'jose';
import { loadConfig } from '../src/config.ts';
import { storedOrGenerated } from '../src/crypto/stored-or-generated.ts';
import { newServerSecret, TokenSealer } from '../src/crypto/token-sealer.ts';
import { openStore } from '../src/store/open-store.ts';
import { COGNITO_LOGIN, createPool, developerIdentity } from './helpers/identity-flows.ts';
import { databaseUrlFor, dropSchema, testSchemaName } from './helpers/postgres.ts';
import { newDeveloperCredentials, startServer, TEST_STORE, type TestServer } from './helpers/server.ts';

const CREATED_KEY = /created server key (\d+)/g;
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

/** Every kind of token the server issues, for one developer-authenticated user. */
async function issueTokens(server: TestServer, poolId: string, user: string) {
  const identity = await developerIdentity(server, poolId, user);
  const where = { IdentityPoolId: poolId, IdentityId: identity.identityId, DatasetName: 'keys' };
  const sync = server.syncClient(identity.credentials);
  const pulled = await sync.send(new ListRecordsCommand(where));
  await sync.send(
    new UpdateRecordsCommand({
      ...where,
      SyncSessionToken: pulled.SyncSessionToken,
      RecordPatches: [
        { Op: 'replace', Key: 'a', Value: '1', SyncCount: 0 },
        { Op: 'replace', Key: 'b', Value: '2', SyncCount: 0 },
      ],
    }),
  );
  const page = await sync.send(new ListRecordsCommand({ ...where, MaxResults: 1 }));
  assert.ok(page.NextToken && page.SyncSessionToken);
  return { identity, where, syncSessionToken: page.SyncSessionToken, nextToken: page.NextToken };
}
type Tokens = Awaited<ReturnType<typeof issueTokens>>;

/** Which of `tokens` `server` accepts, each presented where a client presents it (the sync session and page
 *  tokens under the developer key, so that only the token itself can be refused). */
async function acceptance(server: TestServer, tokens: Tokens) {
  const outcome = (call: Promise<unknown>) => call.then(() => 'accepted', (error: Error) => error.name);
  return {
    credentials: await outcome(server.syncClient(tokens.identity.credentials).send(new ListRecordsCommand(tokens.where))),
    openIdToken: await outcome(
      server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: tokens.identity.identityId, Logins: { [COGNITO_LOGIN]: tokens.identity.token } })),
    ),
    syncSessionToken: await outcome(server.syncClient().send(new ListRecordsCommand({ ...tokens.where, SyncSessionToken: tokens.syncSessionToken }))),
    nextToken: await outcome(server.syncClient().send(new ListRecordsCommand({ ...tokens.where, MaxResults: 1, NextToken: tokens.nextToken }))),
  };
}
const ALL_ACCEPTED = { credentials: 'accepted', openIdToken: 'accepted', syncSessionToken: 'accepted', nextToken: 'accepted' };
const ALL_REFUSED = {
  credentials: 'UnrecognizedClientException',
  openIdToken: 'NotAuthorizedException',
  syncSessionToken: 'InvalidParameterException',
  nextToken: 'InvalidParameterException',
};

async function jwks(server: TestServer): Promise<Array<{ kid: string; n: string }>> {
  return ((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; n: string }> }).keys;
}

const createdKeys = (server: TestServer) => [...server.stdout().matchAll(CREATED_KEY)].map((m) => Number(m[1]));

describe('server keys', { timeout: 180_000 }, () => {
  const dirs: string[] = [];
  const running: TestServer[] = [];
  const developer = newDeveloperCredentials();
  /** A node on `dataDir` (the same store across restarts), logging at info so key creation shows. */
  const start = async (dataDir: string, keyIds?: string) => {
    const server = await startServer({ dataDir, developer, env: { COGNITO_SYNC_LOG_LEVEL: 'info' }, args: keyIds ? ['--server-key-ids', keyIds] : [] });
    running.push(server);
    return server;
  };
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-keys-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    await Promise.all(running.map((server) => server.dispose()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (TEST_STORE === 'postgres') for (const dir of dirs) await dropSchema(testSchemaName(dir));
  });

  it('a restart generates no key when one is stored, and every token stays valid', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    assert.deepEqual(createdKeys(first), [1], 'the first start creates key 1');
    const poolId = await createPool(first);
    const tokens = await issueTokens(first, poolId, 'restart-user');
    const keysBefore = await jwks(first);
    await first.stop();

    const second = await start(dataDir);
    assert.deepEqual(createdKeys(second), [], 'a restart finds the stored key and makes none');
    assert.deepEqual(await jwks(second), keysBefore);
    assert.deepEqual(await acceptance(second, tokens), ALL_ACCEPTED);
  });

  it('rotation: a new key is added, made current, and the old one retired', async () => {
    const dataDir = newDataDir();
    const keyOne = await start(dataDir);
    const poolId = await createPool(keyOne);
    const oldTokens = await issueTokens(keyOne, poolId, 'rotation-user-1');
    const [kidOne] = (await jwks(keyOne)).map((k) => k.kid);
    await keyOne.stop();

    // 1. Key 2 added on every node, not yet current: nodes still on "1" can open everything this one makes.
    const added = await start(dataDir, '1,2');
    assert.deepEqual(createdKeys(added), [2]);
    const published = (await jwks(added)).map((k) => k.kid);
    assert.equal(published.length, 2);
    assert.equal(published[0], kidOne, 'key 1 is still current');
    assert.equal(decodeProtectedHeader((await issueTokens(added, poolId, 'rotation-user-added')).identity.token).kid, kidOne);
    await added.stop();

    // 2. Key 2 current: new tokens are sealed and signed with it; key 1's still open and verify.
    const rotated = await start(dataDir, '2,1');
    assert.deepEqual(createdKeys(rotated), []);
    const newTokens = await issueTokens(rotated, poolId, 'rotation-user-2');
    const kidTwo = decodeProtectedHeader(newTokens.identity.token).kid;
    assert.notEqual(kidTwo, kidOne);
    assert.deepEqual((await jwks(rotated)).map((k) => k.kid), [kidTwo, kidOne]);
    assert.deepEqual(await acceptance(rotated, oldTokens), ALL_ACCEPTED, 'key 1 still opens and verifies');
    assert.deepEqual(await acceptance(rotated, newTokens), ALL_ACCEPTED);
    await rotated.stop();

    // 3. Key 1 retired: what it made is refused as a forgery would be; key 2's tokens keep working.
    const retired = await start(dataDir, '2');
    assert.deepEqual((await jwks(retired)).map((k) => k.kid), [kidTwo]);
    assert.deepEqual(await acceptance(retired, oldTokens), ALL_REFUSED);
    assert.deepEqual(await acceptance(retired, newTokens), ALL_ACCEPTED, 'every new token was made with key 2');
  });

  it('refuses a malformed --server-key-ids with exit code 2, naming it', () => {
    for (const ids of ['0', 'one', '1,1', '70000', '']) {
      const result = spawnSync(process.execPath, [CLI, '--port', '0', '--server-key-ids', ids], { encoding: 'utf8', timeout: 15_000 });
      assert.equal(result.status, 2, `${ids}: ${result.stderr}`);
      assert.match(result.stderr, /server-key-ids/, ids);
    }
  });
});

describe('sealed tokens', { timeout: 30_000 }, () => {
  const secret = newServerSecret();

  it('a token sealed before tokens carried a key id opens with key 1, and not once key 1 is retired', () => {
    // Sealed exactly as the server did then: AES-256-GCM under HKDF(secret, purpose), IV | ciphertext | tag.
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'base64url'), Buffer.alloc(0), 'cognito-sync-server/pagination', 32));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const encrypted = Buffer.concat([cipher.update(JSON.stringify({ l: 'listing', a: 'after' }), 'utf8'), cipher.final()]);
    const unnumbered = Buffer.concat([iv, encrypted, cipher.getAuthTag()]).toString('base64url');

    const withKeyOne = new TokenSealer([{ id: 2, secret: newServerSecret() }, { id: 1, secret }]);
    assert.deepEqual(withKeyOne.openWithKeyId('pagination', unnumbered), { payload: { l: 'listing', a: 'after' }, keyId: 1 });
    assert.equal(withKeyOne.open('sync-session', unnumbered), undefined, 'still bound to its purpose');
    assert.equal(new TokenSealer([{ id: 2, secret: newServerSecret() }]).open('pagination', unnumbered), undefined);
  });

  it('a token names its key: sealed with the current one, refused under a swapped key id', () => {
    const sealer = new TokenSealer([{ id: 7, secret }, { id: 1, secret: newServerSecret() }]);
    const token = sealer.seal('pagination', { n: 1 });
    assert.match(token, /^A/, 'every token starts with the same letter (never with "-")');
    assert.deepEqual(sealer.openWithKeyId('pagination', token), { payload: { n: 1 }, keyId: 7 });
    const raw = Buffer.from(token, 'base64url');
    raw.writeUInt16BE(1, 1); // claims key 1, which has another secret
    assert.equal(sealer.open('pagination', raw.toString('base64url')), undefined);
    const sameSecretOtherId = new TokenSealer([{ id: 8, secret }]);
    assert.equal(sameSecretOtherId.open('pagination', token), undefined, 'key 7 is not configured there');
  });
});

describe('a key made only when none is stored', { timeout: 60_000 }, () => {
  it('two nodes racing on an empty store agree on one value; later loads generate nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stored-or-generated-'));
    const schema = testSchemaName(dir);
    const args = ['--data-dir', dir, ...(TEST_STORE === 'postgres' ? ['--database-url', databaseUrlFor(schema)] : [])];
    const nodeA = await openStore(loadConfig(args, {}));
    // PostgreSQL: a second pool, as a second node has; SQLite: one process owns the file.
    const nodeB = TEST_STORE === 'postgres' ? await openStore(loadConfig(args, {})) : nodeA;
    try {
      let generatedCount = 0;
      const generate = async () => `value-${(generatedCount += 1)}-${randomBytes(4).toString('hex')}`;
      const results = await Promise.all([
        storedOrGenerated(nodeA, 'race', generate),
        storedOrGenerated(nodeB, 'race', generate),
        storedOrGenerated(nodeA, 'race', generate),
      ]);
      assert.equal(new Set(results.map((r) => r.value)).size, 1, JSON.stringify(results));
      assert.equal(results.filter((r) => r.generated).length, 1, 'exactly one of them made the value that is stored');
      assert.ok(generatedCount <= 3);
      const later = await storedOrGenerated(nodeB, 'race', async () => assert.fail('a stored value is not generated again'));
      assert.deepEqual(later, { value: results[0]!.value, generated: false });
    } finally {
      await nodeA.close();
      if (nodeB !== nodeA) await nodeB.close();
      rmSync(dir, { recursive: true, force: true });
      if (TEST_STORE === 'postgres') await dropSchema(schema);
    }
  });
});
