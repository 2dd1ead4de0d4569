// The models' `pattern` constraints read as AWS reads them (Java's java.util.regex, whole value): every pattern
// of every model against one value it must accept and one it must refuse, taken from the API reference, the
// models' documentation and examples where they give one; Java's reading where it differs from JavaScript's;
// patterns that cannot be compiled failing loudly; and the refusal worded as AWS words it, over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, GetIdentityPoolRolesCommand, SetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import { cognitoIdentityModel } from '../src/model/cognito-identity.ts';
import { cognitoSyncModel } from '../src/model/cognito-sync.ts';
import { stsModel } from '../src/model/sts.ts';
import type { ServiceModel } from '../src/model/types.ts';
import { compileModelPattern, ModelPatternError } from '../src/protocol/model-pattern.ts';
import { InputWalker } from '../src/protocol/shape-walk.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const MODELS: Record<string, ServiceModel> = { 'cognito-sync': cognitoSyncModel, 'cognito-identity': cognitoIdentityModel, sts: stsModel };

/** `<service>/<shape>` → a value AWS accepts and one it refuses. */
const EXAMPLES: Record<string, { accept: string; refuse: string }> = {
  // Cognito Sync's SetIdentityPoolConfiguration reference: PushSync.ApplicationArns are SNS platform applications.
  'cognito-sync/ApplicationArn': { accept: 'arn:aws:sns:us-east-1:123456789012:app/APNS/MyApp', refuse: 'arn:aws:sns:us-east-1:123456789012:MyTopic' },
  'cognito-sync/AssumeRoleArn': { accept: 'arn:aws:iam::123456789012:role/CognitoStreamsRole', refuse: 'arn:aws:iam::123456789012:user/alice' },
  // "Allowed characters are a-z, A-Z, 0-9, '_' (underscore), '-' (dash), and '.' (dot)."
  'cognito-sync/DatasetName': { accept: 'User_Preferences-v2.1', refuse: 'has space' },
  // The docs' placeholder "us-east-1:23EC4050-6AEA-7089-A2DD-08002EXAMPLE" is upper-case: the model's own pattern
  // (lower-case hex after the colon) refuses it, as AWS does.
  'cognito-sync/IdentityId': { accept: 'us-east-1:23ec4050-6aea-7089-a2dd-08002e0a0b0c', refuse: 'us-east-1:23EC4050-6AEA-7089-A2DD-08002EXAMPLE' },
  'cognito-sync/IdentityPoolId': { accept: 'eu-west-1:0f2ad2c8-65f5-4a2b-8c53-a3b8e4f4d5a1', refuse: 'not-a-pool-id' },

  'cognito-identity/AccountId': { accept: '123456789012', refuse: '1234-5678-9012' },
  // MappingRule.Claim: "for example, "isAdmin" or "paid"". `:` is punctuation (\p{P}), so the claims role mappings
  // are written against (cognito:groups, custom:plan) pass; a space (\p{Z}) is not in the class.
  'cognito-identity/ClaimName': { accept: 'cognito:groups', refuse: 'cognito groups' },
  'cognito-identity/CognitoIdentityProviderClientId': { accept: '7lhlkkfbfb4q5kpp90urffao', refuse: 'client-id' },
  // CognitoIdentityProvider.ProviderName: "For example, cognito-idp.us-east-1.amazonaws.com/us-east-1_123456789."
  'cognito-identity/CognitoIdentityProviderName': { accept: 'cognito-idp.us-east-1.amazonaws.com/us-east-1_123456789', refuse: 'cognito idp' },
  // "you can use letters as well as period (.), underscore (_), and dash (-)"
  'cognito-identity/DeveloperProviderName': { accept: 'login.mycompany.myapp', refuse: 'login/mycompany' },
  'cognito-identity/IdentityId': { accept: 'us-east-1:23ec4050-6aea-7089-a2dd-08002e0a0b0c', refuse: 'us-east-1:XYZ' },
  'cognito-identity/IdentityPoolId': { accept: 'us-east-1:0f2ad2c8-65f5-4a2b-8c53-a3b8e4f4d5a1', refuse: 'us-east-1' },
  'cognito-identity/IdentityPoolName': { accept: 'My identity pool, v2.0 +test', refuse: 'pool#1' },
  'cognito-identity/IdentityProviderId': { accept: 'graph.facebook.com', refuse: 'provider id' },
  'cognito-identity/PaginationKey': { accept: 'AAEAAQ/opaque_token==', refuse: 'two words' },
  'cognito-identity/RoleType': { accept: 'unauthenticated', refuse: 'guest' },

  // STS examples (botocore's examples-1.json) and the API reference.
  'sts/accessKeyIdType': { accept: 'AKIAIOSFODNN7EXAMPLE', refuse: 'AKIA-IOSFODNN7EXAMPLE' },
  'sts/arnType': { accept: 'arn:aws:iam::123456789012:role/demo', refuse: 'arn:aws:iam::123456789012:role/\u0001demo' },
  'sts/assumedRoleIdType': { accept: 'ARO123EXAMPLE123:Bob', refuse: 'ARO123EXAMPLE123/Bob' },
  'sts/externalIdType': { accept: '123ABC', refuse: '123 ABC' },
  'sts/federatedIdType': { accept: '123456789012:Bob', refuse: '123456789012/Bob' },
  'sts/roleSessionNameType': { accept: 'testAssumeRoleSession', refuse: 'test:session' },
  // "the serial number for a hardware device (such as GAHT12345678) or an ARN for a virtual device"
  'sts/serialNumberType': { accept: 'arn:aws:iam::123456789012:mfa/user', refuse: 'GAHT 12345678' },
  'sts/sessionPolicyDocumentType': { accept: '{"Version":"2012-10-17","Statement":[]}', refuse: '{"Sid":"\u0101"}' },
  'sts/sourceIdentityType': { accept: 'Admin', refuse: 'Admin User' },
  'sts/tagKeyType': { accept: 'Cost-Center', refuse: 'Cost#Center' },
  'sts/tagValueType': { accept: 'Unicorn', refuse: 'Uni*corn' },
  // "a sequence of six numeric digits"
  'sts/tokenCodeType': { accept: '123456', refuse: '12345a' },
  'sts/unrestrictedSessionPolicyDocumentType': { accept: '{"Version":"2012-10-17"}', refuse: '{"Sid":"\u0101"}' },
  // GetFederationToken's Name: "upper- and lower-case alphanumeric characters with no spaces ... =,.@-"
  'sts/userNameType': { accept: 'Bob', refuse: 'Bob Smith' },
};

