// Who may call each operation, checked in one place before any handler runs (reference: "Operations").
import type { CognitoSyncOperations } from '../model/cognito-sync-types.ts';
import type { OperationModel, ServiceModel } from '../model/types.ts';
import { notAuthorized } from '../protocol/errors.ts';
import type { Principal } from './principal.ts';

/** developer: long-term developer keys only. identity: Cognito Identity temporary credentials only. */
export type CallerRule = 'developer' | 'identity' | 'both' | 'anyone';

/** Cognito Sync's signed operations: which credentials each takes is AWS's documentation, not the model's. */
const cognitoSyncRules: Record<keyof CognitoSyncOperations, Exclude<CallerRule, 'anyone'>> = {
  ListIdentityPoolUsage: 'developer',
  DescribeIdentityPoolUsage: 'developer',
  GetIdentityPoolConfiguration: 'developer',
  SetIdentityPoolConfiguration: 'developer',
  GetCognitoEvents: 'developer',
  SetCognitoEvents: 'developer',
  BulkPublish: 'developer',
  GetBulkPublishDetails: 'developer',
  DescribeIdentityUsage: 'both',
  ListDatasets: 'both',
  DescribeDataset: 'both',
  UpdateRecords: 'both',
  DeleteDataset: 'both',
  ListRecords: 'both',
  RegisterDevice: 'identity',
  SubscribeToDataset: 'identity',
  UnsubscribeFromDataset: 'identity',
};

const cognitoSyncRuleByName = new Map<string, CallerRule>(Object.entries(cognitoSyncRules));

export function callerRule(service: ServiceModel, operation: OperationModel): CallerRule {
  // The operations AWS serves unsigned (the model's smithy.api#noAuth: Cognito Identity's GetId, GetOpenIdToken,
  // GetCredentialsForIdentity, UnlinkIdentity) are open to anyone; every other one needs a signature.
  if (operation.unsigned) return 'anyone';
  if (service.signingName === 'cognito-sync') return cognitoSyncRuleByName.get(operation.name) ?? 'developer';
  return 'developer';
}

const NOT_FOR_IDENTITY =
  'This API can only be called with developer credentials. You cannot call this API with the temporary user credentials provided by Cognito Identity.';
const NOT_FOR_DEVELOPER = 'This API can only be called with the temporary user credentials provided by Cognito Identity.';
const NOT_YOUR_RESOURCE = 'These credentials are not valid for accessing this resource';

/**
 * Throws NotAuthorizedException unless `principal` may call `operation` on the resources `input` names.
 * Identity credentials reach only their own pool and identity.
 */
export function authorize(rule: CallerRule, principal: Principal, input: Record<string, unknown>): void {
  if (rule === 'anyone') return;
  if (principal.kind === 'anonymous') throw notAuthorized('Missing credentials: this operation must be signed.');
  if (rule === 'developer' && principal.kind !== 'developer') throw notAuthorized(NOT_FOR_IDENTITY);
  if (rule === 'identity' && principal.kind !== 'identity') throw notAuthorized(NOT_FOR_DEVELOPER);
  if (principal.kind === 'identity') {
    if (input.IdentityPoolId !== undefined && input.IdentityPoolId !== principal.identityPoolId) throw notAuthorized(NOT_YOUR_RESOURCE);
    if (input.IdentityId !== undefined && input.IdentityId !== principal.identityId) throw notAuthorized(NOT_YOUR_RESOURCE);
  }
}
