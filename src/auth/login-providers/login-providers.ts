// Which provider a Logins key stands for in a pool, and its verification: the key must be one the pool names
// (SupportedLoginProviders, CognitoIdentityProviders, OpenIdConnectProviderARNs, SamlProviderARNs); the token is
// then checked with that provider as AWS checks it, and the login is (provider key, the user's id there).
import type { Logger } from 'pino';
import type { IdentityLogin, IdentityPool } from '../../store/store.ts';
import { notAuthorized } from '../../protocol/errors.ts';
import { APPLE, verifyAppleLogin } from './apple.ts';
import { verifyUserPoolLogin } from './cognito-user-pool.ts';
import { FACEBOOK, verifyFacebookLogin } from './facebook.ts';
import { GOOGLE, verifyGoogleLogin } from './google.ts';
import type { IamProviders } from './iam-providers-file.ts';
import { unsupportedProvider } from './login-errors.ts';
import { AMAZON, verifyAmazonLogin } from './login-with-amazon.ts';
import { oidcProviderName, verifyOpenIdConnectLogin } from './openid-connect.ts';
import type { ProviderClients } from './provider-clients.ts';
import type { ProviderEndpoints } from './provider-endpoints.ts';
import { ProviderHttp } from './provider-http.ts';
import { ProviderKeySets } from './provider-key-sets.ts';
import { SamlVerifier } from './saml.ts';
import { TWITTER, verifyTwitterLogin } from './twitter.ts';

/** Digits, Twitter's phone sign-in, which Cognito still lists: shut down in 2017, so its tokens cannot be checked. */
export const DIGITS = 'www.digits.com';

export interface LoginProviderOptions {
  endpoints: ProviderEndpoints;
  timeoutMs: number;
  /** Least time between two fetches of one provider's keys for an unknown key id. */
  keyRefetchCooldownMs: number;
  iam: IamProviders;
  logger: Logger;
}

export class LoginProviders {
  private readonly clients: ProviderClients;
  private readonly iam: IamProviders;
  private readonly saml = new SamlVerifier();

  constructor(options: LoginProviderOptions) {
    const http = new ProviderHttp({ endpoints: options.endpoints, timeoutMs: options.timeoutMs, logger: options.logger });
    this.clients = { http, keys: new ProviderKeySets(http, options.keyRefetchCooldownMs), logger: options.logger };
    this.iam = options.iam;
  }

  /** The verified login, or NotAuthorizedException / ExternalServiceException. */
  async verify(pool: IdentityPool, providerName: string, token: string, now: Date): Promise<IdentityLogin> {
    return { providerName, userIdentifier: await this.subjectOf(pool, providerName, token, now) };
  }

  private async subjectOf(pool: IdentityPool, providerName: string, token: string, now: Date): Promise<string> {
    if (providerName === DIGITS) {
      throw notAuthorized(`Logins from Digits ('${DIGITS}') cannot be verified: Twitter shut Digits down in 2017. Sign users in with another provider.`);
    }
    const { spec } = pool;
    const supported = spec.SupportedLoginProviders?.[providerName];
    if (supported !== undefined) {
      switch (providerName) {
        case GOOGLE:
          return verifyGoogleLogin(this.clients, [supported], token, now);
        case APPLE:
          return verifyAppleLogin(this.clients, [supported], token, now);
        case FACEBOOK:
          return verifyFacebookLogin(this.clients, supported, token);
        case AMAZON:
          return verifyAmazonLogin(this.clients, supported, token);
        case TWITTER:
          return verifyTwitterLogin(this.clients, supported, token);
        default:
          throw unsupportedProvider();
      }
    }
    const userPoolClients = (spec.CognitoIdentityProviders ?? []).filter((p) => p.ProviderName === providerName && p.ClientId);
    if (userPoolClients.length > 0) {
      return verifyUserPoolLogin(this.clients, providerName, userPoolClients.map((p) => p.ClientId!), token, now);
    }
    const oidcArn = (spec.OpenIdConnectProviderARNs ?? []).find((arn) => oidcProviderName(arn) === providerName);
    if (oidcArn !== undefined) {
      const clientIds = this.iam.openIdConnect.get(oidcArn);
      if (!clientIds) throw this.notConfigured(pool, oidcArn, 'its client ids');
      return verifyOpenIdConnectLogin(this.clients, providerName, clientIds, token, now);
    }
    if ((spec.SamlProviderARNs ?? []).includes(providerName)) {
      const idp = this.iam.samlProviders.get(providerName);
      if (!idp) throw this.notConfigured(pool, providerName, 'its IdP metadata');
      return this.saml.verify(idp, token);
    }
    throw unsupportedProvider();
  }

  /** The pool names an IAM provider the operator has not described here: the operator's mistake, said to both. */
  private notConfigured(pool: IdentityPool, arn: string, what: string) {
    this.clients.logger.warn({ identityPoolId: pool.identityPoolId, arn }, `a pool names an IAM provider missing from --iam-providers-file (${what})`);
    return notAuthorized(`The IAM provider '${arn}' that this identity pool names is not configured on this server (${what}); ask its operator to add it.`);
  }
}
