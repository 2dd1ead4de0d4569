// A `null` inside a list or a map ({"RecordPatches":[null]}, "Logins":{"x":null}, …) is a client's mistake:
// 400 InvalidParameterException naming the element, never a 500 and never an error in the log. The sites are
// not listed by hand: every list and map member of both models' inputs, at any depth, gets a null element.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { cognitoIdentityModel } from '../src/model/cognito-identity.ts';
import { cognitoSyncModel } from '../src/model/cognito-sync.ts';
import type { ServiceModel, Shape } from '../src/model/types.ts';
import { createIdentityPool, newIdentity } from './helpers/sync-identities.ts';
import { send, sendSigned } from './helpers/raw-http.ts';
import { startServer, type TestServer } from './helpers/server.ts';

interface NullSite {
  /** The JSON value of the member holding the null somewhere inside it. */
  value: unknown;
  /** The path the server must name, as its validation messages spell it. */
  path: string;
}

const wireName = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);

/** Every way to put one null into a collection inside a value of `shapeName`. */
function nullSites(model: ServiceModel, shapeName: string, path: string, visiting: Set<string>): NullSite[] {
  if (visiting.has(shapeName)) return [];
  const shape: Shape = model.shapes[shapeName]!;
  visiting.add(shapeName);
  const sites: NullSite[] = [];
  switch (shape.type) {
    case 'structure':
      for (const [name, ref] of Object.entries(shape.members)) {
        for (const site of nullSites(model, ref.shape, `${path}.${wireName(name)}`, visiting)) {
          sites.push({ value: { [name]: site.value }, path: site.path });
        }
      }
      break;
    case 'list':
      sites.push({ value: [null], path: `${path}.1.member` });
      for (const site of nullSites(model, shape.member.shape, `${path}.1.member`, visiting)) sites.push({ value: [site.value], path: site.path });
      break;
    case 'map':
      sites.push({ value: { k: null }, path: `${path}.k` });
      for (const site of nullSites(model, shape.value.shape, `${path}.k`, visiting)) sites.push({ value: { k: site.value }, path: site.path });
      break;
    default:
      break;
  }
  visiting.delete(shapeName);
  return sites;
}

/** Per operation of `model`, the request bodies (JSON 1.1 target form: every member in the body). */
function operationSites(model: ServiceModel) {
  return Object.values(model.operations).flatMap((operation) =>
    operation.input
      ? nullSites(model, operation.input, '', new Set()).map((site) => ({
          operation: operation.name,
          body: JSON.stringify(site.value),
          path: site.path.slice(1),
        }))
      : [],
  );
}

describe('null inside lists and maps', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  // The walk must reach at least the sites the hostile-input run found (issue 12, item 1).
  const known = new Map([
    [cognitoSyncModel, ['UpdateRecords recordPatches.1.member', 'SetCognitoEvents events.k', 'SetIdentityPoolConfiguration pushSync.applicationArns.1.member']],
    [cognitoIdentityModel, ['GetId logins.k', 'DeleteIdentities identityIdsToDelete.1.member', 'SetIdentityPoolRoles roleMappings.k.rulesConfiguration.rules.1.member']],
  ]);
  for (const [model, mustInclude] of known) {
    it(`every list and map member of ${model.signingName} answers 400 naming the null element`, async () => {
      const sites = operationSites(model);
      const found = new Set(sites.map((site) => `${site.operation} ${site.path}`));
      for (const site of mustInclude) assert.ok(found.has(site), `the walk reaches ${site}`);
      const wrong: string[] = [];
      for (const site of sites) {
        const response = await sendSigned(
          server.url,
          {
            method: 'POST',
            path: '/',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${model.targetPrefix}.${site.operation}` },
            body: site.body,
          },
          { credentials: server.developer, service: model.signingName },
        );
        const message = String(response.json().message);
        if (
          response.status !== 400 ||
          response.headers['x-amzn-errortype'] !== 'InvalidParameterException:' ||
          !message.includes(`Value null at '${site.path}' failed to satisfy constraint: Member must not be null`)
        ) {
          wrong.push(`${site.operation} ${site.body}: ${response.status} ${response.text}`);
        }
      }
      assert.deepEqual(wrong, [], `${wrong.length} of ${sites.length} sites`);
      assert.doesNotMatch(server.stdout(), /"level":50/, 'nothing was logged as an error');
    });
  }

  it('on the rest-json path too (UpdateRecords), and unsigned (GetId)', async () => {
    const user = await newIdentity(server, await createIdentityPool(server));
    const where = { IdentityPoolId: user.identityPoolId, IdentityId: user.identityId, DatasetName: 'nulls' };
    const { SyncSessionToken } = await user.device().send(new ListRecordsCommand(where));
    const path = `/identitypools/${encodeURIComponent(where.IdentityPoolId)}/identities/${encodeURIComponent(where.IdentityId)}/datasets/nulls`;
    const update = await sendSigned(
      server.url,
      { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'a', Value: '1', SyncCount: 0 }, null] }) },
      { credentials: user.credentials, service: 'cognito-sync' },
    );
    assert.equal(update.status, 400, update.text);
    assert.match(String(update.json().message), /Value null at 'recordPatches\.2\.member' failed to satisfy constraint: Member must not be null/);
    const records = await user.device().send(new ListRecordsCommand(where));
    assert.deepEqual(records.Records, [], 'nothing of the batch was applied');

    const getId = await send(server.url, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
      body: JSON.stringify({ IdentityPoolId: user.identityPoolId, Logins: { 'login.example.app': null } }),
    });
    assert.equal(getId.status, 400, getId.text);
    assert.equal(getId.json().__type, 'InvalidParameterException');
    assert.match(String(getId.json().message), /Value null at 'logins\.login\.example\.app'/);
    assert.doesNotMatch(server.stdout(), /"level":50/, 'nothing was logged as an error');
  });
});
