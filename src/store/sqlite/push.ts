// Push sync on the embedded store: registered devices and their dataset subscriptions. A subscription
// references its dataset, so DeleteDataset drops it and a merge carries it along with the dataset.
import type { DatasetAddress, DeviceNotFound, IdentityNotFound, PushDevice, PushPlatform } from '../store.ts';
import { PUSH_SYNC_KIND, pushOrderingKeyPrefix } from '../push-outbox-entries.ts';
import { type Db, inReadTransaction, inTransaction } from './database.ts';
import { identityNotFound } from './dataset-rows.ts';

interface DeviceRow {
  device_id: string;
  identity_pool_id: string;
  identity_id: string;
  platform: string;
  token: string;
  endpoint_arn: string;
  created_at: number;
}

const DEVICE_COLUMNS = 'device_id, identity_pool_id, identity_id, platform, token, endpoint_arn, created_at';

const toDevice = (row: DeviceRow): PushDevice => ({
  deviceId: row.device_id,
  identityPoolId: row.identity_pool_id,
  identityId: row.identity_id,
  platform: row.platform as PushPlatform,
  token: row.token,
  endpointArn: row.endpoint_arn,
  createdAt: new Date(row.created_at),
});

export function putDevice(db: Db, candidate: PushDevice): IdentityNotFound | { outcome: 'ok'; device: PushDevice } {
  return inTransaction(db, () => {
    const missing = identityNotFound(db, candidate.identityPoolId, candidate.identityId);
    if (missing) return missing;
    const existing = db
      .prepare(`SELECT ${DEVICE_COLUMNS} FROM push_devices WHERE identity_id = ? AND platform = ? AND token = ?`)
      .get(candidate.identityId, candidate.platform, candidate.token) as DeviceRow | undefined;
    if (existing) {
      db.prepare('UPDATE push_devices SET endpoint_arn = ? WHERE device_id = ?').run(candidate.endpointArn, existing.device_id);
      return { outcome: 'ok' as const, device: { ...toDevice(existing), endpointArn: candidate.endpointArn } };
    }
    db.prepare(`INSERT INTO push_devices (${DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
      candidate.deviceId,
      candidate.identityPoolId,
      candidate.identityId,
      candidate.platform,
      candidate.token,
      candidate.endpointArn,
      candidate.createdAt.getTime(),
    );
    return { outcome: 'ok' as const, device: candidate };
  });
}

/** The device must belong to the addressed identity: another identity's device id is as good as unknown. */
function deviceOwned(db: Db, identityId: string, deviceId: string): boolean {
  return db.prepare('SELECT 1 FROM push_devices WHERE device_id = ? AND identity_id = ?').get(deviceId, identityId) !== undefined;
}

export function subscribeToDataset(
  db: Db,
  address: DatasetAddress,
  deviceId: string,
  now: Date,
): IdentityNotFound | DeviceNotFound | { outcome: 'dataset-not-found' } | { outcome: 'ok' } {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, () => {
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    if (!deviceOwned(db, identityId, deviceId)) return { outcome: 'device-not-found' as const };
    if (!db.prepare('SELECT 1 FROM datasets WHERE identity_id = ? AND dataset_name = ?').get(identityId, datasetName)) {
      return { outcome: 'dataset-not-found' as const };
    }
    db.prepare(
      `INSERT INTO dataset_subscriptions (identity_id, dataset_name, device_id, subscribed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (identity_id, dataset_name, device_id) DO NOTHING`,
    ).run(identityId, datasetName, deviceId, now.getTime());
    return { outcome: 'ok' as const };
  });
}

export function unsubscribeFromDataset(db: Db, address: DatasetAddress, deviceId: string): IdentityNotFound | DeviceNotFound | { outcome: 'ok' } {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, () => {
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    if (!deviceOwned(db, identityId, deviceId)) return { outcome: 'device-not-found' as const };
    db.prepare('DELETE FROM dataset_subscriptions WHERE identity_id = ? AND dataset_name = ? AND device_id = ?').run(
      identityId,
      datasetName,
      deviceId,
    );
    return { outcome: 'ok' as const };
  });
}

export function listDatasetSubscribers(db: Db, address: DatasetAddress): PushDevice[] {
  return inReadTransaction(db, () => {
    const rows = db
      .prepare(
        `SELECT d.device_id, d.identity_pool_id, d.identity_id, d.platform, d.token, d.endpoint_arn, d.created_at
         FROM dataset_subscriptions s JOIN push_devices d ON d.device_id = s.device_id
         WHERE s.identity_id = ? AND s.dataset_name = ? ORDER BY d.device_id`,
      )
      .all(address.identityId, address.datasetName) as unknown as DeviceRow[];
    return rows.filter((row) => row.identity_pool_id === address.identityPoolId).map(toDevice);
  });
}

export function dropEndpointSubscriptions(db: Db, endpointArn: string): number {
  return inTransaction(db, () => {
    const result = db
      .prepare('DELETE FROM dataset_subscriptions WHERE device_id IN (SELECT device_id FROM push_devices WHERE endpoint_arn = ?)')
      .run(endpointArn);
    return Number(result.changes);
  });
}

/**
 * Inside the UpdateRecords transaction that raised the dataset to `syncCount`: queues one push per device
 * subscribed to it, the writer's own device (UpdateRecords' DeviceId) excepted. Returns how many were queued.
 */
export function addPushEntries(db: Db, address: DatasetAddress, syncCount: number, writerDeviceId: string | undefined, now: Date): number {
  const at = now.getTime();
  const result = db
    .prepare(
      `INSERT INTO outbox (kind, ordering_key, payload, created_at, next_attempt_at)
       SELECT ?, ? || d.device_id,
         json_object('deviceId', d.device_id, 'endpointArn', d.endpoint_arn, 'platform', d.platform,
           'identityPoolId', ?, 'identityId', ?, 'datasetName', ?, 'syncCount', ?),
         ?, ?
       FROM dataset_subscriptions s JOIN push_devices d ON d.device_id = s.device_id
       WHERE s.identity_id = ? AND s.dataset_name = ? AND d.device_id <> ?
       ORDER BY d.device_id`,
    )
    .run(
      PUSH_SYNC_KIND,
      pushOrderingKeyPrefix,
      address.identityPoolId,
      address.identityId,
      address.datasetName,
      syncCount,
      at,
      at,
      address.identityId,
      address.datasetName,
      writerDeviceId ?? '',
    );
  return Number(result.changes);
}
