// STS AssumeRoleWithWebIdentity, the last step of Cognito's basic (classic) flow: GetId → GetOpenIdToken (or a
// backend's GetOpenIdTokenForDeveloperIdentity) → this. The web identity token must be an OpenID token this server
// issued, and the role one its pool's roles trust for that token: the pool's role for the token's `amr`
// (authenticated or unauthenticated), or one the pool's role mapping gives the login. That is how the trust
// policy of a Cognito role reads on AWS; any other role is AccessDenied. The credentials are the same identity
// credentials GetCredentialsForIdentity hands out, so they act as the identity on Cognito Sync and nothing else.
// Session policies (Policy, PolicyArns) can only narrow a role's permissions; these credentials have no IAM
// permissions to narrow, so they are accepted and change nothing.
import type { IdentityCredentials } from '../../auth/identity-credentials.ts';
import { COGNITO_LOGIN_PROVIDER, type OpenIdTokens, type TokenProblem } from '../../auth/open-id-tokens.ts';
import type { AssumeRoleWithWebIdentityResponse } from '../../model/sts-types.ts';
import { ServiceError } from '../../protocol/errors.ts';
import type { Identity, Store } from '../../store/store.ts';
import { mayAssumeRole } from '../cognito-identity/role-choice.ts';
import { roleChoiceLogins } from '../cognito-identity/role-choice-logins.ts';
import type { StsHandlers } from '../context.ts';
import { assumedRoleUser } from './assumed-role.ts';

/** AWS's default when DurationSeconds is not given; the model bounds it to 900–43200. */
const DEFAULT_DURATION_SECONDS = 3600;

const invalidIdentityToken = (reason: string) => new ServiceError('InvalidIdentityToken', reason);
const accessDenied = (reason?: string) =>
  new ServiceError('AccessDenied', `Not authorized to perform sts:AssumeRoleWithWebIdentity${reason ? `: ${reason}` : ''}`);

function refusal(problem: TokenProblem, now: Date): ServiceError {
  switch (problem.kind) {
    case 'expired':
      return new ServiceError(
        'ExpiredTokenException',
        `Token expired: current date/time ${Math.floor(now.getTime() / 1000)} must be before the expiration date/time ${problem.expiresAt ?? '(unknown)'}`,
      );
    case 'issuer':
      return invalidIdentityToken('No OpenIDConnect provider found for the issuer of this token: this server accepts only the OpenID tokens it issued (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity).');
    case 'signature':
      return invalidIdentityToken("Couldn't verify signed token: it was not issued by this server, or it was altered.");
    case 'malformed':
      return invalidIdentityToken('The web identity token that was passed is not a valid OpenID Connect ID token issued by this server.');
  }
}

/** The identity the token stands for now (the one it was merged into, if so), still in the token's pool. */
async function actingIdentity(store: Store, identityId: string, identityPoolId: string): Promise<Identity> {
  let identity = await store.getIdentity(identityId);
  if (identity?.mergedInto !== undefined) identity = await store.getIdentity(identity.mergedInto);
  if (!identity || identity.identityPoolId !== identityPoolId) throw invalidIdentityToken(`The identity this token was issued to (${identityId}) no longer exists.`);
  if (identity.disabled) throw invalidIdentityToken(`The identity this token was issued to (${identityId}) is disabled.`);
  return identity;
}

export function stsHandlers(store: Store, tokens: OpenIdTokens, credentials: IdentityCredentials): Pick<StsHandlers, 'AssumeRoleWithWebIdentity'> {
  return {
    async AssumeRoleWithWebIdentity(input, ctx): Promise<AssumeRoleWithWebIdentityResponse> {
      if (input.ProviderId !== undefined) {
        throw invalidIdentityToken('ProviderId is for OAuth 2.0 access tokens (www.amazon.com, graph.facebook.com); this server accepts only the OpenID tokens it issued, which take none.');
      }
      const verified = await tokens.verifyWebIdentity(input.WebIdentityToken);
      if ('problem' in verified) throw refusal(verified.problem, ctx.now);
      const pool = await store.getIdentityPool(verified.identityPoolId);
      if (!pool) throw invalidIdentityToken(`The identity pool this token was issued for (${verified.identityPoolId}) no longer exists.`);
      const identity = await actingIdentity(store, verified.identityId, pool.identityPoolId);

      const authenticated = verified.amr.includes('authenticated');
      if (!authenticated && !pool.spec.AllowUnauthenticatedIdentities) {
        throw accessDenied(`identity pool ${pool.identityPoolId} no longer allows unauthenticated identities`);
      }
      const roles = await store.getIdentityPoolRoles(pool.identityPoolId);
      const logins = roleChoiceLogins({ [COGNITO_LOGIN_PROVIDER]: input.WebIdentityToken });
      if (!mayAssumeRole(roles, { authenticated, logins }, input.RoleArn)) throw accessDenied();
      const roleUser = assumedRoleUser(input.RoleArn, input.RoleSessionName);
      // The pool's roles were checked to be IAM role ARNs when they were set.
      if (!roleUser) throw accessDenied();

      const issued = credentials.issue(
        { identityId: identity.identityId, identityPoolId: pool.identityPoolId, accountId: pool.accountId },
        ctx.now,
        input.DurationSeconds ?? DEFAULT_DURATION_SECONDS,
      );
      return {
        Credentials: { AccessKeyId: issued.AccessKeyId, SecretAccessKey: issued.SecretKey, SessionToken: issued.SessionToken, Expiration: issued.Expiration },
        SubjectFromWebIdentityToken: verified.identityId,
        AssumedRoleUser: roleUser,
        Provider: COGNITO_LOGIN_PROVIDER,
        Audience: pool.identityPoolId,
      };
    },
  };
}
