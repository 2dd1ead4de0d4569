// The silent push a subscribed device gets when its dataset changes, in each platform's shape, as one SNS
// Publish with MessageStructure "json". What the clients read:
// - Android (GCM/FCM, ADM): the `data` members become the Intent's string extras; PushSyncUpdate requires all
//   five (source, identityPoolId, identityId, datasetName, syncCount) and parses syncCount with Long.parseLong.
// - iOS (APNS, APNS_SANDBOX): apps read userInfo["data"]["identityId" / "datasetName" / …], as AWS's guide
//   shows; `content-available: 1` with no alert, sound or badge is what makes the push silent and wakes the app.
import type { PushPlatform } from '../store/store.ts';

/** Every value is a string: the Android client reads them with Bundle.getString. */
export interface PushSyncData {
  source: 'cognito-sync';
  identityPoolId: string;
  identityId: string;
  datasetName: string;
  syncCount: string;
}

export interface SnsPushMessage {
  Message: string;
  MessageStructure: 'json';
  MessageAttributes?: Record<string, { DataType: 'String'; StringValue: string }>;
}

export function pushSyncData(change: { identityPoolId: string; identityId: string; datasetName: string; syncCount: number }): PushSyncData {
  return {
    source: 'cognito-sync',
    identityPoolId: change.identityPoolId,
    identityId: change.identityId,
    datasetName: change.datasetName,
    syncCount: String(change.syncCount),
  };
}

export function snsPushMessage(platform: PushPlatform, data: PushSyncData): SnsPushMessage {
  // SNS requires a `default` entry in a JSON-structured message; the platform's own entry wins for its endpoints.
  const message: Record<string, string> = { default: JSON.stringify(data) };
  if (platform === 'APNS' || platform === 'APNS_SANDBOX') {
    message[platform] = JSON.stringify({ aps: { 'content-available': 1 }, data });
    return {
      Message: JSON.stringify(message),
      MessageStructure: 'json',
      // Apple requires background pushes to say so (apns-push-type) and to be sent at priority 5.
      MessageAttributes: {
        'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'background' },
        'AWS.SNS.MOBILE.APNS.PRIORITY': { DataType: 'String', StringValue: '5' },
      },
    };
  }
  // GCM (SNS translates this legacy data-message shape for FCM HTTP v1 applications) and ADM.
  message[platform] = JSON.stringify({ data });
  return { Message: JSON.stringify(message), MessageStructure: 'json' };
}
