// Every login provider's stand-in, started together, with what a test needs around them: the server flags that
// send each provider's calls here (--login-provider-endpoint) and describe the IAM providers (--iam-providers-file),
// the pool settings that name them all, and one function per provider that signs a user in there and returns the
// `Logins` map an app would send.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FacebookGraphStandIn } from './facebook-graph.ts';
import { LoginWithAmazonStandIn } from './login-with-amazon.ts';
import { OidcIssuerHost, type TestIssuer } from './oidc-issuers.ts';
import { SamlIdp } from './saml-idp.ts';
import { TwitterStandIn } from './twitter.ts';

export const USER_POOL_HOST = 'cognito-idp.us-east-1.amazonaws.com';
export const USER_POOL_ID = 'us-east-1_TestPool1';
export const USER_POOL = `${USER_POOL_HOST}/${USER_POOL_ID}`;
export const USER_POOL_CLIENT_ID = '5abcdefghij0123456789klmno';
export const GOOGLE = 'accounts.google.com';
export const GOOGLE_CLIENT_ID = '123456789012-testapp.apps.googleusercontent.com';
export const APPLE = 'appleid.apple.com';
export const APPLE_SERVICES_ID = 'com.example.notes';
export const OIDC = 'login.example.com/tenant';
export const OIDC_ARN = `arn:aws:iam::123456789012:oidc-provider/${OIDC}`;
export const OIDC_CLIENT_ID = 'notes-app';
export const FACEBOOK = 'graph.facebook.com';
export const FACEBOOK_APP_ID = '1234567890123';
export const AMAZON = 'www.amazon.com';
export const AMAZON_APP_ID = 'amzn1.application.0123456789abcdef';
export const TWITTER = 'api.twitter.com';
export const SAML_ARN = 'arn:aws:iam::123456789012:saml-provider/TestIdP';

export type ProviderKind = 'userPool' | 'google' | 'apple' | 'oidc' | 'facebook' | 'amazon' | 'twitter' | 'saml';
export const PROVIDER_KINDS: ProviderKind[] = ['userPool', 'google', 'apple', 'oidc', 'facebook', 'amazon', 'twitter', 'saml'];

/** The Logins key of each provider kind. */
export const LOGIN_KEY: Record<ProviderKind, string> = {
  userPool: USER_POOL,
  google: GOOGLE,
  apple: APPLE,
  oidc: OIDC,
  facebook: FACEBOOK,
  amazon: AMAZON,
  twitter: TWITTER,
  saml: SAML_ARN,
};

export class LoginProviderStandIns {
  readonly userPoolHost = new OidcIssuerHost();
  readonly googleHost = new OidcIssuerHost();
  readonly appleHost = new OidcIssuerHost();
  readonly oidcHost = new OidcIssuerHost();
  readonly facebook = new FacebookGraphStandIn();
  readonly amazon = new LoginWithAmazonStandIn();
  readonly twitter = new TwitterStandIn();
  readonly samlIdp = new SamlIdp();
  userPool!: TestIssuer;
  google!: TestIssuer;
  apple!: TestIssuer;
  oidc!: TestIssuer;
  twitterApp = '';
  /** Holds the IAM providers file and the IdP's metadata. */
  readonly dir = mkdtempSync(join(tmpdir(), 'login-providers-'));

