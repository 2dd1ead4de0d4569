// Every operation's handler, keyed by the signing name of its service. The maps are typed by the generated
// handler interfaces: an operation the model has and no handler serves is a compile error here.
import type { IdentityCredentials } from '../auth/identity-credentials.ts';
import type { LoginMapping } from '../auth/login-providers/login-mapping-file.ts';
import type { LoginProviders } from '../auth/login-providers/login-providers.ts';
import type { OpenIdTokens } from '../auth/open-id-tokens.ts';
import type { Config } from '../config.ts';
import type { TokenSealer } from '../crypto/token-sealer.ts';
import type { SnsMobilePush } from '../delivery/sns-mobile-push.ts';
import { cognitoIdentityModel } from '../model/cognito-identity.ts';
import { cognitoSyncModel } from '../model/cognito-sync.ts';
import { stsModel } from '../model/sts.ts';
import type { Store } from '../store/store.ts';
import { credentialHandlers } from './cognito-identity/credentials.ts';
import { developerIdentityHandlers } from './cognito-identity/developer-identities.ts';
import { identityHandlers } from './cognito-identity/identities.ts';
import { identityPoolHandlers } from './cognito-identity/identity-pools.ts';
import type { LoginVerification } from './cognito-identity/logins.ts';
import { openIdTokenHandlers } from './cognito-identity/open-id-tokens.ts';
import { poolRoleHandlers } from './cognito-identity/pool-roles.ts';
import { poolTagHandlers } from './cognito-identity/pool-tags.ts';
import { principalTagHandlers } from './cognito-identity/principal-tags.ts';
import { unlinkIdentityHandlers } from './cognito-identity/unlink-identity.ts';
import { bulkPublishHandlers } from './cognito-sync/bulk-publish.ts';
import { cognitoEventsHandlers } from './cognito-sync/cognito-events.ts';
import { datasetHandlers } from './cognito-sync/datasets.ts';
import { poolConfigurationHandlers } from './cognito-sync/pool-configuration.ts';
import { pushSyncHandlers } from './cognito-sync/push-sync.ts';
import { recordHandlers } from './cognito-sync/records.ts';
import { SyncSessionTokens } from './cognito-sync/sync-session-tokens.ts';
import type { SyncTrigger } from './cognito-sync/sync-trigger.ts';
import { usageHandlers } from './cognito-sync/usage.ts';
import { type CognitoIdentityHandlers, type CognitoSyncHandlers, handlersByName, type ServiceHandlers, type StsHandlers } from './context.ts';
import { PageTokens } from './pagination.ts';
import { stsHandlers } from './sts/assume-role-with-web-identity.ts';

export interface ServiceDependencies {
  config: Config;
  store: Store;
  /** The store as handlers that queue deliveries see it: writes that queue outbox work wake this node's worker. */
  outboxStore: Store;
  sealer: TokenSealer;
  openIdTokens: OpenIdTokens;
  loginProviders: LoginProviders;
  importedLogins: LoginMapping;
  identityCredentials: IdentityCredentials;
  syncTrigger: SyncTrigger;
  mobilePush: SnsMobilePush;
}

export function buildServiceHandlers(deps: ServiceDependencies): Map<string, ServiceHandlers> {
  const { config, store, outboxStore, sealer, openIdTokens } = deps;
  const pageTokens = new PageTokens(sealer);
  const sessions = new SyncSessionTokens(sealer, config.syncSessionTtlSeconds);
  const logins: LoginVerification = { tokens: openIdTokens, providers: deps.loginProviders, importedLogins: deps.importedLogins };
  const cognitoSync: CognitoSyncHandlers = {
    ...poolConfigurationHandlers(store),
    ...cognitoEventsHandlers(store),
    ...recordHandlers(outboxStore, { pageTokens, sessions, quotas: config.syncQuotas, syncTrigger: deps.syncTrigger }),
    ...datasetHandlers(outboxStore, pageTokens),
    ...bulkPublishHandlers(outboxStore),
    ...usageHandlers(store, pageTokens),
    ...pushSyncHandlers(store, deps.mobilePush),
  };
  const cognitoIdentity: CognitoIdentityHandlers = {
    ...identityPoolHandlers(store, pageTokens),
    ...identityHandlers(store, logins, pageTokens),
    ...openIdTokenHandlers(store, logins),
    ...credentialHandlers(store, logins, deps.identityCredentials),
    ...unlinkIdentityHandlers(store, logins),
    ...developerIdentityHandlers(store, pageTokens),
    ...poolRoleHandlers(store),
    ...poolTagHandlers(store),
    ...principalTagHandlers(store),
  };
  // Of STS, only the basic Cognito flow's call is served; the pipeline answers every other action InvalidAction.
  const sts: Pick<StsHandlers, 'AssumeRoleWithWebIdentity'> = stsHandlers(store, openIdTokens, deps.identityCredentials);
  return new Map([
    [cognitoSyncModel.signingName, handlersByName(cognitoSync)],
    [cognitoIdentityModel.signingName, handlersByName(cognitoIdentity)],
    [stsModel.signingName, handlersByName(sts)],
  ]);
}