function modelPatterns(): Array<{ key: string; pattern: string }> {
  const found: Array<{ key: string; pattern: string }> = [];
  for (const [service, model] of Object.entries(MODELS)) {
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (shape.type === 'string' && shape.pattern !== undefined) found.push({ key: `${service}/${name}`, pattern: shape.pattern });
    }
  }
  return found;
}

const patternOf = (key: string) => modelPatterns().find((p) => p.key === key)!.pattern;

describe('model patterns', { timeout: 120_000 }, () => {
  it('every pattern of the three models has an example to accept and one to refuse, and only those', () => {
    const keys = modelPatterns().map((p) => p.key).sort();
    assert.deepEqual(Object.keys(EXAMPLES).sort(), keys);
    assert.equal(keys.length, 30);
  });

  for (const { key, pattern } of modelPatterns()) {
    it(`${key} ${pattern}`, () => {
      const example = EXAMPLES[key];
      assert.ok(example, `no example for ${key}`);
      const re = compileModelPattern(pattern);
      assert.equal(re.test(example.accept), true, `${key} must accept ${JSON.stringify(example.accept)}`);
      assert.equal(re.test(example.refuse), false, `${key} must refuse ${JSON.stringify(example.refuse)}`);
    });
  }

  it('ClaimName accepts the claims role mappings are written against, in any script, and refuses whitespace and controls', () => {
    const claim = compileModelPattern(patternOf('cognito-identity/ClaimName'));
    for (const accepted of ['cognito:groups', 'custom:plan', 'isAdmin', 'paid', 'custom:département', 'custom:部署', 'email_verified', 'custom:tier+1', '📧']) {
      assert.equal(claim.test(accepted), true, accepted);
    }
    for (const refused of ['custom plan', 'custom:\tplan', 'tab\u0009', 'nbsp\u00a0', '']) assert.equal(claim.test(refused), false, JSON.stringify(refused));
  });

  it('reads Java where it differs from JavaScript: \\s is ASCII, . stops at Java line terminators, \\: is a colon, whole value', () => {
    // IdentityPoolName [\w\s+=,.@-]+: Java's \s is [ \t\n\x0B\f\r], so a no-break space is refused.
    assert.equal(compileModelPattern('[\\w\\s+=,.@-]+').test('my pool'), true);
    assert.equal(compileModelPattern('[\\w\\s+=,.@-]+').test('my\u00a0pool'), false);
    // PaginationKey [\S]+: anything but Java's whitespace, so a no-break space is accepted.
    assert.equal(compileModelPattern('[\\S]+').test('a\u00a0b'), true);
    assert.equal(compileModelPattern('[\\S]+').test('a\u000bb'), false);
    // AssumeRoleArn arn:aws:iam::\d+:role/.*: Java's . matches none of \n \r \u0085 \u2028 \u2029.
    const role = compileModelPattern('arn:aws:iam::\\d+:role/.*');
    assert.equal(role.test('arn:aws:iam::123456789012:role/a b'), true);
    for (const terminator of ['\n', '\r', '\u0085', '\u2028']) assert.equal(role.test(`arn:aws:iam::123456789012:role/a${terminator}b`), false);
    // federatedIdType: Java lets \ escape any punctuation; the u flag alone would refuse \: outright.
    assert.equal(compileModelPattern('[\\w+=,.@\\:-]*').test('123456789012:Bob'), true);
    // Whole value, as Pattern.matches: a match inside the value is not enough.
    assert.equal(compileModelPattern('(un)?authenticated').test('authenticated-ish'), false);
    // \u10000 is U+1000 then '0' in Java as in JavaScript (four hex digits), so arnType's "\u10000-\u10FFFF"
    // does not reach the supplementary planes.
    assert.equal(compileModelPattern('[\\u10000-\\u10FFFF]+').test('\u{1F600}'), false);
    assert.equal(compileModelPattern('[\\u10000-\\u10FFFF]+').test('\u1000\u0030F'), true);
  });

  it('a pattern that cannot be compiled fails with the pattern named, and stops a model from loading', () => {
    for (const unreadable of ['a*+', '(?>a)', '(?i)a', '[a&&[b]]', '[a[b]]', '\\p{InGreek}', '\\Qa\\E', '\\bword', '[\\p{L}', '(a']) {
      assert.throws(() => compileModelPattern(unreadable), ModelPatternError, unreadable);
    }
    const broken: ServiceModel = {
      ...cognitoSyncModel,
      shapes: { ...cognitoSyncModel.shapes, DatasetName: { type: 'string', pattern: '[a-z]++' } },
    };
    assert.throws(() => new InputWalker(broken), /model pattern "\[a-z\]\+\+" cannot be compiled: possessive quantifiers/);
  });
});

