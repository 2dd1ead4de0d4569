// The whole import: the pools named (or all of the source account's), one after another.
import { importPool, type RunContext } from './import-pool.ts';
import { listSourcePoolIds } from './source-pools.ts';

export async function runImport(context: RunContext): Promise<void> {
  const { options, report, progress } = context;
  let poolIds: string[];
  if (options.pools === 'all') {
    progress.line('listing the pools of the source account');
    poolIds = await listSourcePoolIds(context.source);
    progress.line(`${poolIds.length} pools`);
  } else {
    poolIds = options.pools.ids;
  }
  for (const poolId of poolIds) await importPool(context, poolId);

  if (report.pools.created + report.pools.updated + report.pools.unchanged > 0) {
    report.note(
      `serve the imported pools with --region ${options.sourceRegion}: their ids name it, and devices sign their requests for it`,
    );
  }
  if (report.publicProviders.size > 0) {
    const providers = [...report.publicProviders].map(([name, n]) => `${name}: ${n}`).join(', ');
    report.note(
      `${report.identityKinds['public-providers-only']} identities are linked only to public providers (${providers}). They and their ` +
        "data were imported, but this server cannot verify those providers' tokens, so their devices cannot get credentials here " +
        'until your backend, having checked the user itself, links them to a developer user: GetOpenIdTokenForDeveloperIdentity ' +
        'with their IdentityId (the pool needs a DeveloperProviderName)',
    );
  }
}