  static async start(): Promise<LoginProviderStandIns> {
    const standIns = new LoginProviderStandIns();
    await Promise.all(
      [standIns.userPoolHost, standIns.googleHost, standIns.appleHost, standIns.oidcHost, standIns.facebook, standIns.amazon, standIns.twitter].map((s) =>
        s.start(),
      ),
    );
    const userPoolIssuer = `https://${USER_POOL}`;
    standIns.userPool = await standIns.userPoolHost.addIssuer(userPoolIssuer, `${userPoolIssuer}/.well-known/jwks.json`, { discovery: false });
    standIns.google = await standIns.googleHost.addIssuer('https://accounts.google.com', 'https://www.googleapis.com/oauth2/v3/certs', { discovery: true });
    standIns.apple = await standIns.appleHost.addIssuer('https://appleid.apple.com', 'https://appleid.apple.com/auth/keys', { discovery: false });
    standIns.oidc = await standIns.oidcHost.addIssuer(`https://${OIDC}`, `https://${OIDC}/jwks`, { discovery: true });
    standIns.twitterApp = standIns.twitter.addApp();
    writeFileSync(join(standIns.dir, 'idp-metadata.xml'), standIns.samlIdp.metadata());
    writeFileSync(
      join(standIns.dir, 'iam-providers.json'),
      JSON.stringify({
        openIdConnectProviders: [{ arn: OIDC_ARN, clientIds: ['another-app', OIDC_CLIENT_ID] }],
        samlProviders: [{ arn: SAML_ARN, metadataFile: 'idp-metadata.xml' }],
      }),
    );
    return standIns;
  }

  get iamProvidersFile(): string {
    return join(this.dir, 'iam-providers.json');
  }

  /** `<provider>=<base URL>` for every provider. */
  endpointOverrides(): string[] {
    return [
      `${USER_POOL_HOST}=${this.userPoolHost.url}`,
      `${GOOGLE}=${this.googleHost.url}`,
      `${APPLE}=${this.appleHost.url}`,
      `${OIDC}=${this.oidcHost.url}`,
      `${FACEBOOK}=${this.facebook.url}`,
      `${AMAZON}=${this.amazon.url}`,
      `${TWITTER}=${this.twitter.url}`,
    ];
  }

  /** Server flags: every override as its own --login-provider-endpoint, and the IAM providers file. */
  serverArgs(): string[] {
    return [...this.endpointOverrides().flatMap((e) => ['--login-provider-endpoint', e]), '--iam-providers-file', this.iamProvidersFile];
  }

  /** CreateIdentityPool settings naming every provider. */
  poolSettings() {
    return {
      SupportedLoginProviders: {
        [GOOGLE]: GOOGLE_CLIENT_ID,
        [APPLE]: APPLE_SERVICES_ID,
        [FACEBOOK]: FACEBOOK_APP_ID,
        [AMAZON]: AMAZON_APP_ID,
        [TWITTER]: this.twitterApp,
      },
      CognitoIdentityProviders: [{ ProviderName: USER_POOL, ClientId: USER_POOL_CLIENT_ID, ServerSideTokenCheck: false }],
      OpenIdConnectProviderARNs: [OIDC_ARN],
      SamlProviderARNs: [SAML_ARN],
    };
  }

  /** Signs `subject` in with the provider; the `Logins` map an app sends. */
  async login(kind: ProviderKind, subject: string): Promise<Record<string, string>> {
    return { [LOGIN_KEY[kind]]: await this.token(kind, subject) };
  }

  async token(kind: ProviderKind, subject: string): Promise<string> {
    switch (kind) {
      case 'userPool':
        return this.userPool.token({ sub: subject, aud: USER_POOL_CLIENT_ID, token_use: 'id', 'cognito:username': subject });
      case 'google':
        return this.google.token({ sub: subject, aud: GOOGLE_CLIENT_ID, azp: GOOGLE_CLIENT_ID, email: `${subject}@gmail.example` });
      case 'apple':
        return this.apple.token({ sub: subject, aud: APPLE_SERVICES_ID });
      case 'oidc':
        return this.oidc.token({ sub: subject, aud: OIDC_CLIENT_ID });
      case 'facebook':
        return this.facebook.issueToken(subject, FACEBOOK_APP_ID);
      case 'amazon':
        return this.amazon.issueToken(subject, AMAZON_APP_ID);
      case 'twitter':
        return this.twitter.issueToken(subject, this.twitterApp);
      case 'saml':
        return this.samlIdp.response({ nameId: subject });
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      [this.userPoolHost, this.googleHost, this.appleHost, this.oidcHost, this.facebook, this.amazon, this.twitter].map((s) => s.stop()),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
