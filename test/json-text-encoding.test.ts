// Text that is not Unicode — invalid UTF-8 bytes in a JSON body, or an unpaired surrogate escape such as
// "x\ud800y" — is refused with 400 SerializationException naming the member, as AWS's JSON parsers refuse
// it. Nothing of it is stored, so what a write acknowledges is always what a later read returns.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { type RawResponse, send, sendSigned } from './helpers/raw-http.ts';
import { startServer, type TestServer } from './helpers/server.ts';

describe('text encoding of JSON bodies', { timeout: 120_000 }, () => {
  let server: TestServer;
  let user: SyncIdentity;
  const dataset = 'encoding';
  const where = () => ({ IdentityPoolId: user.identityPoolId, IdentityId: user.identityId, DatasetName: dataset });

  /** UpdateRecords with a body given as bytes: `{"SyncSessionToken":…,"RecordPatches":[<patch>]}`. */
  async function updateWithPatch(patch: Buffer): Promise<RawResponse> {
    const { SyncSessionToken } = await user.device().send(new ListRecordsCommand(where()));
    const body = Buffer.concat([Buffer.from(`{"SyncSessionToken":${JSON.stringify(SyncSessionToken)},"RecordPatches":[`), patch, Buffer.from(']}')]);
    const path = `/identitypools/${encodeURIComponent(user.identityPoolId)}/identities/${encodeURIComponent(user.identityId)}/datasets/${dataset}`;
    return sendSigned(server.url, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body }, { credentials: user.credentials, service: 'cognito-sync' });
  }

  const stored = async () => (await user.device().send(new ListRecordsCommand(where()))).Records!.map((r) => [r.Key, r.Value]);

  function assertRefused(response: RawResponse, member: string) {
    assert.equal(response.status, 400, response.text);
    assert.equal(response.headers['x-amzn-errortype'], 'SerializationException:');
    assert.equal(response.json().__type, 'SerializationException');
    assert.match(String(response.json().message), new RegExp(`'${member.replace(/\./g, '\\.')}'.*not valid Unicode`));
  }

  before(async () => {
    server = await startServer();
    user = await newIdentity(server, await createIdentityPool(server));
  });
  after(async () => {
    await server.dispose();
  });

  it('refuses invalid UTF-8 in a value, storing nothing', async () => {
    for (const bad of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80] /* an encoded surrogate */, [0xc0, 0xaf] /* overlong '/' */, [0xf4, 0x90, 0x80, 0x80] /* past U+10FFFF */]) {
      const patch = Buffer.concat([Buffer.from('{"Op":"replace","Key":"a","SyncCount":0,"Value":"x'), Buffer.from(bad), Buffer.from('y"}')]);
      assertRefused(await updateWithPatch(patch), 'recordPatches.1.member.value');
    }
    assert.deepEqual(await stored(), []);
  });

  it('refuses invalid UTF-8 in a key', async () => {
    assertRefused(await updateWithPatch(Buffer.from([...Buffer.from('{"Op":"replace","Key":"k'), 0xfe, ...Buffer.from('","SyncCount":0,"Value":"v"}')])), 'recordPatches.1.member.key');
    assert.deepEqual(await stored(), []);
  });

  it('refuses unpaired surrogate escapes, storing nothing', async () => {
    for (const value of ['x\\ud800y', 'x\\udfffy', '\\ude00\\ud83d', 'end\\ud83d']) {
      assertRefused(await updateWithPatch(Buffer.from(`{"Op":"replace","Key":"a","SyncCount":0,"Value":"${value}"}`)), 'recordPatches.1.member.value');
    }
    assert.deepEqual(await stored(), []);
  });

  it('keeps and returns exactly what it acknowledged: escaped pairs, U+FFFD, raw multi-byte text', async () => {
    const patch = Buffer.from('{"Op":"replace","Key":"z","SyncCount":0,"Value":"\\ud83d\\ude00 \uFFFD \\ufffd é 😀 \u4e2d"}');
    const response = await updateWithPatch(patch);
    assert.equal(response.status, 200, response.text);
    const written = response.json().Records as Array<{ Key: string; Value: string }>;
    const expected = '😀 \uFFFD \uFFFD é 😀 \u4e2d';
    assert.equal(written[0]!.Value, expected);
    assert.deepEqual(await stored(), [['z', expected]], 'the refused writes before stored nothing either');
  });

  it('refuses invalid UTF-8 and unpaired surrogates in map keys and values (GetId Logins, unsigned)', async () => {
    const post = (body: Buffer) =>
      send(server.url, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' }, body });
    const prefix = `{"IdentityPoolId":"${user.identityPoolId}","Logins":{`;
    assertRefused(await post(Buffer.concat([Buffer.from(`${prefix}"login.example.app":"u`), Buffer.from([0x80]), Buffer.from('"}}')])), 'logins.login.example.app');
    assertRefused(await post(Buffer.from(`${prefix}"login.example.app":"\\udc00"}}`)), 'logins.login.example.app');
    const badKey = await post(Buffer.from(`${prefix}"login\\ud800":"u"}}`));
    assertRefused(badKey, 'logins');
  });

  it('answers invalid UTF-8 outside any string as malformed JSON', async () => {
    const response = await send(server.url, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
      body: Buffer.concat([Buffer.from(`{"IdentityPoolId":"${user.identityPoolId}",`), Buffer.from([0xff]), Buffer.from('}')]),
    });
    assert.equal(response.status, 400, response.text);
    assert.equal(response.json().__type, 'SerializationException');
    assert.doesNotMatch(server.stdout(), /"level":50/, 'nothing was logged as an error');
  });
});
