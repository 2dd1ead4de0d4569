// Push sync: registered devices and their dataset subscriptions. A subscription references its dataset, so
// DeleteDataset drops it and a merge carries it along with the dataset.
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asDate } from '../sql/row-values.ts';
import { forKeyShare, sql, SqlFragment } from '../sql/sql.ts';
import type { DatasetAddress, DeviceNotFound, IdentityNotFound, PushDevice, PushPlatform } from '../store.ts';
import { PUSH_SYNC_KIND, pushOrderingKeyPrefix } from '../push-outbox-entries.ts';
import { identityNotFound } from './dataset-rows.ts';

interface DeviceRow {
  device_id: string;
  identity_pool_id: string;
  identity_id: string;
  platform: string;
  token: string;
  endpoint_arn: string;
  created_at: number | Date;
}

const DEVICE_COLUMNS = sql`d.device_id, d.identity_pool_id, d.identity_id, d.platform, d.token, d.endpoint_arn, d.created_at`;

const toDevice = (row: DeviceRow): PushDevice => ({
  deviceId: row.device_id,
  identityPoolId: row.identity_pool_id,
  identityId: row.identity_id,
  platform: row.platform as PushPlatform,
  token: row.token,
  endpointArn: row.endpoint_arn,
  createdAt: asDate(row.created_at),
});

export function putDevice(db: SqlDatabase, candidate: PushDevice): Promise<IdentityNotFound | { outcome: 'ok'; device: PushDevice }> {
  const { deviceId, identityPoolId, identityId, platform, token, endpointArn, createdAt } = candidate;
  return db.write(async (tx) => {
    // The identity's row lock serializes registrations of its devices, so one token makes one device.
    const missing = await identityNotFound(tx, identityPoolId, identityId, true);
    if (missing) return missing;
    const existing = await tx.get<DeviceRow>(
      sql`SELECT ${DEVICE_COLUMNS} FROM push_devices d WHERE identity_id = ${identityId} AND platform = ${platform} AND token = ${token}`,
    );
    if (existing) {
      await tx.run(sql`UPDATE push_devices SET endpoint_arn = ${endpointArn} WHERE device_id = ${existing.device_id}`);
      return { outcome: 'ok' as const, device: { ...toDevice(existing), endpointArn } };
    }
    await tx.run(
      sql`INSERT INTO push_devices (device_id, identity_pool_id, identity_id, platform, token, endpoint_arn, created_at)
          VALUES (${deviceId}, ${identityPoolId}, ${identityId}, ${platform}, ${token}, ${endpointArn}, ${createdAt})`,
    );
    return { outcome: 'ok' as const, device: candidate };
  });
}

/** The identity must exist, and the device belong to it: another identity's device id is as good as unknown. */
async function deviceNotFound(tx: SqlRunner, { identityPoolId, identityId }: DatasetAddress, deviceId: string) {
  const missing = await identityNotFound(tx, identityPoolId, identityId);
  if (missing) return missing;
  const owned = await tx.get(sql`SELECT 1 FROM push_devices WHERE device_id = ${deviceId} AND identity_id = ${identityId}`);
  return owned ? undefined : { outcome: 'device-not-found' as const };
}

export function subscribeToDataset(
  db: SqlDatabase,
  address: DatasetAddress,
  deviceId: string,
  now: Date,
): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'dataset-not-found' } | { outcome: 'ok' }> {
  const { identityId, datasetName } = address;
  return db.write(async (tx) => {
    const missing = await deviceNotFound(tx, address, deviceId);
    if (missing) return missing;
    // KEY SHARE: a DeleteDataset racing this either commits first (then the dataset is gone here) or waits
    // for us and removes the new subscription with the dataset.
    if (!(await tx.get(sql`SELECT 1 FROM datasets WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}${forKeyShare}`))) {
      return { outcome: 'dataset-not-found' as const };
    }
    await tx.run(
      sql`INSERT INTO dataset_subscriptions (identity_id, dataset_name, device_id, subscribed_at) VALUES (${identityId}, ${datasetName}, ${deviceId}, ${now})
          ON CONFLICT (identity_id, dataset_name, device_id) DO NOTHING`,
    );
    return { outcome: 'ok' as const };
  });
}

export function unsubscribeFromDataset(db: SqlDatabase, address: DatasetAddress, deviceId: string): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'ok' }> {
  return db.write(async (tx) => {
    const missing = await deviceNotFound(tx, address, deviceId);
    if (missing) return missing;
    await tx.run(
      sql`DELETE FROM dataset_subscriptions WHERE identity_id = ${address.identityId} AND dataset_name = ${address.datasetName} AND device_id = ${deviceId}`,
    );
    return { outcome: 'ok' as const };
  });
}

export async function listDatasetSubscribers(db: SqlDatabase, address: DatasetAddress): Promise<PushDevice[]> {
  const rows = await db.all<DeviceRow>(
    sql`SELECT ${DEVICE_COLUMNS} FROM dataset_subscriptions s JOIN push_devices d ON d.device_id = s.device_id
        WHERE s.identity_id = ${address.identityId} AND s.dataset_name = ${address.datasetName} AND d.identity_pool_id = ${address.identityPoolId}
        ORDER BY d.device_id`,
  );
  return rows.map(toDevice);
}

export function dropEndpointSubscriptions(db: SqlDatabase, endpointArn: string): Promise<number> {
  return db.run(sql`DELETE FROM dataset_subscriptions WHERE device_id IN (SELECT device_id FROM push_devices WHERE endpoint_arn = ${endpointArn})`);
}

// The one function whose name differs: both build a JSON object from key, value, key, value, ….
const jsonObject = new SqlFragment('json_object', 'json_build_object');

/**
 * Inside the UpdateRecords transaction that raised the dataset to `syncCount`: queues one push per device
 * subscribed to it, the writer's own device (UpdateRecords' DeviceId) excepted. Returns how many were queued.
 * One INSERT … SELECT; the CASTs give PostgreSQL the parameter types it cannot infer in a select list.
 */
export function addPushEntries(tx: SqlRunner, address: DatasetAddress, syncCount: number, writerDeviceId: string | undefined, now: Date): Promise<number> {
  const text = (value: string) => sql`CAST(${value} AS TEXT)`;
  const at = sql`CAST(${now} AS TIMESTAMPTZ)`;
  return tx.run(
    sql`INSERT INTO outbox (kind, ordering_key, payload, created_at, next_attempt_at)
        SELECT ${text(PUSH_SYNC_KIND)}, ${text(pushOrderingKeyPrefix)} || d.device_id,
          CAST(${jsonObject}('deviceId', d.device_id, 'endpointArn', d.endpoint_arn, 'platform', d.platform,
            'identityPoolId', ${text(address.identityPoolId)}, 'identityId', ${text(address.identityId)},
            'datasetName', ${text(address.datasetName)}, 'syncCount', CAST(${syncCount} AS BIGINT)) AS TEXT),
          ${at}, ${at}
        FROM dataset_subscriptions s JOIN push_devices d ON d.device_id = s.device_id
        WHERE s.identity_id = ${address.identityId} AND s.dataset_name = ${address.datasetName} AND d.device_id <> ${writerDeviceId ?? ''}
        ORDER BY d.device_id`,
  );
}
