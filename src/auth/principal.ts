/** Who a request acts as, established by the signature before any handler runs. */
export type Principal =
  | { kind: 'developer'; accountId: string; accessKeyId: string }
  | { kind: 'identity'; accountId: string; accessKeyId: string; identityPoolId: string; identityId: string }
  /** An unsigned request, accepted only for the operations AWS serves unsigned. */
  | { kind: 'anonymous' };

/** The secret a request's signature must be made with, and whom it makes the caller. */
export interface SigningIdentity {
  secretAccessKey: string;
  principal: Exclude<Principal, { kind: 'anonymous' }>;
}

/** Finds the secret behind an access key id (and session token, for temporary credentials). */
export interface CredentialResolver {
  resolve(accessKeyId: string, sessionToken: string | undefined): Promise<SigningIdentity>;
}
