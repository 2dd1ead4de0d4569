// Seals small JSON payloads into opaque, authenticated, encrypted tokens (AES-256-GCM) under the server keys
// shared by every node through the store (see server-keys.ts). Used for pagination tokens, sync session tokens
// and the session tokens of temporary credentials, each under its own derived key so one cannot pass for another.
//
// A token names the key that sealed it, so keys can be rotated: new tokens are sealed with the current key and
// every key still configured opens its own. Layout, base64url-encoded:
//   format (1 byte, 0x01) | key id (2 bytes, big-endian) | IV (12) | ciphertext | GCM tag (16)
// with the first three bytes authenticated as additional data. The format byte also makes every token start
// with 'A', never with '-' (which both AWS CLIs would read as a missing argument: `--sync-session-token -…`). Tokens sealed before keys had ids — IV | ciphertext | tag — are opened with key 1.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';

const FORMAT = 0x01;
const HEADER_BYTES = 3;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The key that opens tokens sealed before tokens carried a key id. */
const UNNUMBERED_KEY_ID = 1;

export interface SealingKey {
  id: number;
  /** base64url, at least 32 bytes. */
  secret: string;
}

export class TokenSealer {
  // KeyObjects, not Buffers: given a byte key, createCipheriv first probes it with two thrown-and-caught
  // exceptions (isKeyObject, isCryptoKey), each capturing a stack trace — most of the cost of opening a
  // session token on every identity-signed request, in the CPU profile.
  private readonly derived = new Map<string, KeyObject>();
  private readonly masters = new Map<number, Buffer>();
  private readonly currentId: number;

  /** `keys`: the current key first, then those that still open tokens. */
  constructor(keys: SealingKey[]) {
    if (keys.length === 0) throw new Error('a token sealer needs at least one key');
    for (const { id, secret } of keys) {
      const master = Buffer.from(secret, 'base64url');
      if (master.length < 32) throw new Error(`server key ${id}: the secret must hold at least 32 bytes`);
      this.masters.set(id, master);
    }
    this.currentId = keys[0]!.id;
  }

  /** The id of the key new tokens are sealed with. */
  get currentKeyId(): number {
    return this.currentId;
  }

  private keyFor(keyId: number, purpose: string): KeyObject | undefined {
    const cacheKey = `${keyId}/${purpose}`;
    let key = this.derived.get(cacheKey);
    if (!key) {
      const master = this.masters.get(keyId);
      if (!master) return undefined;
      key = createSecretKey(Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `cognito-sync-server/${purpose}`, 32)));
      this.derived.set(cacheKey, key);
    }
    return key;
  }

  seal(purpose: string, payload: unknown): string {
    const header = Buffer.from([FORMAT, this.currentId >> 8, this.currentId & 0xff]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyFor(this.currentId, purpose)!, iv);
    cipher.setAAD(header);
    const encrypted = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, encrypted, cipher.getAuthTag()]).toString('base64url');
  }

  /** Returns the payload, or undefined for anything not sealed by us for this purpose with a key still in use. */
  open<T>(purpose: string, token: string): T | undefined {
    return this.openWithKeyId<T>(purpose, token)?.payload;
  }

  /** As open(), also saying which key sealed the token. */
  openWithKeyId<T>(purpose: string, token: string): { payload: T; keyId: number } | undefined {
    if (!/^[A-Za-z0-9_-]{40,}$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw[0] === FORMAT && raw.length >= HEADER_BYTES + IV_BYTES + TAG_BYTES + 2) {
      const keyId = raw.readUInt16BE(1);
      const payload = this.decrypt<T>(this.keyFor(keyId, purpose), raw.subarray(0, HEADER_BYTES), raw.subarray(HEADER_BYTES));
      if (payload !== undefined) return { payload, keyId };
    }
    // An unnumbered token (one in 256 of them also starts with the format byte, hence the fall-through).
    const payload = this.decrypt<T>(this.keyFor(UNNUMBERED_KEY_ID, purpose), undefined, raw);
    return payload === undefined ? undefined : { payload, keyId: UNNUMBERED_KEY_ID };
  }

  private decrypt<T>(key: KeyObject | undefined, header: Buffer | undefined, sealed: Buffer): T | undefined {
    if (!key || sealed.length < IV_BYTES + TAG_BYTES + 2) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      if (header) decipher.setAAD(header);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}

export const newServerSecret = () => randomBytes(32).toString('base64url');
