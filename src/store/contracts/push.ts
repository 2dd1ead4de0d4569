// The storage contract for push sync: registered devices and their dataset subscriptions.
import type { DatasetAddress, IdentityNotFound } from './datasets.ts';


export type PushPlatform = 'APNS' | 'APNS_SANDBOX' | 'GCM' | 'ADM';

/** A device registered for push sync: one SNS platform endpoint, owned by one identity. */
export interface PushDevice {
  deviceId: string;
  identityPoolId: string;
  identityId: string;
  platform: PushPlatform;
  token: string;
  /** The SNS platform endpoint pushes to this device are published to. */
  endpointArn: string;
  createdAt: Date;
}

export type DeviceNotFound = { outcome: 'device-not-found' };

export interface PushStore {
  /**
   * Stores `candidate`; when the identity already registered this platform and token, keeps that device's id,
   * points it at `candidate.endpointArn` and returns it instead. Atomic: racing registrations of one token
   * end with one device.
   */
  putDevice(candidate: PushDevice): Promise<IdentityNotFound | { outcome: 'ok'; device: PushDevice }>;
  /** Subscribes the identity's device to the dataset (again: no change). The dataset must exist. */
  subscribeToDataset(
    address: DatasetAddress,
    deviceId: string,
    now: Date,
  ): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'dataset-not-found' } | { outcome: 'ok' }>;
  /** Removes the subscription if there is one. */
  unsubscribeFromDataset(address: DatasetAddress, deviceId: string): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'ok' }>;
  /** The devices subscribed to the dataset, ordered by device id. */
  listDatasetSubscribers(address: DatasetAddress): Promise<PushDevice[]>;
  /** SNS reported the endpoint disabled or gone: drops every subscription of the devices using it; returns how many. */
  dropEndpointSubscriptions(endpointArn: string): Promise<number>;
}
