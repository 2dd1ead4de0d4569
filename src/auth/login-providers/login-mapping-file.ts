// The way back in for identities imported from AWS with public-provider logins (`npm run import`): AWS never tells
// a login's user id (the Google `sub`, the Facebook user id), so an imported identity only carries a placeholder for
// each provider it was linked to, which no token matches. The operator, who knows their users, supplies the mapping
// from their own records (--login-mapping-file), one line per login:
//
//   <identity id>,<provider (the Logins key)>,<subject (the user's id at that provider)>
//
// Blank lines and lines starting with # are skipped; the subject is the rest of the line, commas included.
// The first verified login of a mapped (provider, subject) then links to that identity, if the identity is in the
// pool and was imported with that provider (src/services/cognito-identity/imported-logins.ts). An identity id
// alone never unlocks anything.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../config.ts';

const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;
const MAX_PROVIDER = 128;
const MAX_SUBJECT = 1024;

export interface LoginMapping {
  /** Identity ids the operator mapped this login to (one per pool, normally). */
  identitiesFor(providerName: string, subject: string): readonly string[];
  readonly size: number;
}

class MappedLogins implements LoginMapping {
  private readonly byLogin = new Map<string, string[]>();
  size = 0;

  add(identityId: string, providerName: string, subject: string): void {
    const key = `${providerName}\n${subject}`;
    const ids = this.byLogin.get(key);
    if (!ids) this.byLogin.set(key, [identityId]);
    else if (!ids.includes(identityId)) ids.push(identityId);
    else return;
    this.size += 1;
  }

  identitiesFor(providerName: string, subject: string): readonly string[] {
    return this.byLogin.get(`${providerName}\n${subject}`) ?? [];
  }
}

export const NO_LOGIN_MAPPING: LoginMapping = new MappedLogins();

export async function loadLoginMappingFile(path: string | undefined): Promise<LoginMapping> {
  if (path === undefined) return NO_LOGIN_MAPPING;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`login-mapping-file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const mapping = new MappedLogins();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fail = (problem: string): never => {
      throw new ConfigError(`login-mapping-file ${path} line ${index + 1}: ${problem} (expected <identity id>,<provider>,<subject>)`);
    };
    const first = line.indexOf(',');
    const second = first === -1 ? -1 : line.indexOf(',', first + 1);
    if (second === -1) fail('fewer than three fields');
    const identityId = line.slice(0, first).trim();
    const provider = line.slice(first + 1, second).trim();
    const subject = line.slice(second + 1).trim();
    if (!IDENTITY_ID.test(identityId) || identityId.length > 55) fail(`'${identityId}' is not an identity id (<region>:<uuid>)`);
    if (provider === '' || provider.length > MAX_PROVIDER) fail(`the provider must be 1-${MAX_PROVIDER} characters`);
    if (subject === '' || subject.length > MAX_SUBJECT) fail(`the subject must be 1-${MAX_SUBJECT} characters`);
    mapping.add(identityId, provider, subject);
  });
  return mapping;
}
