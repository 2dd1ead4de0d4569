// An identity pool's ARN, `arn:aws:cognito-identity:<region>:<account>:identitypool/<pool id>`: what TagResource,
// UntagResource and ListTagsForResource name a pool by (and IAM policies, on AWS).
import { invalidParameter } from '../../protocol/errors.ts';

const POOL_ARN = /^arn:(aws[\w-]*):cognito-identity:([a-z0-9-]+):(\d{12}):identitypool\/([\w-]+:[0-9a-f-]+)$/;

export const identityPoolArn = (region: string, accountId: string, identityPoolId: string) =>
  `arn:aws:cognito-identity:${region}:${accountId}:identitypool/${identityPoolId}`;

export interface PoolArnParts {
  region: string;
  accountId: string;
  identityPoolId: string;
}

/** The parts of a pool ARN; InvalidParameterException naming the expected form for anything else. */
export function parsePoolArn(arn: string): PoolArnParts {
  const match = POOL_ARN.exec(arn);
  if (!match) {
    throw invalidParameter(
      `Invalid ResourceArn '${arn}': an identity pool's ARN is arn:aws:cognito-identity:<region>:<account id>:identitypool/<identity pool id>.`,
    );
  }
  return { region: match[2]!, accountId: match[3]!, identityPoolId: match[4]! };
}
