// The developer key the console signs with, kept in this tab's sessionStorage only: closing the tab forgets it,
// and it is never sent anywhere but in SigV4 signatures to this server.
const KEY = 'cognito-sync-console:developer-key';

export interface DeveloperKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export function loadKey(): DeveloperKey | undefined {
  const text = sessionStorage.getItem(KEY);
  if (!text) return undefined;
  try {
    const key = JSON.parse(text) as Partial<DeveloperKey>;
    return key.accessKeyId && key.secretAccessKey ? { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } : undefined;
  } catch {
    return undefined;
  }
}

export function saveKey(key: DeveloperKey) {
  sessionStorage.setItem(KEY, JSON.stringify(key));
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
}
