// Every error code the models define, across the services this server knows.
import type { CognitoIdentityErrorCode } from './cognito-identity-types.ts';
import type { CognitoSyncErrorCode } from './cognito-sync-types.ts';
import type { StsErrorCode } from './sts-types.ts';

export type ModelErrorCode = CognitoSyncErrorCode | CognitoIdentityErrorCode | StsErrorCode;
