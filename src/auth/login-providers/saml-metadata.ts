// An IdP's SAML 2.0 metadata document, as IAM keeps it for a SAML provider: its entity id (the Issuer its
// assertions carry) and the certificates it signs with. Read once at start.
import { X509Certificate } from 'node:crypto';

export interface SamlIdpMetadata {
  entityId: string;
  /** PEM certificates of the IdP's signing keys. */
  signingCertificates: string[];
}

type XmlNode = { $?: Record<string, string>; _?: string } & { [child: string]: XmlNode[] | undefined };

const children = (node: XmlNode | undefined, name: string): XmlNode[] => (node?.[name] as XmlNode[] | undefined) ?? [];
const text = (node: XmlNode | string | undefined): string => (typeof node === 'string' ? node : (node?._ ?? ''));

function pem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

/** Parses the metadata; throws an Error saying what is missing. */
export async function parseSamlIdpMetadata(xml: string): Promise<SamlIdpMetadata> {
  // Loaded only when SAML providers are configured: most servers never parse XML.
  const { parseStringPromise, processors } = await import('xml2js');
  let document: Record<string, XmlNode>;
  try {
    document = await parseStringPromise(xml, { tagNameProcessors: [processors.stripPrefix], explicitArray: true });
  } catch (error) {
    throw new Error(`is not XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const root = Object.keys(document)[0];
  const entities = root === 'EntityDescriptor' ? [document[root]!] : root === 'EntitiesDescriptor' ? children(document[root], 'EntityDescriptor') : [];
  const idps = entities.filter((e) => children(e, 'IDPSSODescriptor').length > 0);
  if (idps.length !== 1) throw new Error(`must describe exactly one identity provider (an EntityDescriptor with an IDPSSODescriptor), found ${idps.length}`);
  const entity = idps[0]!;
  const entityId = entity.$?.entityID;
  if (!entityId) throw new Error('has no entityID');
  const signingCertificates: string[] = [];
  for (const descriptor of children(entity, 'IDPSSODescriptor')) {
    for (const key of children(descriptor, 'KeyDescriptor')) {
      // A key without `use` serves both signing and encryption.
      if (key.$?.use !== undefined && key.$.use !== 'signing') continue;
      for (const keyInfo of children(key, 'KeyInfo')) {
        for (const data of children(keyInfo, 'X509Data')) {
          for (const certificate of children(data, 'X509Certificate')) {
            const certificatePem = pem(text(certificate as XmlNode | string));
            try {
              new X509Certificate(certificatePem);
            } catch {
              throw new Error('has an X509Certificate that is not a certificate');
            }
            signingCertificates.push(certificatePem);
          }
        }
      }
    }
  }
  if (signingCertificates.length === 0) throw new Error('names no signing certificate (KeyDescriptor use="signing" with an X509Certificate)');
  return { entityId, signingCertificates };
}
