// Push sync on PostgreSQL: registered devices and their dataset subscriptions. A subscription references its
// dataset, so DeleteDataset drops it and a merge carries it along with the dataset.
import type pg from 'pg';
import type { DatasetAddress, DeviceNotFound, IdentityNotFound, PushDevice, PushPlatform } from '../store.ts';
import { PUSH_SYNC_KIND, pushOrderingKeyPrefix } from '../push-outbox-entries.ts';
import { inReadTransaction, inTransaction, type Queryable } from './database.ts';
import { identityNotFound } from './dataset-rows.ts';

interface DeviceRow {
  device_id: string;
  identity_pool_id: string;
  identity_id: string;
  platform: string;
  token: string;
  endpoint_arn: string;
  created_at: Date;
}

const DEVICE_COLUMNS = 'device_id, identity_pool_id, identity_id, platform, token, endpoint_arn, created_at';

const toDevice = (row: DeviceRow): PushDevice => ({
  deviceId: row.device_id,
  identityPoolId: row.identity_pool_id,
  identityId: row.identity_id,
  platform: row.platform as PushPlatform,
  token: row.token,
  endpointArn: row.endpoint_arn,
  createdAt: row.created_at,
});

export function putDevice(db: pg.Pool, candidate: PushDevice): Promise<IdentityNotFound | { outcome: 'ok'; device: PushDevice }> {
  return inTransaction(db, async (client) => {
    // The identity's row lock serializes registrations of its devices, so one token makes one device.
    const missing = await identityNotFound(client, candidate.identityPoolId, candidate.identityId, true);
    if (missing) return missing;
    const existing = (
      await client.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM push_devices WHERE identity_id = $1 AND platform = $2 AND token = $3`, [
        candidate.identityId,
        candidate.platform,
        candidate.token,
      ])
    ).rows[0];
    if (existing) {
      await client.query('UPDATE push_devices SET endpoint_arn = $1 WHERE device_id = $2', [candidate.endpointArn, existing.device_id]);
      return { outcome: 'ok' as const, device: { ...toDevice(existing), endpointArn: candidate.endpointArn } };
    }
    await client.query(`INSERT INTO push_devices (${DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      candidate.deviceId,
      candidate.identityPoolId,
      candidate.identityId,
      candidate.platform,
      candidate.token,
      candidate.endpointArn,
      candidate.createdAt,
    ]);
    return { outcome: 'ok' as const, device: candidate };
  });
}

/** The device must belong to the addressed identity: another identity's device id is as good as unknown. */
async function deviceOwned(client: Queryable, identityId: string, deviceId: string): Promise<boolean> {
  return (await client.query('SELECT 1 FROM push_devices WHERE device_id = $1 AND identity_id = $2', [deviceId, identityId])).rowCount! > 0;
}

export function subscribeToDataset(
  db: pg.Pool,
  address: DatasetAddress,
  deviceId: string,
  now: Date,
): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'dataset-not-found' } | { outcome: 'ok' }> {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, async (client) => {
    const missing = await identityNotFound(client, identityPoolId, identityId);
    if (missing) return missing;
    if (!(await deviceOwned(client, identityId, deviceId))) return { outcome: 'device-not-found' as const };
    // KEY SHARE: a DeleteDataset racing this either commits first (then the dataset is gone here) or waits
    // for us and removes the new subscription with the dataset.
    const dataset = await client.query('SELECT 1 FROM datasets WHERE identity_id = $1 AND dataset_name = $2 FOR KEY SHARE', [identityId, datasetName]);
    if (dataset.rowCount === 0) return { outcome: 'dataset-not-found' as const };
    await client.query(
      `INSERT INTO dataset_subscriptions (identity_id, dataset_name, device_id, subscribed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (identity_id, dataset_name, device_id) DO NOTHING`,
      [identityId, datasetName, deviceId, now],
    );
    return { outcome: 'ok' as const };
  });
}

export function unsubscribeFromDataset(db: pg.Pool, address: DatasetAddress, deviceId: string): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'ok' }> {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, async (client) => {
    const missing = await identityNotFound(client, identityPoolId, identityId);
    if (missing) return missing;
    if (!(await deviceOwned(client, identityId, deviceId))) return { outcome: 'device-not-found' as const };
    await client.query('DELETE FROM dataset_subscriptions WHERE identity_id = $1 AND dataset_name = $2 AND device_id = $3', [
      identityId,
      datasetName,
      deviceId,
    ]);
    return { outcome: 'ok' as const };
  });
}

export function listDatasetSubscribers(db: pg.Pool, address: DatasetAddress): Promise<PushDevice[]> {
  return inReadTransaction(db, async (client) => {
    const rows = (
      await client.query<DeviceRow>(
        `SELECT d.device_id, d.identity_pool_id, d.identity_id, d.platform, d.token, d.endpoint_arn, d.created_at
         FROM dataset_subscriptions s JOIN push_devices d ON d.device_id = s.device_id
         WHERE s.identity_id = $1 AND s.dataset_name = $2 ORDER BY d.device_id`,
        [address.identityId, address.datasetName],
      )
    ).rows;
    return rows.filter((row) => row.identity_pool_id === address.identityPoolId).map(toDevice);
  });
}

export async function dropEndpointSubscriptions(db: pg.Pool, endpointArn: string): Promise<number> {
  const result = await db.query(
    'DELETE FROM dataset_subscriptions WHERE device_id IN (SELECT device_id FROM push_devices WHERE endpoint_arn = $1)',
    [endpointArn],
  );
  return result.rowCount ?? 0;
}

/**
 * Inside the UpdateRecords transaction that raised the dataset to `syncCount`: queues one push per device
 * subscribed to it, the writer's own device (UpdateRecords' DeviceId) excepted. Returns how many were queued.
 */
export async function addPushEntries(
  client: Queryable,
  address: DatasetAddress,
  syncCount: number,
  writerDeviceId: string | undefined,
  now: Date,
): Promise<number> {
  const result = await client.query(
    `INSERT INTO outbox (kind, ordering_key, payload, created_at, next_attempt_at)
     SELECT $1::text, $2::text || d.device_id,
       json_build_object('deviceId', d.device_id, 'endpointArn', d.endpoint_arn, 'platform', d.platform,
         'identityPoolId', $3::text, 'identityId', $4::text, 'datasetName', $5::text, 'syncCount', $6::bigint)::text,
       $7::timestamptz, $7::timestamptz
     FROM dataset_subscriptions s JOIN push_devices d ON d.device_id = s.device_id
     WHERE s.identity_id = $4 AND s.dataset_name = $5 AND d.device_id <> $8::text
     ORDER BY d.device_id`,
    [PUSH_SYNC_KIND, pushOrderingKeyPrefix, address.identityPoolId, address.identityId, address.datasetName, syncCount, now, writerDeviceId ?? ''],
  );
  return result.rowCount ?? 0;
}
