// The identifiers AWS gives an assumed role session (AssumedRoleUser): `arn:aws:sts::<account>:assumed-role/<role
// name>/<session name>` and `<role id>:<session name>`. There is no IAM here to hold role ids, so a role's id is
// derived from its ARN: the same role always has the same `AROA…` id, as on AWS.
import { createHash } from 'node:crypto';

const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function roleIdOf(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn).digest();
  let id = 'AROA';
  for (let i = 0; i < 17; i++) id += BASE32[digest[i]! % 32];
  return id;
}

export interface AssumedRoleUser {
  Arn: string;
  AssumedRoleId: string;
}

/** Undefined when `roleArn` is not an IAM role ARN. */
export function assumedRoleUser(roleArn: string, sessionName: string): AssumedRoleUser | undefined {
  const match = ROLE_ARN.exec(roleArn);
  if (!match) return undefined;
  const [, partition, accountId, roleName] = match;
  return { Arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`, AssumedRoleId: `${roleIdOf(roleArn)}:${sessionName}` };
}
