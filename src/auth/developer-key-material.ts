// New developer key material, the one recipe for the keys a first start generates and `npm run keys -- create`
// makes: an AWS-shaped access key id (AKIA + 16 base-32 characters), a 40-character secret from 30 random bytes,
// and, when a key starts a new account, a random 12-digit account id.
import { randomBytes, randomInt } from 'node:crypto';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function generateAccessKeyId(): string {
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return id;
}

export const generateSecretAccessKey = () => randomBytes(30).toString('base64').replace(/[+/]/g, 'A');

/** 12 digits, not starting with 0 (so it survives tools that read it as a number). */
export const generateAccountId = () => String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(10)).join('');

export const ACCOUNT_ID = /^\d{12}$/;
