// The operator's console in a real browser (Chromium via playwright-core) against the real server: sign-in (a wrong
// key refused), creating a pool, a dataset a device just synced through the AWS SDK, an edit made in the console
// that the device then pulls (and a 409 shown and retried), deleting a dataset, a stream that turned itself off
// showing its DisabledReason (kinesalite), BulkPublish followed to the end, and every request any page made going
// to the server's own origin. Screenshots of the main pages go to COGNITO_SYNC_SCREENSHOTS_DIR when set (the README's
// are made that way), to a temporary folder otherwise.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { ListRecordsCommand, SetIdentityPoolConfigurationCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import type { Page } from 'playwright-core';
import { type Browser, browserUnavailableReason, launchBrowser } from './helpers/browser.ts';
import { sendSigned } from './helpers/raw-http.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { type StreamServices, startStreamServices } from './helpers/stream-services.ts';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';

const unavailable = browserUnavailableReason();
const ROLE = 'arn:aws:iam::123456789012:role/CognitoStreams';

describe('operator console in a browser', { timeout: 300_000, skip: unavailable }, () => {
  let services: StreamServices;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const screenshots = process.env.COGNITO_SYNC_SCREENSHOTS_DIR ? resolve(process.env.COGNITO_SYNC_SCREENSHOTS_DIR) : mkdtempSync(join(tmpdir(), 'console-shots-'));
  const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

  // Shared between the steps below, in order.
  let poolId: string;
  let user: SyncIdentity;
  const where = () => ({ IdentityPoolId: poolId, IdentityId: user.identityId, DatasetName: 'settings' });

  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    services = await startStreamServices();
    await services.createStream('console-stream', 1);
    server = await startServer({ env: services.env, args: ['--outbox-poll-ms', '50'] });
    browser = await launchBrowser();
    const origin = new URL(server.url).origin;
    // Every request of every page passes here: those for the server's origin go on, anything else is stopped and
    // remembered (the test fails on it at the end).
    await browser.context.route('**/*', (route) => {
      const url = route.request().url();
      requested.push(url);
      return new URL(url).origin === origin ? route.continue() : route.abort();
    });
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
    await services?.close();
    if (!process.env.COGNITO_SYNC_SCREENSHOTS_DIR) rmSync(screenshots, { recursive: true, force: true });
  });

  const alert = () => page.getByRole('alert');

  it('refuses a wrong key and signs in with the developer key, using the keyboard only', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Access key ID', { exact: true }).fill('AKIANOSUCHKEY0000000');
    await page.getByLabel('Secret access key', { exact: true }).fill('not-the-secret-at-all');
    await shot('sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await alert().getByText('UnrecognizedClientException').waitFor();
    assert.match(await alert().innerText(), /does not know this access key ID/);

    await page.getByLabel('Access key ID', { exact: true }).fill(server.developer.accessKeyId);
    await page.getByLabel('Secret access key', { exact: true }).fill('wrong-secret-for-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await alert().getByText('InvalidSignatureException').waitFor();

    // Keyboard only: focus the first field, type, Tab to the secret, Enter submits.
    await page.getByLabel('Access key ID', { exact: true }).fill('');
    await page.getByLabel('Access key ID', { exact: true }).focus();
    await page.keyboard.type(server.developer.accessKeyId);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(server.developer.secretAccessKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Identity pools', level: 1 }).waitFor();
    await page.getByText(`account ${server.developer.accountId}`).waitFor();
    // The key is in this tab's sessionStorage, and nowhere else.
    const stored = await page.evaluate(() => ({ session: Object.keys(sessionStorage), local: Object.keys(localStorage), cookies: document.cookie }));
    assert.deepEqual(stored, { session: ['cognito-sync-console:developer-key'], local: [], cookies: '' });
  });

  it('creates a pool', async () => {
    await page.getByLabel('Pool name').fill('Console pool');
    await page.getByLabel('Developer provider name (optional)').fill('login.console.test');
    await page.getByRole('button', { name: 'Create pool' }).click();
    await page.getByRole('heading', { name: 'Console pool', level: 1 }).waitFor();
    poolId = decodeURIComponent(/#\/pools\/([^/]+)/.exec(page.url())![1]!);
    const described = await server.identityClient().send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
    assert.equal(described.IdentityPoolName, 'Console pool');
    assert.equal(described.DeveloperProviderName, 'login.console.test');
    assert.equal(described.AllowUnauthenticatedIdentities, true);
    await shot('pool-settings');
  });

  it('shows a dataset a device just synced, with its records, counts and writer', async () => {
    user = await newIdentity(server, poolId);
    const device = user.device();
    const { SyncSessionToken } = await device.send(new ListRecordsCommand(where()));
    await device.send(
      new UpdateRecordsCommand({
        ...where(),
        SyncSessionToken,
        RecordPatches: [
          { Op: 'replace', Key: 'theme', Value: 'dark', SyncCount: 0 },
          { Op: 'replace', Key: 'volume', Value: '7', SyncCount: 0 },
          { Op: 'replace', Key: 'old', Value: 'gone soon', SyncCount: 0 },
        ],
      }),
    );
    const second = await device.send(new ListRecordsCommand({ ...where(), LastSyncCount: 1 }));
    await device.send(new UpdateRecordsCommand({ ...where(), SyncSessionToken: second.SyncSessionToken, RecordPatches: [{ Op: 'remove', Key: 'old', SyncCount: 1 }] }));

    await page.getByRole('link', { name: 'Identities' }).click();
    await page.getByRole('link', { name: user.identityId }).click();
    await page.getByRole('link', { name: 'settings' }).click();
    await page.getByRole('heading', { name: 'Dataset settings' }).waitFor();
    await page.getByTestId('dataset-sync-count').getByText('2').waitFor();
    const rows = await page.locator('table.records tbody tr').allInnerTexts();
    assert.equal(rows.length, 3);
    const cells = rows.map((r) => r.split('\t').map((c) => c.trim()));
    assert.deepEqual(cells.map((c) => [c[0], c[1], c[2], c[5]]), [
      ['old', 'removed', '2', user.identityId],
      ['theme', 'dark', '1', user.identityId],
      ['volume', '7', '1', user.identityId],
    ]);
    await shot('dataset');
  });

  it('an edit made in the console reaches the device as a normal change; a 409 is shown and retried', async () => {
    await page.getByRole('button', { name: 'Edit theme' }).click();
    await page.getByLabel('Record value').fill('light');
    await page.getByRole('button', { name: 'Save record' }).click();
    await page.getByText('Saved theme: the dataset is now at SyncCount 3.').waitFor();
    // The console has read the dataset again (at count 3) before the device writes below.
    await page.getByTestId('dataset-sync-count').getByText('3', { exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Reading records' }).waitFor({ state: 'detached' });

    const device = user.device();
    const pulled = await device.send(new ListRecordsCommand({ ...where(), LastSyncCount: 2 }));
    assert.equal(pulled.DatasetSyncCount, 3);
    assert.deepEqual(pulled.Records!.map((r) => [r.Key, r.Value, r.SyncCount, r.LastModifiedBy]), [['theme', 'light', 3, server.developer.accountId]]);

    // The device writes after the console read the dataset: the console's next save is refused with 409.
    await device.send(new UpdateRecordsCommand({ ...where(), SyncSessionToken: pulled.SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'volume', Value: '8', SyncCount: 1 }] }));
    await page.getByRole('button', { name: 'Edit volume' }).click();
    await page.getByLabel('Record value').fill('11');
    await page.getByRole('button', { name: 'Save record' }).click();
    await alert().getByText('ResourceConflictException').waitFor();
    assert.match(await alert().innerText(), /HTTP 409[\s\S]*reload and try again/i);
    await page.getByRole('button', { name: 'Reload and retry' }).click();
    await page.getByText('Saved volume: the dataset is now at SyncCount 5.').waitFor();
    const after409 = await device.send(new ListRecordsCommand({ ...where(), LastSyncCount: 4 }));
    assert.deepEqual(after409.Records!.map((r) => [r.Key, r.Value, r.SyncCount]), [['volume', '11', 5]]);
  });

  it('deletes a dataset, and the device learns of it', async () => {
    await page.getByRole('button', { name: 'Delete dataset…' }).click();
    await page.getByRole('button', { name: 'Delete dataset', exact: true }).click();
    await page.getByText('No datasets: this identity has not synced anything.').waitFor();
    await shot('identity');
    const pulled = await user.device().send(new ListRecordsCommand({ ...where(), LastSyncCount: 5 }));
    assert.equal(pulled.DatasetExists, false);
    assert.equal(pulled.DatasetDeletedAfterRequestedSyncCount, true);
  });

  it('a stream that turned itself off shows its DisabledReason, on the pool and on the health page', async () => {
    await server.syncClient().send(
      new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, CognitoStreams: { StreamName: 'no-such-stream', RoleArn: ROLE, StreamingStatus: 'ENABLED' } }),
    );
    const device = user.device();
    const { SyncSessionToken } = await device.send(new ListRecordsCommand({ ...where(), DatasetName: 'scores' }));
    await device.send(new UpdateRecordsCommand({ ...where(), DatasetName: 'scores', SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'best', Value: '10', SyncCount: 0 }] }));
    // The delivery fails and the server turns streaming off; read the wire until it has (bounded).
    let reason: string | undefined;
    for (let i = 0; i < 200 && !reason; i++) {
      const answer = await sendSigned(server.url, { method: 'GET', path: `/identitypools/${encodeURIComponent(poolId)}/configuration` }, { credentials: server.developer, service: 'cognito-sync' });
      reason = (answer.json().CognitoStreams as { DisabledReason?: string } | undefined)?.DisabledReason;
      if (!reason) await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(reason ?? '', /no-such-stream/);

    await page.goto(`${server.url}/console/#/pools/${encodeURIComponent(poolId)}/sync`);
    await page.getByRole('heading', { name: 'Cognito Streams' }).waitFor();
    assert.equal(await page.locator('.facts .disabled-reason').innerText(), reason);
    await page.getByText('DISABLED', { exact: true }).waitFor();
    await shot('cognito-sync');

    await page.getByRole('link', { name: 'Server health' }).click();
    await page.getByRole('heading', { name: 'Cognito Streams turned off' }).waitFor();
    const row = page.getByRole('row', { name: /Console pool/ });
    assert.match(await row.innerText(), /no-such-stream[\s\S]*not found/);
    await page.getByText(server.developer.accountId, { exact: true }).waitFor();
    await shot('health');
  });

  it('starts a BulkPublish and follows it until it succeeds', async () => {
    const streamed = await createIdentityPool(server);
    await server.syncClient().send(
      new SetIdentityPoolConfigurationCommand({ IdentityPoolId: streamed, CognitoStreams: { StreamName: 'console-stream', RoleArn: ROLE, StreamingStatus: 'ENABLED' } }),
    );
    const other = await newIdentity(server, streamed);
    const at = { IdentityPoolId: streamed, IdentityId: other.identityId, DatasetName: 'inventory' };
    const { SyncSessionToken } = await other.device().send(new ListRecordsCommand(at));
    await other.device().send(new UpdateRecordsCommand({ ...at, SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'sword', Value: '1', SyncCount: 0 }] }));

    await page.goto(`${server.url}/console/#/pools/${encodeURIComponent(streamed)}/bulk-publish`);
    await page.getByText('NOT_STARTED', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Start BulkPublish' }).click();
    await page.getByText('SUCCEEDED', { exact: true }).waitFor({ timeout: 60_000 });
    const records = await services.waitForStream('console-stream', (r) => r.some((x) => x.data.identityPoolId === streamed && x.data.datasetName === 'inventory'));
    assert.ok(records.length >= 1);
  });

  it('every page renders, and no page made a request to any origin but the server', async () => {
    const pages: Array<[string, string]> = [
      ['pools', 'Identity pools'],
      [`pools/${encodeURIComponent(poolId)}/settings`, 'Change settings'],
      [`pools/${encodeURIComponent(poolId)}/providers`, 'Public login providers'],
      [`pools/${encodeURIComponent(poolId)}/roles`, 'Roles'],
      [`pools/${encodeURIComponent(poolId)}/tags`, 'Tags'],
      [`pools/${encodeURIComponent(poolId)}/identities`, 'Find an identity'],
      [`pools/${encodeURIComponent(poolId)}/usage`, 'Usage'],
      ['usage', 'Usage per pool'],
      ['health', 'Store'],
    ];
    for (const [route, heading] of pages) {
      await page.goto(`${server.url}/console/#/${route}`);
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      await page.locator('.busy').first().waitFor({ state: 'detached' });
      if (route.endsWith('/identities')) await shot('identities');
      if (route === 'usage') {
        await page.locator('figure.chart svg rect').first().waitFor();
        await shot('usage');
      }
      if (route === 'pools') await shot('pools');
    }
    // Roles are answered, or refused readably by a server that does not implement them yet.
    await page.goto(`${server.url}/console/#/pools/${encodeURIComponent(poolId)}/roles`);
    await page.getByText(/Authenticated role|NotImplementedException/).first().waitFor();

    const origin = new URL(server.url).origin;
    assert.ok(requested.length > 20, `the pages made requests (${requested.length})`);
    assert.deepEqual(requested.filter((url) => new URL(url).origin !== origin), [], 'requests to other origins');
  });
});
