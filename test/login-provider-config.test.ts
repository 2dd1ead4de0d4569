// The operator's login provider settings are checked at start: a bad endpoint override, timeout or cool-down, an
// IAM providers file that cannot be read or says something wrong, SAML metadata without a signing certificate and a
// malformed login mapping each stop the server with exit code 2 and a message naming the setting and the problem.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'login-config-'));

function file(name: string, content: string): string {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

function start(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COGNITO_SYNC_')));
  return spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', join(dir, 'data'), ...args], {
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
}

const metadata = (keyDescriptor: string) =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keyDescriptor}</md:IDPSSODescriptor></md:EntityDescriptor>`;
const SAML_ARN = 'arn:aws:iam::123456789012:saml-provider/Corp';

describe('login provider settings checked at start', { timeout: 60_000 }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses bad settings with exit code 2 and a message naming the problem', () => {
    let files = 0;
    const iam = (document: unknown) => ['--iam-providers-file', file(`iam-${++files}.json`, typeof document === 'string' ? document : JSON.stringify(document))];
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--login-provider-endpoint', 'accounts.google.com'], {}, /login-provider-endpoint must be <provider>=<base URL>/],
      [['--login-provider-endpoint', 'https://accounts.google.com=http://127.0.0.1:1'], {}, /without a scheme/],
      [['--login-provider-endpoint', 'accounts.google.com=ftp://mirror'], {}, /http:\/\/ or https:\/\/ URL/],
      [[], { COGNITO_SYNC_LOGIN_PROVIDER_ENDPOINTS: 'graph.facebook.com=http://a,graph.facebook.com=http://b' }, /'graph\.facebook\.com' is given twice/],
      [['--login-provider-timeout-ms', '0'], {}, /login-provider-timeout-ms must be an integer from 1/],
      [['--login-provider-key-refetch-seconds', 'soon'], {}, /login-provider-key-refetch-seconds must be an integer/],
      [['--iam-providers-file', join(dir, 'missing.json')], {}, /iam-providers-file .*missing\.json: cannot be read \(ENOENT\)/],
      [iam('{not json'), {}, /iam-providers-file .* is not JSON/],
      [iam({ openIdConnectProviders: [{ arn: 'login.example.com', clientIds: ['a'] }] }), {}, /openIdConnectProviders\[0\]\.arn must be arn:aws:iam::/],
      [iam({ openIdConnectProviders: [{ arn: 'arn:aws:iam::123456789012:oidc-provider/login.example.com', clientIds: [] }] }), {}, /clientIds must be a non-empty array/],
      [iam({ samlProviders: [{ arn: SAML_ARN, metadataFile: 'nowhere.xml' }] }), {}, /samlProviders\[0\]\.metadataFile .*nowhere\.xml cannot be read/],
      [iam({ samlProviders: [{ arn: SAML_ARN, metadataFile: file('plain.xml', 'plain text') }] }), {}, /is not XML/],
      [iam({ samlProviders: [{ arn: SAML_ARN, metadataFile: file('nocert.xml', metadata('')) }] }), {}, /names no signing certificate/],
      [
        iam({ samlProviders: [{ arn: SAML_ARN, metadataFile: file('badcert.xml', metadata('<md:KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>bm90IGEgY2VydA==</X509Certificate></X509Data></KeyInfo></md:KeyDescriptor>')) }] }),
        {},
        /X509Certificate that is not a certificate/,
      ],
      [iam({ samlProvider: [] }), {}, /unknown member 'samlProvider'/],
      [['--login-mapping-file', file('map.csv', '# identity,provider,subject\nus-east-1:not-a-uuid!,accounts.google.com,123\n')], {}, /login-mapping-file .* line 2: .*not an identity id/],
      [['--login-mapping-file', file('short.csv', 'us-east-1:0f4c2b52-1b7e-4a4f-9f57-6d1d2f0e8a11,accounts.google.com\n')], {}, /line 1: fewer than three fields/],
      [[], { COGNITO_SYNC_LOGIN_MAPPING_FILE: join(dir, 'absent.csv') }, /login-mapping-file .*absent\.csv cannot be read/],
    ];
    for (const [args, env, message] of cases) {
      const result = start(args, env);
      assert.equal(result.status, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${result.stderr}${result.stdout}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