describe('model patterns over HTTP', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.dispose();
  });

  const rolesWithClaim = (claim: string, IdentityPoolId = 'us-east-1:0f2ad2c8-65f5-4a2b-8c53-a3b8e4f4d5a1') =>
    new SetIdentityPoolRolesCommand({
      IdentityPoolId,
      Roles: { authenticated: 'arn:aws:iam::123456789012:role/Cognito_Authenticated' },
      RoleMappings: {
        'graph.facebook.com': {
          Type: 'Rules',
          AmbiguousRoleResolution: 'Deny',
          RulesConfiguration: { Rules: [{ Claim: claim, MatchType: 'Equals', Value: 'admins', RoleARN: 'arn:aws:iam::123456789012:role/Admins' }] },
        },
      },
    });

  it('SetIdentityPoolRoles rules on cognito:groups and custom:plan pass validation', async () => {
    const client = server.identityClient();
    const { IdentityPoolId } = await client.send(
      new CreateIdentityPoolCommand({ IdentityPoolName: 'patterns', AllowUnauthenticatedIdentities: false, SupportedLoginProviders: { 'graph.facebook.com': '1234567890' } }),
    );
    for (const claim of ['cognito:groups', 'custom:plan']) {
      await client.send(rolesWithClaim(claim, IdentityPoolId));
      const { RoleMappings } = await client.send(new GetIdentityPoolRolesCommand({ IdentityPoolId }));
      assert.equal(RoleMappings!['graph.facebook.com']!.RulesConfiguration!.Rules![0]!.Claim, claim);
    }
  });

  it('a claim the pattern refuses answers 400 InvalidParameterException in AWS words', async () => {
    await assert.rejects(server.identityClient().send(rolesWithClaim('cognito groups')), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, 'InvalidParameterException');
      assert.equal(error.$metadata?.httpStatusCode, 400);
      assert.equal(
        error.message,
        "1 validation error detected: Value 'cognito groups' at 'roleMappings.graph.facebook.com.rulesConfiguration.rules.1.member.claim' " +
          'failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+',
      );
      return true;
    });
  });
});
