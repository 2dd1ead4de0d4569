// Several stateless nodes on one PostgreSQL database, the way a load balancer spreads clients over them:
// started at the same moment (migrations must not collide), writers split across nodes at one dataset,
// every token and credential issued by one node accepted by the other, readiness following the database,
// and one node SIGKILLed under load while the other keeps serving without losing an acknowledged write.
import assert from 'node:assert/strict';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GetCredentialsForIdentityCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { type CognitoSyncClient, ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { migrations } from '../src/store/sql/schema.ts';
import { COGNITO_LOGIN, createPool, developerIdentity, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { databaseUrlFor, dropSchema, queryTestDatabase, skipUnlessPostgresPass, TEST_DATABASE_URL, testSchemaName } from './helpers/postgres.ts';
import { newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';

const skip = await skipUnlessPostgresPass();

/** GET on a node, without an SDK: the health endpoints. */
async function get(server: TestServer, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.text() };
}

describe('two nodes on one PostgreSQL database', { skip, timeout: 300_000 }, () => {
  const schema = testSchemaName();
  const databaseUrl = databaseUrlFor(schema);
  const developer = newDeveloperCredentials();
  let nodeA: TestServer;
  let nodeB: TestServer;
  const startNode = () => startServer({ developer, args: ['--database-url', databaseUrl] });

  before(async () => {
    // Both at once on an empty schema: the second waits on the migration lock instead of colliding.
    [nodeA, nodeB] = await Promise.all([startNode(), startNode()]);
  });
  after(async () => {
    await Promise.all([nodeA?.dispose(), nodeB?.dispose()]);
    await dropSchema(schema);
  });

  it('two nodes starting at the same moment applied every migration exactly once', async () => {
    const rows = await queryTestDatabase<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    assert.deepEqual(
      rows.map((r) => r.version),
      migrations.map((m) => m.version),
    );
    for (const node of [nodeA, nodeB]) assert.equal((await get(node, '/health/ready')).status, 200);
  });

  it('credentials, OpenID tokens, sync session tokens and pagination tokens from node 1 are accepted by node 2', async () => {
    const pool = await createPool(nodeA);
    // Temporary credentials issued by A sign requests B verifies.
    const user = await unauthenticatedIdentity(nodeA, pool);
    const where = { IdentityPoolId: pool, IdentityId: user.identityId, DatasetName: 'across' };
    const pulledOnA = await nodeA.syncClient(user.credentials).send(new ListRecordsCommand(where));
    // A's sync session token is good for an UpdateRecords on B.
    const pushedOnB = await nodeB.syncClient(user.credentials).send(
      new UpdateRecordsCommand({
        ...where,
        SyncSessionToken: pulledOnA.SyncSessionToken,
        RecordPatches: [
          { Op: 'replace', Key: 'a', Value: '1', SyncCount: 0 },
          { Op: 'replace', Key: 'b', Value: '2', SyncCount: 0 },
          { Op: 'replace', Key: 'c', Value: '3', SyncCount: 0 },
        ],
      }),
    );
    assert.deepEqual(pushedOnB.Records!.map((r) => r.SyncCount), [1, 1, 1]);
    // A ListRecords page token from A continues on B.
    const firstPage = await nodeA.syncClient(user.credentials).send(new ListRecordsCommand({ ...where, MaxResults: 2 }));
    assert.ok(firstPage.NextToken);
    const secondPage = await nodeB.syncClient(user.credentials).send(new ListRecordsCommand({ ...where, MaxResults: 2, NextToken: firstPage.NextToken }));
    assert.deepEqual([...firstPage.Records!, ...secondPage.Records!].map((r) => r.Key), ['a', 'b', 'c']);

    // An OpenID token from A buys credentials on B, and those work back on A.
    const devUser = await developerIdentity(nodeA, pool, 'user-across-nodes');
    const { Credentials } = await nodeB.identityClient().send(
      new GetCredentialsForIdentityCommand({ IdentityId: devUser.identityId, Logins: { [COGNITO_LOGIN]: devUser.token } }),
    );
    const fromB = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! };
    const described = await nodeA.syncClient(fromB).send(new ListRecordsCommand({ IdentityPoolId: pool, IdentityId: devUser.identityId, DatasetName: 'x' }));
    assert.equal(described.DatasetExists, false);

    // A ListIdentityPools token from B continues on A.
    await createPool(nodeB);
    await createPool(nodeB);
    const pools: string[] = [];
    let nextToken: string | undefined;
    let onA = true;
    do {
      const page = await (onA ? nodeA : nodeB).identityClient().send(new ListIdentityPoolsCommand({ MaxResults: 1, NextToken: nextToken }));
      pools.push(...page.IdentityPools!.map((p) => p.IdentityPoolId!));
      nextToken = page.NextToken;
      onA = !onA;
    } while (nextToken);
    assert.equal(pools.length, 3);
    assert.equal(new Set(pools).size, 3);
  });

  it('16 concurrent writers split across the nodes at one dataset: SyncCount = successful writes, refusals are 409, no value lost', async () => {
    const WRITERS = 16;
    const pool = await createPool(nodeA);
    const user = await unauthenticatedIdentity(nodeA, pool);
    const where = { IdentityPoolId: pool, IdentityId: user.identityId, DatasetName: 'race' };
    const client = (node: TestServer) => node.syncClient(user.credentials);
    const successes: number[] = [];
    const refusals: Array<{ name: string; status?: number; message: string }> = [];

    // Writer i pulls from one node and pushes through the other (i even: A then B; odd: B then A), adding one
    // to a shared counter and writing its own key, retrying after each 409 until its write lands.
    const writer = async (i: number) => {
      const [pullVia, pushVia] = i % 2 === 0 ? [client(nodeA), client(nodeB)] : [client(nodeB), client(nodeA)];
      // Each refusal means another writer landed in between, and each lands once: WRITERS attempts at most.
      for (let attempt = 1; ; attempt++) {
        assert.ok(attempt <= WRITERS, `writer ${i} lands within ${WRITERS} attempts`);
        const pulled = await pullVia.send(new ListRecordsCommand({ ...where, LastSyncCount: 0 }));
        const counter = pulled.Records!.find((r) => r.Key === 'counter');
        try {
          const { Records } = await pushVia.send(
            new UpdateRecordsCommand({
              ...where,
              SyncSessionToken: pulled.SyncSessionToken,
              RecordPatches: [
                { Op: 'replace', Key: 'counter', Value: String(Number(counter?.Value ?? '0') + 1), SyncCount: counter?.SyncCount ?? 0 },
                { Op: 'replace', Key: `writer-${i}`, Value: `written by ${i}`, SyncCount: 0 },
              ],
            }),
          );
          assert.equal(new Set(Records!.map((r) => r.SyncCount)).size, 1);
          assert.equal(Records![0]!.SyncCount, pulled.DatasetSyncCount! + 1, 'a push lands exactly one above the count it pulled');
          successes.push(Records![0]!.SyncCount!);
          return;
        } catch (error) {
          const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
          refusals.push({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message });
          if (e.name !== 'ResourceConflictException') throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));

    for (const node of [nodeA, nodeB]) {
      const final = await client(node).send(new ListRecordsCommand({ ...where, LastSyncCount: 0 }));
      const values = Object.fromEntries(final.Records!.map((r) => [r.Key, r.Value]));
      assert.equal(final.DatasetSyncCount, successes.length, 'DatasetSyncCount equals the number of successful UpdateRecords');
      assert.equal(values.counter, String(WRITERS), 'no increment was lost');
      for (let i = 0; i < WRITERS; i++) assert.equal(values[`writer-${i}`], `written by ${i}`, `writer ${i}'s value is there`);
    }
    assert.deepEqual([...successes].sort((a, b) => a - b), Array.from({ length: WRITERS }, (_, i) => i + 1));
    assert.ok(refusals.length > 0, 'the writers did race');
    for (const refusal of refusals) {
      assert.equal(refusal.name, 'ResourceConflictException');
      assert.equal(refusal.status, 409);
    }
  });

  it('SIGKILL of one node under load: the other keeps serving and no acknowledged write is lost', async () => {
    const WRITERS = 8;
    const WRITES_EACH = 15;
    const KILL_AFTER = 40;
    const pool = await createPool(nodeA);
    const user = await unauthenticatedIdentity(nodeA, pool);
    const acknowledged = new Map<number, Map<string, string>>();
    const failuresOnA: unknown[] = [];
    const failedOverFromB = new Set<number>();
    let total = 0;
    let killed: Promise<void> | undefined;

    const writer = async (i: number) => {
      const where = { IdentityPoolId: pool, IdentityId: user.identityId, DatasetName: `load-${i}` };
      const mine = new Map<string, string>();
      acknowledged.set(i, mine);
      let node = i % 2 === 0 ? nodeA : nodeB;
      let client: CognitoSyncClient = node.syncClient(user.credentials);
      for (let seq = 0; mine.size < WRITES_EACH; seq++) {
        try {
          const pulled = await client.send(new ListRecordsCommand({ ...where, LastSyncCount: 0 }));
          const value = `writer ${i} write ${seq}`;
          await client.send(
            new UpdateRecordsCommand({ ...where, SyncSessionToken: pulled.SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: `k${seq}`, Value: value, SyncCount: 0 }] }),
          );
          mine.set(`k${seq}`, value); // acknowledged: the server answered 200
          total += 1;
          if (total === KILL_AFTER) killed = nodeB.kill9();
        } catch (error) {
          if (node === nodeA) {
            failuresOnA.push(error);
            throw error;
          }
          // Node B is gone: fail over to A, as a load balancer would. The write in flight has an unknown
          // outcome and is simply not counted as acknowledged.
          failedOverFromB.add(i);
          node = nodeA;
          client = nodeA.syncClient(user.credentials);
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));
    await killed;

    assert.ok(killed, 'node B was killed during the load');
    assert.equal(nodeB.child.signalCode, 'SIGKILL');
    assert.deepEqual(failuresOnA, [], 'node A never failed a request');
    assert.deepEqual([...failedOverFromB].sort(), [1, 3, 5, 7], "every writer on B noticed and moved to A");
    assert.equal((await get(nodeA, '/health/ready')).status, 200);
    for (const [i, mine] of acknowledged) {
      const where = { IdentityPoolId: pool, IdentityId: user.identityId, DatasetName: `load-${i}` };
      const stored = await nodeA.syncClient(user.credentials).send(new ListRecordsCommand({ ...where, LastSyncCount: 0, MaxResults: 1000 }));
      const values = Object.fromEntries(stored.Records!.map((r) => [r.Key, r.Value]));
      for (const [key, value] of mine) assert.equal(values[key], value, `writer ${i}: acknowledged ${key} survives`);
      assert.ok(stored.DatasetSyncCount! >= mine.size);
    }
  });
});

/** A TCP relay to PostgreSQL that the test can cut and restore: the database "goes away" for one node only. */
class DatabaseLink {
  private server: TcpServer | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const target = new URL(TEST_DATABASE_URL);
    const server = createTcpServer((client) => {
      const upstream = createTcpConnectionTo(target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  url(schema: string): string {
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    url.searchParams.set('schema', schema);
    return url.toString();
  }
}

function createTcpConnectionTo(target: URL): Socket {
  return connect(Number(target.port || 5432), target.hostname);
}

describe('readiness follows the database', { skip, timeout: 300_000 }, () => {
  const schema = testSchemaName();
  const link = new DatabaseLink();
  let node: TestServer;

  before(async () => {
    await link.open();
    node = await startServer({ args: ['--database-url', link.url(schema)] });
  });
  after(async () => {
    await node?.dispose();
    await link.cut();
    await dropSchema(schema);
  });

  it('/health/ready turns 503 while the database is unreachable and 200 once it is back; /health/live stays 200', async () => {
    assert.equal((await get(node, '/health/ready')).status, 200);
    await link.cut();
    const down = await get(node, '/health/ready');
    assert.equal(down.status, 503);
    assert.deepEqual(JSON.parse(down.body), { status: 'unavailable', store: 'postgres' });
    assert.equal((await get(node, '/health')).status, 503, 'GET /health keeps its meaning');
    assert.equal((await get(node, '/health/live')).status, 200, 'the process itself is fine: no restart needed');
    // An API call meanwhile is an AWS-shaped 500, not a hang or a crash.
    const failed = await node.identityClient().send(new ListIdentityPoolsCommand({ MaxResults: 1 })).catch((e: { name: string; $metadata: { httpStatusCode: number } }) => e);
    assert.equal((failed as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 500);

    await link.open();
    assert.equal((await get(node, '/health/ready')).status, 200);
    await node.identityClient().send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
  });
});
