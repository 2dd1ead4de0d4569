// One identity: its logins as AWS tells them, written to the target with its id and dates, then its datasets.
import type { IdentityDescription } from '@aws-sdk/client-cognito-identity';
import { errorText } from './error-text.ts';
import { importDatasetsOf } from './import-datasets.ts';
import type { ImportReport } from './import-report.ts';
import { kindOf, loginsFor, planLogins } from './identity-logins.ts';
import type { Source } from './source-clients.ts';
import { developerUserIdentifiers } from './source-identities.ts';
import type { ImportTarget } from './target-store.ts';

export interface PoolImportContext {
  source: Source;
  target: ImportTarget;
  report: ImportReport;
  identityPoolId: string;
  developerProviderName?: string;
}

/** `listedEnabled`: a listing without the disabled identities returned it (needed only for one without logins). */
export async function importIdentityWithDatasets(context: PoolImportContext, identity: IdentityDescription, listedEnabled: boolean): Promise<void> {
  const { source, target, report, identityPoolId, developerProviderName } = context;
  const identityId = identity.IdentityId!;
  report.identities.read += 1;
  try {
    const loginPlan = planLogins(identity, developerProviderName);
    const identifiers = loginPlan.hasDeveloperLogin ? await developerUserIdentifiers(source, identityPoolId, identityId) : [];
    report.developerUserIdentifiers += identifiers.length;
    const logins = loginsFor(identityId, loginPlan, developerProviderName, identifiers);
    // Listed with logins but none left by the time they were looked up: it lost them, so it is disabled now.
    const disabled = logins.length === 0 && ((identity.Logins ?? []).length > 0 || !listedEnabled);
    const kind = kindOf(identifiers.length, loginPlan.publicProviders.length, disabled);
    report.identityKinds[kind] += 1;
    if (kind === 'public-providers-only') {
      for (const provider of loginPlan.publicProviders) report.publicProviders.set(provider, (report.publicProviders.get(provider) ?? 0) + 1);
    }
    const now = new Date();
    const result = await target.importIdentity({
      identityId,
      identityPoolId,
      createdAt: identity.CreationDate ?? now,
      lastModifiedAt: identity.LastModifiedDate ?? identity.CreationDate ?? now,
      disabled,
      logins,
    });
    if (result.outcome === 'in-another-pool') {
      report.identities.skipped += 1;
      report.problem(`identity ${identityId}: the id belongs to an identity of another pool here (${result.identityPoolId}); not imported`);
      return;
    }
    if (result.outcome === 'merged-here') {
      report.identities.skipped += 1;
      report.problem(`identity ${identityId}: merged here into ${result.mergedInto} since an earlier import; left alone, with its datasets`);
      return;
    }
    report.identities[result.outcome] += 1;
    for (const login of result.loginsLinkedElsewhere) {
      report.problem(
        `identity ${identityId}: developer user '${login.userIdentifier}' is linked here to another identity (${login.identityId}), ` +
          'so that user keeps that identity here; the imported one was not linked to it',
      );
    }
  } catch (error) {
    report.identities.failed += 1;
    report.problem(`identity ${identityId}: ${errorText(error)}`);
    return;
  }
  await importDatasetsOf(context, identityPoolId, identityId);
}
