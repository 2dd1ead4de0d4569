// A real browser for the console tests: Debian's Chromium (`apt-get install chromium`; .ci/run installs it) driven by
// playwright-core, with a fresh profile and the flags that keep it from reaching any network of its own. Under
// CI=true a missing browser fails the test; elsewhere the test is skipped with the reason printed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { inCi } from './postgres.ts';

export const CHROMIUM = process.env.COGNITO_SYNC_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. Throws under CI=true. */
export function browserUnavailableReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set COGNITO_SYNC_TEST_CHROMIUM)`;
  if (inCi()) throw new Error(`${reason}; CI=true requires it (.ci/run installs it)`);
  process.stdout.write(`# console browser tests SKIPPED: ${reason}\n`);
  return reason;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'cognito-sync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(20_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
