// The IAM side of OpenID Connect and SAML providers, which the Cognito API does not carry: on AWS a pool names an
// IAM provider by ARN and IAM holds its client ids (OIDC) or its IdP metadata (SAML). Here the operator lists
// them in one JSON file (--iam-providers-file), read and checked at start:
//
//   { "openIdConnectProviders": [{ "arn": "arn:aws:iam::123456789012:oidc-provider/login.example.com",
//                                  "clientIds": ["my-app"] }],
//     "samlProviders": [{ "arn": "arn:aws:iam::123456789012:saml-provider/Corp",
//                         "metadataFile": "corp-idp-metadata.xml", "audiences": ["urn:amazon:webservices"] }] }
//
// `metadataFile` is relative to the JSON file; `audiences` is optional (AWS's two SAML audiences by default).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../config.ts';
import { OIDC_PROVIDER_ARN } from './openid-connect.ts';
import { AWS_SAML_AUDIENCES, SAML_PROVIDER_ARN, type SamlIdentityProvider } from './saml.ts';
import { parseSamlIdpMetadata } from './saml-metadata.ts';

export interface IamProviders {
  /** Client ids (audiences) per OIDC provider ARN. */
  openIdConnect: ReadonlyMap<string, string[]>;
  samlProviders: ReadonlyMap<string, SamlIdentityProvider>;
}

export const NO_IAM_PROVIDERS: IamProviders = { openIdConnect: new Map(), samlProviders: new Map() };

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 255);

export async function loadIamProvidersFile(path: string | undefined): Promise<IamProviders> {
  if (path === undefined) return NO_IAM_PROVIDERS;
  const fail = (problem: string): never => {
    throw new ConfigError(`iam-providers-file ${path}: ${problem}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    fail((error as NodeJS.ErrnoException).code ? `cannot be read (${(error as NodeJS.ErrnoException).code})` : `is not JSON: ${(error as Error).message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return fail('must be a JSON object');
  const { openIdConnectProviders = [], samlProviders = [], ...unknown } = document as Record<string, unknown>;
  const unknownKeys = Object.keys(unknown);
  if (unknownKeys.length > 0) fail(`unknown member '${unknownKeys[0]}' (expected openIdConnectProviders, samlProviders)`);
  if (!Array.isArray(openIdConnectProviders)) fail('openIdConnectProviders must be an array');
  if (!Array.isArray(samlProviders)) fail('samlProviders must be an array');

  const openIdConnect = new Map<string, string[]>();
  (openIdConnectProviders as unknown[]).forEach((entry, i) => {
    const where = `openIdConnectProviders[${i}]`;
    const { arn, clientIds } = (entry ?? {}) as { arn?: unknown; clientIds?: unknown };
    if (typeof arn !== 'string' || !OIDC_PROVIDER_ARN.test(arn)) fail(`${where}.arn must be arn:aws:iam::<12-digit account>:oidc-provider/<issuer host/path>`);
    if (!isStringList(clientIds)) fail(`${where}.clientIds must be a non-empty array of client ids (1-255 characters each)`);
    if (openIdConnect.has(arn as string)) fail(`${where}: ${String(arn)} is listed twice`);
    openIdConnect.set(arn as string, clientIds as string[]);
  });

  const saml = new Map<string, SamlIdentityProvider>();
  for (const [i, entry] of (samlProviders as unknown[]).entries()) {
    const where = `samlProviders[${i}]`;
    const { arn, metadataFile, audiences } = (entry ?? {}) as { arn?: unknown; metadataFile?: unknown; audiences?: unknown };
    if (typeof arn !== 'string' || !SAML_PROVIDER_ARN.test(arn)) fail(`${where}.arn must be arn:aws:iam::<12-digit account>:saml-provider/<name>`);
    if (typeof metadataFile !== 'string' || metadataFile === '') fail(`${where}.metadataFile must name the IdP's SAML metadata file`);
    if (audiences !== undefined && !isStringList(audiences)) fail(`${where}.audiences must be a non-empty array of strings`);
    if (saml.has(arn as string)) fail(`${where}: ${String(arn)} is listed twice`);
    const file = resolve(dirname(path), metadataFile as string);
    let xml = '';
    try {
      xml = await readFile(file, 'utf8');
    } catch (error) {
      fail(`${where}.metadataFile ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let metadata;
    try {
      metadata = await parseSamlIdpMetadata(xml);
    } catch (error) {
      return fail(`${where}.metadataFile ${file} ${(error as Error).message}`);
    }
    saml.set(arn as string, { arn: arn as string, ...metadata, audiences: (audiences as string[] | undefined) ?? AWS_SAML_AUDIENCES });
  }
  return { openIdConnect, samlProviders: saml };
}
