// Finds the secret for an access key: developer keys live in the store; temporary identity credentials
// (ASIA…) carry everything in their sealed session token (see identity-credentials.ts).
import { notAuthorized, ServiceError } from '../protocol/errors.ts';
import type { DeveloperKeyStore } from '../store/store.ts';
import type { CredentialResolver, SigningIdentity } from './principal.ts';

export const unrecognizedClient = () =>
  new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');

/** Resolves temporary credentials issued by this server's Cognito Identity; added by the identities layer. */
export interface TemporaryCredentialResolver {
  resolve(accessKeyId: string, sessionToken: string): Promise<SigningIdentity>;
}

export class StoreCredentialResolver implements CredentialResolver {
  private readonly keys: Pick<DeveloperKeyStore, 'getDeveloperKey'>;
  private readonly temporary: TemporaryCredentialResolver | undefined;

  constructor(keys: Pick<DeveloperKeyStore, 'getDeveloperKey'>, temporary?: TemporaryCredentialResolver) {
    this.keys = keys;
    this.temporary = temporary;
  }

  async resolve(accessKeyId: string, sessionToken: string | undefined): Promise<SigningIdentity> {
    // Temporary credentials (ASIA…) carry what they are in their session token: no key lookup in the store.
    if (sessionToken !== undefined && this.temporary && accessKeyId.startsWith('ASIA')) return this.temporary.resolve(accessKeyId, sessionToken);
    // Read on every request, never cached: a key revoked on any node stops working on this one at once.
    const key = await this.keys.getDeveloperKey(accessKeyId);
    if (key) {
      // Developer keys are long-term keys: we never issue them a session token, so a request that carries
      // one is presenting someone else's temporary credentials.
      if (sessionToken !== undefined) {
        throw notAuthorized('A session token was presented with long-term developer credentials; this operation requires developer credentials without a session token.');
      }
      return { secretAccessKey: key.secretAccessKey, principal: { kind: 'developer', accountId: key.accountId, accessKeyId } };
    }
    if (sessionToken !== undefined && this.temporary) return this.temporary.resolve(accessKeyId, sessionToken);
    throw unrecognizedClient();
  }
}
