// Seals small JSON payloads into opaque, authenticated, encrypted tokens (AES-256-GCM) under a server
// key shared by every node through the store. Used for pagination tokens, sync session tokens and the
// session tokens of temporary credentials, each under its own derived key so one cannot pass for another.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';

export class TokenSealer {
  // KeyObjects, not Buffers: given a byte key, createCipheriv first probes it with two thrown-and-caught
  // exceptions (isKeyObject, isCryptoKey), each capturing a stack trace — most of the cost of opening a
  // session token on every identity-signed request, in the CPU profile.
  private readonly keys = new Map<string, KeyObject>();
  private readonly master: Buffer;

  constructor(masterSecret: string) {
    this.master = Buffer.from(masterSecret, 'base64url');
    if (this.master.length < 32) throw new Error('the server secret must hold at least 32 bytes');
  }

  private keyFor(purpose: string): KeyObject {
    let key = this.keys.get(purpose);
    if (!key) {
      key = createSecretKey(Buffer.from(hkdfSync('sha256', this.master, Buffer.alloc(0), `cognito-sync-server/${purpose}`, 32)));
      this.keys.set(purpose, key);
    }
    return key;
  }

  seal(purpose: string, payload: unknown): string {
    const iv = ivNotEncodingToDash();
    const cipher = createCipheriv('aes-256-gcm', this.keyFor(purpose), iv);
    const encrypted = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, encrypted, cipher.getAuthTag()]).toString('base64url');
  }

  /** Returns the payload, or undefined for anything not sealed by us for this purpose. */
  open<T>(purpose: string, token: string): T | undefined {
    if (!/^[A-Za-z0-9_-]{40,}$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 12 + 16 + 2) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keyFor(purpose), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}

/**
 * A token starts with its IV's first six bits, and one in 64 IVs would make that '-': the AWS CLIs then read
 * `--sync-session-token -…` as a missing argument. Drawing again costs the IV under 0.03 bits of its 96 and
 * changes nothing in the format, so tokens issued before still open.
 */
function ivNotEncodingToDash(): Buffer {
  let iv: Buffer;
  do iv = randomBytes(12);
  while (iv[0]! >>> 2 === 62); // 62 is '-' in the base64url alphabet
  return iv;
}

export const newServerSecret = () => randomBytes(32).toString('base64url');
