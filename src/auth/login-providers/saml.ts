// SAML providers (`SamlProviderARNs`): the login is a base64 SAML response from the IdP, as it posts it to AWS.
// The response or its assertion must be signed by a certificate of the IdP's metadata (which IAM holds on AWS and
// the operator supplies here), its assertion come from the metadata's entity id, be within its validity window and be meant for
// AWS (its audience). The subject is the assertion's NameID. The SAML library is loaded on first use only.
import type { SAML } from '@node-saml/node-saml';
import { invalidLoginToken } from './login-errors.ts';
import type { SamlIdpMetadata } from './saml-metadata.ts';

export const SAML_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:saml-provider\/[\w+=,.@-]+$/;
/** Who AWS is to an IdP: the audiences assertions for AWS carry (`AudienceRestriction`). */
export const AWS_SAML_AUDIENCES = ['https://signin.aws.amazon.com/saml', 'urn:amazon:webservices'];
/** How far apart the IdP's clock and ours may be for NotBefore and NotOnOrAfter. */
const CLOCK_SKEW_MS = 60_000;

export interface SamlIdentityProvider extends SamlIdpMetadata {
  arn: string;
  audiences: string[];
}

type Assertion = { Assertion?: { Conditions?: Array<{ AudienceRestriction?: Array<{ Audience?: Array<{ _?: string } | string> }> }> } };

export class SamlVerifier {
  private readonly validators = new Map<string, Promise<SAML>>();

  private validatorFor(idp: SamlIdentityProvider): Promise<SAML> {
    let validator = this.validators.get(idp.arn);
    if (!validator) {
      validator = import('@node-saml/node-saml').then(
        ({ SAML: Saml, ValidateInResponseTo }) =>
          new Saml({
            idpCert: idp.signingCertificates,
            // AWS as the service provider; these two are required by the library and unused for validation.
            issuer: 'urn:amazon:webservices',
            callbackUrl: 'https://signin.aws.amazon.com/saml',
            // Checked below against every accepted audience (the library takes one).
            audience: false,
            // Either the response or its assertion signed, as AWS accepts them; an IdP-initiated post answers no request.
            wantAuthnResponseSigned: false,
            wantAssertionsSigned: false,
            validateInResponseTo: ValidateInResponseTo.never,
            acceptedClockSkewMs: CLOCK_SKEW_MS,
          }),
      );
      this.validators.set(idp.arn, validator);
    }
    return validator;
  }

  async verify(idp: SamlIdentityProvider, samlResponse: string): Promise<string> {
    const validator = await this.validatorFor(idp);
    let result;
    try {
      result = await validator.validatePostResponseAsync({ SAMLResponse: samlResponse });
    } catch (error) {
      const message = (error as Error).message ?? '';
      if (/signature/i.test(message)) throw invalidLoginToken("Couldn't verify signed token.");
      throw invalidLoginToken(`Not a valid SAML response: ${message.split('\n')[0]}`);
    }
    const profile = result.profile;
    if (!profile) throw invalidLoginToken('Not a valid SAML response: it holds no assertion.');
    // The library checks the issuer of logout messages only; an assertion must come from the metadata's entity.
    if (profile.issuer !== idp.entityId) throw invalidLoginToken("Issuer doesn't match providerName");
    if (typeof profile.nameID !== 'string' || profile.nameID === '') throw invalidLoginToken('The SAML assertion has no NameID.');
    const restrictions = (profile.getAssertion?.() as Assertion | undefined)?.Assertion?.Conditions?.[0]?.AudienceRestriction ?? [];
    const audiencesOf = (r: (typeof restrictions)[number]) => (r.Audience ?? []).map((a) => (typeof a === 'string' ? a : (a._ ?? '')));
    // Every restriction must admit us (SAML core 2.5.1.4); at least one must be there.
    if (restrictions.length === 0 || !restrictions.every((r) => audiencesOf(r).some((a) => idp.audiences.includes(a)))) {
      throw invalidLoginToken('Incorrect token audience.');
    }
    return profile.nameID;
  }
}
