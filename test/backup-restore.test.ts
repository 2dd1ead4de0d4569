// Backups of the embedded SQLite store (README "Backups"): `npm run backup` asks the running server for an online
// copy (POST /operator/backup) while devices keep syncing through the AWS SDK, `npm run restore` puts it into a new
// data directory, and a server started there serves data from one moment of the source. The oracle is the devices'
// own log of acknowledged writes: each restored dataset must be exactly the state after its first c writes (c its
// restored DatasetSyncCount), and one instant must separate every write the copy holds from every write it lacks
// (each write's commit lies between its request and its answer). On the PostgreSQL pass the server refuses the
// online backup and names pg_dump.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CognitoSyncClient, ListRecordsCommand, type _Record, type RecordPatch, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { sendSigned } from './helpers/raw-http.ts';
import { type DeveloperCredentials, newDeveloperCredentials, startServer, TEST_STORE, type TestServer } from './helpers/server.ts';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';

const BACKUP_CLI = new URL('../dist/operator/backup-cli.js', import.meta.url).pathname;
const RESTORE_CLI = new URL('../dist/operator/restore-cli.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(cli: string, args: string[], developer?: DeveloperCredentials): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, COGNITO_SYNC_ACCESS_KEY_ID: developer?.accessKeyId, COGNITO_SYNC_SECRET_ACCESS_KEY: developer?.secretAccessKey };
  if (!developer) {
    delete env.COGNITO_SYNC_ACCESS_KEY_ID;
    delete env.COGNITO_SYNC_SECRET_ACCESS_KEY;
  }
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Every record of a dataset, all pages, from SyncCount 0. */
async function readDataset(client: CognitoSyncClient, where: { IdentityPoolId: string; IdentityId: string; DatasetName: string }) {
  const records: _Record[] = [];
  let NextToken: string | undefined;
  let count = 0;
  do {
    const page = await client.send(new ListRecordsCommand({ ...where, LastSyncCount: 0, NextToken }));
    count = page.DatasetSyncCount ?? 0;
    records.push(...(page.Records ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return { count, records };
}

/** One acknowledged write of a dataset: its patches, the count it produced, when it was sent and answered. */
interface LoggedWrite {
  patches: RecordPatch[];
  syncCount: number;
  sentAt: number;
  answeredAt: number;
}

/** A device that keeps writing one dataset of its own (so no write conflicts) and logs every acknowledged write. */
class WritingDevice {
  readonly log: LoggedWrite[] = [];
  readonly where: { IdentityPoolId: string; IdentityId: string; DatasetName: string };
  private readonly client: CognitoSyncClient;
  private counts = new Map<string, number>();
  failures: unknown[] = [];

  constructor(user: SyncIdentity, datasetName: string) {
    this.client = user.device();
    this.where = { IdentityPoolId: user.identityPoolId, IdentityId: user.identityId, DatasetName: datasetName };
  }

  async writeOnce(step: number): Promise<void> {
    const { SyncSessionToken } = await this.client.send(new ListRecordsCommand({ ...this.where, LastSyncCount: 0 }));
    const key = `k${step % 7}`;
    const remove = step % 5 === 4 && this.counts.has(key);
    const patches: RecordPatch[] = [
      remove ? { Op: 'remove', Key: key, SyncCount: this.counts.get(key)! } : { Op: 'replace', Key: key, Value: `v${step}`, SyncCount: this.counts.get(key) ?? 0 },
      { Op: 'replace', Key: 'step', Value: String(step), SyncCount: this.counts.get('step') ?? 0 },
    ];
    const sentAt = performance.now();
    const answer = await this.client.send(new UpdateRecordsCommand({ ...this.where, SyncSessionToken, RecordPatches: patches }));
    const answeredAt = performance.now();
    const syncCount = answer.Records![0]!.SyncCount!;
    for (const r of answer.Records!) this.counts.set(r.Key!, r.SyncCount!);
    this.log.push({ patches, syncCount, sentAt, answeredAt });
  }

  /** Writes until `until` resolves, then finishes the write in progress. */
  async keepWriting(until: Promise<unknown>): Promise<void> {
    let stop = false;
    void until.finally(() => (stop = true));
    for (let step = 0; !stop && step < 5000; step++) {
      try {
        await this.writeOnce(step);
      } catch (error) {
        this.failures.push(error);
        return;
      }
    }
  }

  /** The dataset as it stood after its first `count` writes: key → value (undefined: removed) and SyncCount. */
  stateAfter(count: number): Map<string, { value?: string; syncCount: number }> {
    const state = new Map<string, { value?: string; syncCount: number }>();
    for (const write of this.log.slice(0, count)) {
      for (const p of write.patches) state.set(p.Key!, { value: p.Op === 'remove' ? undefined : p.Value, syncCount: write.syncCount });
    }
    return state;
  }
}

describe('backups of the embedded SQLite store', { timeout: 240_000, skip: TEST_STORE === 'postgres' ? 'SQLite only: the PostgreSQL pass checks the refusal below' : false }, () => {
  const developer = newDeveloperCredentials();
  const work = mkdtempSync(join(tmpdir(), 'cognito-sync-backup-'));
  let source: TestServer;
  let restored: TestServer | undefined;

  before(async () => {
    source = await startServer({ developer, args: ['--rate-limit', '0'] });
  });
  after(async () => {
    await source?.dispose();
    await restored?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('a backup taken under a running sync load restores into a new data dir that serves one moment of the source', async () => {
    const poolId = await createIdentityPool(source);
    // About 5 MB of records first, so the copy takes several backup steps (and reports progress between them).
    const bulky = await newIdentity(source, poolId);
    const big = 'x'.repeat(100_000);
    for (let d = 0; d < 5; d++) {
      const where = { IdentityPoolId: poolId, IdentityId: bulky.identityId, DatasetName: `bulk-${d}` };
      const client = bulky.device();
      const { SyncSessionToken } = await client.send(new ListRecordsCommand(where));
      await client.send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches: Array.from({ length: 9 }, (_, i) => ({ Op: 'replace', Key: `big-${i}`, Value: `${i}${big}`, SyncCount: 0 })) }));
    }

    const users = await Promise.all(Array.from({ length: 6 }, () => newIdentity(source, poolId)));
    const devices = users.flatMap((user) => [new WritingDevice(user, 'settings'), new WritingDevice(user, 'progress')]);
    let stopLoad!: () => void;
    const loadStopped = new Promise<void>((resolve) => (stopLoad = resolve));
    const load = Promise.all(devices.map((device) => device.keepWriting(loadStopped)));
    // Let every device write a few times before the backup starts.
    const warmUp = Date.now() + 15_000;
    while (devices.some((d) => d.log.length < 3) && Date.now() < warmUp) await new Promise((r) => setTimeout(r, 50));

    const file = join(work, 'backup.db');
    const backupStarted = performance.now();
    const backup = await runCli(BACKUP_CLI, ['--to', file, '--data-dir', source.dataDir, '--endpoint-url', source.url], developer);
    const backupEnded = performance.now();
    // The devices go on after the backup, then stop.
    const more = Date.now() + 10_000;
    const writesAt = devices.map((d) => d.log.length);
    while (devices.some((d, i) => d.log.length < writesAt[i]! + 2) && Date.now() < more) await new Promise((r) => setTimeout(r, 50));
    stopLoad();
    await load;

    assert.equal(backup.code, 0, `backup failed:\n${backup.stdout}\n${backup.stderr}`);
    assert.match(backup.stdout, /asking the server at .* for an online backup/);
    assert.match(backup.stdout, /progress: \d+% \(\d+ of \d+ pages\)[\s\S]*progress: 100% /);
    assert.match(backup.stdout, /backup complete: .*backup\.db \(\d+ bytes, \d+ pages, schema version \d+, .*integrity check ok\)/);
    assert.ok(existsSync(file));
    for (const device of devices) assert.deepEqual(device.failures, [], 'no device write failed while the backup ran');
    const writesDuringBackup = devices.flatMap((d) => d.log).filter((w) => w.answeredAt > backupStarted && w.sentAt < backupEnded).length;
    assert.ok(writesDuringBackup > 0, 'devices kept writing while the backup command ran');

    // Restoring into the running server's data directory is refused; into a new one it works.
    const refused = await runCli(RESTORE_CLI, ['--from', file, '--data-dir', source.dataDir, '--force']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /in use by a running server/);
    const restoredDir = join(work, 'restored');
    const restore = await runCli(RESTORE_CLI, ['--from', file, '--data-dir', restoredDir]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /integrity check ok, schema version \d+[\s\S]*restored .* into /);

    restored = await startServer({ developer, dataDir: restoredDir });
    const client = restored.syncClient();
    let latestIncludedSend = -Infinity;
    let earliestExcludedAnswer = Infinity;
    for (const device of devices) {
      const { count, records } = await readDataset(client, device.where);
      // The records agree with the dataset's count: the newest is at it, none above it.
      assert.equal(Math.max(...records.map((r) => r.SyncCount!)), count, `${device.where.DatasetName} of ${device.where.IdentityId}`);
      assert.ok(count >= 3 && count <= device.log.length, `restored count ${count} is one the source reached (it wrote ${device.log.length})`);
      // Exactly the state after the first `count` acknowledged writes.
      const expected = device.stateAfter(count);
      assert.deepEqual(
        new Map(records.map((r) => [r.Key!, { value: r.Value, syncCount: r.SyncCount! }])),
        expected,
        `${device.where.DatasetName} of ${device.where.IdentityId} at count ${count}`,
      );
      latestIncludedSend = Math.max(latestIncludedSend, device.log[count - 1]!.sentAt);
      if (count < device.log.length) earliestExcludedAnswer = Math.min(earliestExcludedAnswer, device.log[count]!.answeredAt);
    }
    assert.ok(
      latestIncludedSend < earliestExcludedAnswer,
      'one moment separates every write in the backup (sent before it) from every write it lacks (answered after it)',
    );
    // The seeded datasets came through whole.
    const bulk = await readDataset(client, { IdentityPoolId: poolId, IdentityId: bulky.identityId, DatasetName: 'bulk-4' });
    assert.equal(bulk.count, 1);
    assert.deepEqual(bulk.records.map((r) => r.Value!.length).sort(), Array(9).fill(100_001));
  });

  it('with no server on the data directory the command copies the file directly; restore refuses a damaged file and keeps a replaced store', async () => {
    const poolId = await createIdentityPool(source);
    await source.stop();
    const file = join(work, 'offline.db');
    const offline = await runCli(BACKUP_CLI, ['--to', file, '--data-dir', source.dataDir], developer);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /no server holds .*: copying it directly[\s\S]*backup complete/);
    const again = await runCli(BACKUP_CLI, ['--to', file, '--data-dir', source.dataDir], developer);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);

    const damaged = join(work, 'damaged.db');
    writeFileSync(damaged, 'this is not a SQLite database, just text long enough to have a header of sorts');
    const bad = await runCli(RESTORE_CLI, ['--from', damaged, '--data-dir', join(work, 'elsewhere')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a usable backup/);

    const existing = await runCli(RESTORE_CLI, ['--from', file, '--data-dir', source.dataDir]);
    assert.equal(existing.code, 2);
    assert.match(existing.stderr, /already holds a store .* --force/);
    const forced = await runCli(RESTORE_CLI, ['--from', file, '--data-dir', source.dataDir, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /the store it replaced is kept as .*before-restore-/);
    source = await startServer({ developer, dataDir: source.dataDir });
    const pool = await source.identityClient().send(new (await import('@aws-sdk/client-cognito-identity')).DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
    assert.equal(pool.IdentityPoolId, poolId);
  });
});

describe('online backup on the PostgreSQL store', { timeout: 60_000, skip: TEST_STORE !== 'postgres' ? 'PostgreSQL pass only' : false }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.dispose());

  it('is refused with the pg_dump way named', async () => {
    const answer = await sendSigned(server.url, { method: 'POST', path: '/operator/backup', body: '{}', headers: { 'content-type': 'application/json' } }, { credentials: server.developer, service: 'cognito-sync-operator' });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers['x-amzn-errortype'], 'UnsupportedOperationException:');
    assert.match(String(answer.json().message), /PostgreSQL|postgres.*pg_dump/i);
    const cli = await runCli(BACKUP_CLI, ['--to', join(server.dataDir, 'x.db'), '--data-dir', server.dataDir, '--endpoint-url', server.url], server.developer);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /pg_dump/);
  });
});
