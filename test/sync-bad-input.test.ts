// Bad UpdateRecords / ListRecords input: each a 400 naming the problem, and nothing of the batch applied.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListRecordsCommand, type RecordPatch, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { sendSigned } from './helpers/raw-http.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

describe('bad sync input', { timeout: 120_000 }, () => {
  let server: TestServer;
  let user: SyncIdentity;
  const where = () => ({ IdentityPoolId: user.identityPoolId, IdentityId: user.identityId, DatasetName: 'target' });

  async function push(RecordPatches: RecordPatch[], DatasetName = 'target') {
    const client = user.device();
    const { SyncSessionToken } = await client.send(new ListRecordsCommand({ ...where(), DatasetName }));
    return client.send(new UpdateRecordsCommand({ ...where(), DatasetName, SyncSessionToken, RecordPatches }));
  }

  before(async () => {
    server = await startServer();
    user = await newIdentity(server, await createIdentityPool(server));
    await push([
      { Op: 'replace', Key: 'a', Value: '1', SyncCount: 0 },
      { Op: 'replace', Key: 'b', Value: '2', SyncCount: 0 },
    ]);
  });
  after(async () => {
    await server.dispose();
  });

  const good: RecordPatch = { Op: 'replace', Key: 'c', Value: '3', SyncCount: 0 };
  const cases: Array<{ name: string; patches: RecordPatch[]; code?: string; message: RegExp }> = [
    { name: 'an unknown Op', patches: [good, { Op: 'upsert' as never, Key: 'a', Value: 'x', SyncCount: 1 }], message: /recordPatches\.2\.member\.op.*enum value set: \[replace, remove\]/ },
    { name: 'a patch without Key', patches: [good, { Op: 'replace', Value: 'x', SyncCount: 0 } as never], message: /recordPatches\.2\.member\.key.*must not be null/ },
    { name: 'a patch without SyncCount', patches: [good, { Op: 'replace', Key: 'a', Value: 'x' } as never], message: /recordPatches\.2\.member\.syncCount.*must not be null/ },
    { name: 'a patch without Op', patches: [good, { Key: 'a', Value: 'x', SyncCount: 1 } as never], message: /recordPatches\.2\.member\.op.*must not be null/ },
    { name: 'a value over 1,048,575 characters', patches: [good, { Op: 'replace', Key: 'a', Value: 'x'.repeat(1_048_576), SyncCount: 1 }], message: /recordPatches\.2\.member\.value.*length less than or equal to 1048575/ },
    { name: 'a key over 1,024 characters', patches: [good, { Op: 'replace', Key: 'k'.repeat(1025), Value: 'x', SyncCount: 0 }], message: /recordPatches\.2\.member\.key.*length less than or equal to 1024/ },
    { name: 'an empty key', patches: [good, { Op: 'replace', Key: '', Value: 'x', SyncCount: 0 }], message: /recordPatches\.2\.member\.key.*length greater than or equal to 1/ },
    { name: 'a key twice in one batch', patches: [good, { Op: 'replace', Key: 'c', Value: 'again', SyncCount: 0 }], message: /RecordPatches\[1\] \(key 'c'\).*more than once/ },
    { name: 'a negative SyncCount', patches: [good, { Op: 'replace', Key: 'a', Value: 'x', SyncCount: -1 }], message: /RecordPatches\[1\] \(key 'a'\): SyncCount must not be negative/ },
    { name: 'a SyncCount the dataset never reached', patches: [good, { Op: 'replace', Key: 'a', Value: 'x', SyncCount: 1000 }], message: /SyncCount 1000 for key 'a' is greater than the dataset's current SyncCount 1/ },
    { name: 'a SyncCount beyond any integer the server keeps', patches: [good, { Op: 'replace', Key: 'a', Value: 'x', SyncCount: 2 ** 64 }], code: 'SerializationException', message: /recordPatches\.2\.member\.syncCount/ },
    { name: 'replace without a Value', patches: [good, { Op: 'replace', Key: 'a', SyncCount: 1 }], message: /RecordPatches\[1\] \(key 'a'\): Op replace needs a Value/ },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}, applying nothing`, async () => {
      const error = await errorOf(push(c.patches));
      assert.equal(error.$metadata.httpStatusCode, 400, error.message);
      assert.equal(error.name, c.code ?? 'InvalidParameterException');
      assert.match(error.message, c.message);
      const state = await user.device().send(new ListRecordsCommand(where()));
      assert.equal(state.DatasetSyncCount, 1);
      assert.deepEqual(state.Records!.map((r) => [r.Key, r.Value]), [['a', '1'], ['b', '2']], "the batch's good patch ('c') was not applied either");
    });
  }

  it('refuses bad dataset names', async () => {
    for (const [name, message] of [
      ['has space', /datasetName.*regular expression pattern/],
      ['x'.repeat(129), /datasetName.*length less than or equal to 128/],
    ] as const) {
      const error = await errorOf(user.device().send(new ListRecordsCommand({ ...where(), DatasetName: name })));
      assert.equal(error.name, 'InvalidParameterException');
      assert.match(error.message, message);
    }
  });

  it('refuses a lastSyncCount or maxResults that is not a number', async () => {
    const path = `/identitypools/${encodeURIComponent(user.identityPoolId)}/identities/${encodeURIComponent(user.identityId)}/datasets/target/records`;
    for (const query of [{ lastSyncCount: 'abc' }, { lastSyncCount: '1.5' }, { maxResults: 'many' }] as Array<Record<string, string>>) {
      const response = await sendSigned(server.url, { method: 'GET', path, query }, { credentials: user.credentials, service: 'cognito-sync' });
      assert.equal(response.status, 400, response.text);
      assert.match(response.json().message as string, /lastSyncCount|LastSyncCount|maxResults|MaxResults/);
    }
  });

  it('a push without patches writes nothing and leaves the count', async () => {
    const result = await push([]);
    assert.deepEqual(result.Records, []);
    const state = await user.device().send(new ListRecordsCommand(where()));
    assert.equal(state.DatasetSyncCount, 1);
    const none = await push([], 'never-made');
    assert.deepEqual(none.Records, []);
    const missing = await user.device().send(new ListRecordsCommand({ ...where(), DatasetName: 'never-made' }));
    assert.equal(missing.DatasetExists, false);
  });
});
