// No opaque token the server issues may start with '-': both AWS CLIs read `--sync-session-token -Abc…` (or
// `--next-token`) as a missing argument followed by an unknown option. Tokens are random, so one in 64 used to;
// over the 800 tokens drawn here, all of them clean by chance would happen about once in 300,000 runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, GetCredentialsForIdentityCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { startServer, type TestServer } from './helpers/server.ts';

describe('issued tokens never start with a dash', { timeout: 120_000 }, () => {
  let server: TestServer;
  let user: SyncIdentity;
  before(async () => {
    server = await startServer();
    user = await newIdentity(server, await createIdentityPool(server));
    await server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'second', AllowUnauthenticatedIdentities: true }));
  });
  after(async () => {
    await server.dispose();
  });

  const assertNoLeadingDash = (kind: string, tokens: string[]) => {
    assert.equal(new Set(tokens).size, tokens.length, `${kind}s are all different`);
    const dashed = tokens.filter((token) => token.startsWith('-'));
    assert.deepEqual(dashed, [], `${dashed.length} of ${tokens.length} ${kind}s start with '-'`);
  };

  it('SyncSessionToken and ListRecords NextToken', async () => {
    const where = { IdentityPoolId: user.identityPoolId, IdentityId: user.identityId, DatasetName: 'tokens' };
    const device = user.device();
    const first = await device.send(new ListRecordsCommand(where));
    await device.send(new UpdateRecordsCommand({
      ...where,
      SyncSessionToken: first.SyncSessionToken,
      RecordPatches: [{ Op: 'replace', Key: 'a', Value: '1', SyncCount: 0 }, { Op: 'replace', Key: 'b', Value: '2', SyncCount: 0 }],
    }));
    const sessionTokens: string[] = [];
    const nextTokens: string[] = [];
    for (let i = 0; i < 300; i++) {
      const page = await device.send(new ListRecordsCommand({ ...where, MaxResults: 1 }));
      sessionTokens.push(page.SyncSessionToken!);
      nextTokens.push(page.NextToken!);
    }
    assertNoLeadingDash('SyncSessionToken', sessionTokens);
    assertNoLeadingDash('NextToken', nextTokens);
    const rest = await device.send(new ListRecordsCommand({ ...where, MaxResults: 1, NextToken: nextTokens.at(-1) }));
    assert.deepEqual(rest.Records!.map((r) => r.Key), ['b'], 'a NextToken still resumes the listing');
  });

  it('credentials SessionToken and ListIdentityPools NextToken', async () => {
    const identity = server.identityClient();
    const sessionTokens: string[] = [];
    const nextTokens: string[] = [];
    for (let i = 0; i < 100; i++) {
      const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: user.identityId }));
      sessionTokens.push(Credentials!.SessionToken!);
      const page = await identity.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
      nextTokens.push(page.NextToken!);
    }
    assertNoLeadingDash('SessionToken', sessionTokens);
    assertNoLeadingDash('NextToken', nextTokens);
  });
});
