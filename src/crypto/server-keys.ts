// The server keys: what seals tokens (session tokens of temporary credentials, sync session tokens, pagination
// tokens), derives the temporary credentials' secret keys, and signs OpenID tokens. They live in the store, so
// every node sharing it uses the same ones, and they are numbered so they can be rotated: --server-key-ids lists
// the ids in use, the current one first. The current key seals and signs; every listed key still opens and
// verifies what it made; a key left off the list is retired and what it made is refused.
//
// Each key id has three stored secrets, created by the first node that starts with that id. Key 1's keep the
// names they had before keys were numbered, so a deployment that upgrades keeps its keys and its tokens.
import { generateKeyPair, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import type { ServerSecretStore } from '../store/store.ts';
import { storedOrGenerated } from './stored-or-generated.ts';
import { newServerSecret } from './token-sealer.ts';

export interface ServerKey {
  id: number;
  /** Master secret of sealed tokens (base64url, 32 bytes); each purpose has its own key derived from it. */
  sealingSecret: string;
  /** What temporary credentials' secret keys are derived under (base64url, 32 bytes). */
  credentialsSigningSecret: string;
  /** The RSA key OpenID tokens are signed with, as a private JWK. */
  openIdSigningKey: JsonWebKey;
}

export const MAX_SERVER_KEY_ID = 65_535;

const secretName = (base: string, id: number) => (id === 1 ? base : `${base}:${id}`);

const generateOpenIdSigningKey = async () => {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
};

/** Loads the keys `ids` names (current first), creating any the store does not hold yet; `generated` lists the
 *  ids whose OpenID signing key this call had to make. */
export async function loadServerKeys(secrets: ServerSecretStore, ids: number[]): Promise<{ keys: ServerKey[]; generated: number[] }> {
  const generated: number[] = [];
  const keys: ServerKey[] = [];
  for (const id of ids) {
    const sealingSecret = await secrets.getOrCreateSecret(secretName('token-sealing', id), newServerSecret());
    const credentialsSigningSecret = await secrets.getOrCreateSecret(secretName('identity-credentials-signing', id), newServerSecret());
    const openId = await storedOrGenerated(secrets, secretName('openid-signing-key', id), generateOpenIdSigningKey);
    if (openId.generated) generated.push(id);
    keys.push({ id, sealingSecret, credentialsSigningSecret, openIdSigningKey: JSON.parse(openId.value) as JsonWebKey });
  }
  return { keys, generated };
}
