// The basic (classic) flow: GetId → GetOpenIdToken → STS AssumeRoleWithWebIdentity. A pool set to
// `AllowClassicFlow: false` refuses GetOpenIdToken, in AWS's words; a pool that never set it allows it, as AWS does
// (aws/aws-cli#7652). GetOpenIdTokenForDeveloperIdentity serves the enhanced flow too and is never refused.
import { invalidParameter } from '../../protocol/errors.ts';
import type { IdentityPool } from '../../store/store.ts';

export function refuseUnlessClassicFlow(pool: IdentityPool): void {
  if (pool.spec.AllowClassicFlow === false) throw invalidParameter('Basic (classic) flow is not enabled, please use enhanced flow.');
}
