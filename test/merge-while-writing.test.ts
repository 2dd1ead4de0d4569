// MergeDeveloperIdentities while the source identity keeps writing: the merge moves the datasets and marks the
// source merged in one transaction, so a dataset the source creates is either created before the merge (and
// moved with it) or refused (the source is merged) — never left behind under an identity that no longer names
// data. Several rounds, each with writers creating new datasets from the source's own device until the merge
// has answered; then every acknowledged write must be reachable under the survivor.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MergeDeveloperIdentitiesCommand } from '@aws-sdk/client-cognito-identity';
import { ListDatasetsCommand, ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { startServer, type TestServer } from './helpers/server.ts';
import { createIdentityPool, DEVELOPER_PROVIDER, developerUserIdentity, type SyncIdentity } from './helpers/sync-identities.ts';

const ROUNDS = 6;
const WRITERS = 6;
/** Each writer stops after this many datasets even if the merge has not answered (it always has by then). */
const MAX_WRITES_PER_WRITER = 200;

/** A pull then a push creating `DatasetName` with one record; false when the source is merged. */
async function createDataset(identity: SyncIdentity, DatasetName: string): Promise<boolean> {
  const where = { IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName };
  try {
    const { SyncSessionToken } = await identity.device().send(new ListRecordsCommand(where));
    await identity.device().send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: DatasetName, SyncCount: 0 }] }));
    return true;
  } catch (error) {
    // A merged identity names no data (404); its credentials now act for the survivor, so they may not reach
    // the old id either (403).
    if (['ResourceNotFoundException', 'NotAuthorizedException'].includes((error as Error).name)) return false;
    throw error;
  }
}

async function datasetNames(server: TestServer, identity: SyncIdentity): Promise<Set<string>> {
  const names = new Set<string>();
  let NextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const listed = await server.syncClient().send(
      new ListDatasetsCommand({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, MaxResults: 1024, NextToken }),
    );
    for (const dataset of listed.Datasets ?? []) names.add(dataset.DatasetName!);
    NextToken = listed.NextToken;
    if (!NextToken) return names;
  }
  throw new Error('more than 100 pages of datasets');
}

describe('MergeDeveloperIdentities while the source identity writes', { timeout: 180_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--max-datasets-per-identity', '100000', '--rate-limit', '0'] });
  });
  after(async () => {
    await server.dispose();
  });

  it('every dataset the source was told it created is reachable under the survivor afterwards', async () => {
    const poolId = await createIdentityPool(server);
    const lost: string[] = [];
    let refusedAfterMerge = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const source = await developerUserIdentity(server, poolId, `source-${round}`);
      const survivor = await developerUserIdentity(server, poolId, `survivor-${round}`);
      const acknowledged: string[] = [];
      let merged = false;
      let started!: () => void;
      const firstWrite = new Promise<void>((resolve) => (started = resolve));
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; n < MAX_WRITES_PER_WRITER && !merged; n++) {
          const name = `w${w}-${n}`;
          if (!(await createDataset(source, name))) {
            refusedAfterMerge += 1;
            return;
          }
          acknowledged.push(name);
          started();
        }
      });
      await firstWrite;
      await server.identityClient().send(
        new MergeDeveloperIdentitiesCommand({
          IdentityPoolId: poolId,
          DeveloperProviderName: DEVELOPER_PROVIDER,
          SourceUserIdentifier: `source-${round}`,
          DestinationUserIdentifier: `survivor-${round}`,
        }),
      );
      merged = true;
      await Promise.all(writers);

      const reachable = await datasetNames(server, survivor);
      for (const name of acknowledged) if (!reachable.has(`${name}.${source.identityId}`)) lost.push(`round ${round}: ${name}`);
      assert.equal(reachable.size, acknowledged.length, `round ${round}: the survivor holds exactly the acknowledged datasets`);
    }
    assert.deepEqual(lost, [], 'acknowledged datasets left behind under a merged identity');
    assert.ok(refusedAfterMerge > 0, 'some writes raced the merge and were refused once it took effect');
  });
});
