// The record Cognito Streams puts on the developer's Kinesis stream for one sync (reference: "Cognito Streams and
// BulkPublish"). Every member is always present, null when it does not apply, so consumers written against AWS
// (AWS's own sample reads `datasetName`, `kinesisSyncRecords`, `kinesisSyncRecordsURL`) find what they look for:
//   {identityPoolId, identityId, datasetName, operation, kinesisSyncRecords, lastModifiedDate,
//    kinesisSyncRecordsURL, payloadType, syncCount}
// Dates are epoch milliseconds. A payload too large for one Kinesis record carries its records in S3 instead:
// payloadType 'S3Url', kinesisSyncRecords null, and kinesisSyncRecordsURL a presigned GET URL of a JSON array of
// the same record objects (what AWS's sample consumer downloads and parses).
import type { StreamRecordPayload } from '../store/stream-outbox-entries.ts';

export interface KinesisSyncRecord {
  key: string;
  /** null for a removed record. */
  value: string | null;
  syncCount: number;
  lastModifiedDate: number;
  /** The device's own time of the change; the server's when the device sent none (consumers read it unconditionally). */
  deviceLastModifiedDate: number;
  op: 'replace' | 'remove';
}

export interface CognitoStreamRecord {
  identityPoolId: string;
  identityId: string;
  datasetName: string;
  operation: 'replace' | 'remove';
  kinesisSyncRecords: KinesisSyncRecord[] | null;
  lastModifiedDate: number;
  kinesisSyncRecordsURL: string | null;
  payloadType: 'Inline' | 'S3Url';
  syncCount: number;
}

export const toKinesisSyncRecords = (payload: StreamRecordPayload): KinesisSyncRecord[] =>
  payload.records.map((record) => ({
    key: record.key,
    value: record.value ?? null,
    syncCount: record.syncCount,
    lastModifiedDate: record.lastModifiedAt,
    deviceLastModifiedDate: record.deviceLastModifiedAt ?? record.lastModifiedAt,
    op: record.value === undefined ? 'remove' : 'replace',
  }));

/** The record with its sync records inline; a dataset deletion ('remove') has none to carry. */
export function inlineStreamRecord(payload: StreamRecordPayload): CognitoStreamRecord {
  return {
    identityPoolId: payload.identityPoolId,
    identityId: payload.identityId,
    datasetName: payload.datasetName,
    operation: payload.operation,
    kinesisSyncRecords: payload.operation === 'remove' ? null : toKinesisSyncRecords(payload),
    lastModifiedDate: payload.lastModifiedAt,
    kinesisSyncRecordsURL: null,
    payloadType: 'Inline',
    syncCount: payload.syncCount,
  };
}

/** The same record pointing at its sync records in S3. */
export const s3StreamRecord = (inline: CognitoStreamRecord, url: string): CognitoStreamRecord => ({
  ...inline,
  kinesisSyncRecords: null,
  kinesisSyncRecordsURL: url,
  payloadType: 'S3Url',
});

/** Records of one identity share a shard, so a consumer sees each identity's changes in order. */
export const partitionKeyOf = (record: Pick<CognitoStreamRecord, 'identityId'>) => record.identityId;
