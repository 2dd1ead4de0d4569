// Reading identities from the source: ListIdentities (every identity, and once more without the disabled
// ones, since a disabled identity lists exactly like an unauthenticated one), and LookupDeveloperIdentity for
// the developer user identifiers linked to one identity.
import { type IdentityDescription, ListIdentitiesCommand, LookupDeveloperIdentityCommand } from '@aws-sdk/client-cognito-identity';
import type { Source } from './source-clients.ts';

const PAGE = 60; // ListIdentities' and LookupDeveloperIdentity's largest page

export async function* sourceIdentities(source: Source, identityPoolId: string, hideDisabled = false): AsyncGenerator<IdentityDescription> {
  let NextToken: string | undefined;
  do {
    const page = await source.call(
      source.identity.send(new ListIdentitiesCommand({ IdentityPoolId: identityPoolId, MaxResults: PAGE, NextToken, HideDisabled: hideDisabled })),
    );
    for (const identity of page.Identities ?? []) if (identity.IdentityId) yield identity;
    NextToken = page.NextToken;
  } while (NextToken);
}

/**
 * Which of `wanted` (or, without it, of the identities without logins) a listing without the disabled ones
 * returns. Kept as a set: tens of bytes per identity.
 */
export async function enabledIdentityIds(source: Source, identityPoolId: string, wanted?: ReadonlySet<string>): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const identity of sourceIdentities(source, identityPoolId, true)) {
    const id = identity.IdentityId!;
    if (wanted ? wanted.has(id) : (identity.Logins ?? []).length === 0) ids.add(id);
  }
  return ids;
}

export async function developerUserIdentifiers(source: Source, identityPoolId: string, identityId: string): Promise<string[]> {
  const identifiers: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await source.call(
      source.identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: identityPoolId, IdentityId: identityId, MaxResults: PAGE, NextToken })),
    );
    identifiers.push(...(page.DeveloperUserIdentifierList ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return identifiers;
}
