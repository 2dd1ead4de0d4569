import { ServiceError } from './errors.ts';

/**
 * Splits a raw query string into percent-decoded values. Unlike URLSearchParams, '+' stays a '+':
 * AWS clients always encode spaces as %20, and SigV4 canonicalization needs the literal value.
 */
export function parseQueryString(raw: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (!raw) return result;
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      throw new ServiceError('InvalidParameterException', `Malformed percent-encoding in query parameter '${rawKey}'`);
    }
    const list = result.get(key);
    if (list) list.push(value);
    else result.set(key, [value]);
  }
  return result;
}

/**
 * The parameters of an `application/x-www-form-urlencoded` body (the AWS query protocol's POST form). Here, as
 * HTML forms define it, '+' is a space; the signature covers the body's bytes, not these values.
 */
export function parseFormBody(body: Buffer): Map<string, string[]> {
  return parseQueryString(body.toString('utf8').replace(/\+/g, '%20'));
}

/** True for a body sent as an HTML form (what AWS query protocol clients POST). */
export const isFormContentType = (contentType: string | undefined) =>
  contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
