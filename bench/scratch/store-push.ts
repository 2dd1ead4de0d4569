import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { newSessionId } from '../../src/services/cognito-sync/sync-session-tokens.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
const mode = process.argv[2] ?? 'session';
const secs = Number(process.argv[3] ?? 4);
const store = openSqliteStore(mkdtempSync('/dev/shm/sp-'));
const poolId = 'us-east-1:' + randomUUID();
const now0 = new Date();
await store.createIdentityPool({ identityPoolId: poolId, accountId: '123456789012', spec: { IdentityPoolName: 'bench', AllowUnauthenticatedIdentities: true }, createdAt: now0 });
const ids: string[] = [];
for (let i = 0; i < 32; i++) { const id = 'us-east-1:' + randomUUID(); ids.push(id); await store.createIdentity({ identityId: id, identityPoolId: poolId, createdAt: now0, lastModifiedAt: now0, disabled: false }); }
const counts = new Map<string, number>();
const QUOTAS = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
const push = async (id: string) => {
  const c = counts.get(id) ?? 0; const now = new Date();
  const r = await store.updateRecords({ identityPoolId: poolId, identityId: id, datasetName: 'w' }, {
    patches: Array.from({ length: 10 }, (_, k) => ({ op: 'replace' as const, key: `key${k}`, value: 'v'.repeat(100), syncCount: c })),
    modifiedBy: id, now, quotas: QUOTAS,
    syncSession: mode === 'session' ? { sessionId: newSessionId(now), expiresAt: new Date(now.getTime() + 3600000) } : undefined,
  });
  if (r.outcome !== 'ok') throw new Error(r.outcome);
  counts.set(id, c + 1);
};
for (let round = 0; round < 4; round++) {
  const until = Date.now() + secs * 1000; let calls = 0; const c0 = process.cpuUsage();
  await Promise.all(ids.map(async (id) => { while (Date.now() < until) { await push(id); calls++; } }));
  const u = process.cpuUsage(c0);
  console.log(mode, 'round', round, ((u.user + u.system) / calls).toFixed(1), 'us/call', calls);
}
