// `npm start` runs what `npm install` / `npm ci` built (the `prepare` script) and never rebuilds dist/: a restart
// is quick, and a sibling node started from the same install never reads a file half-written under it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = new URL('..', import.meta.url).pathname;
const DIST = join(ROOT, 'dist');

/** Every file under dist/ with its modification time and size. */
function snapshot(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) snapshot(path, into);
    else {
      const stat = statSync(path);
      into.set(path.slice(DIST.length), `${stat.mtimeMs} ${stat.size}`);
    }
  }
  return into;
}

describe('npm start', { timeout: 120_000 }, () => {
  it('builds at install (prepare) and starts without touching dist/', async () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.prepare ?? '', /npm run build/, 'npm install and npm ci build dist/');
    assert.equal(scripts.prestart, undefined, 'nothing runs before npm start');

    const before = snapshot(DIST);
    assert.ok(before.has('/cli.js'), 'dist/ is built');
    const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-start-'));
    // Its own process group, so the signal reaches npm and the server it started.
    const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, COGNITO_SYNC_DATABASE_URL: undefined, COGNITO_SYNC_ACCESS_KEY_ID: undefined, COGNITO_SYNC_SECRET_ACCESS_KEY: undefined, COGNITO_SYNC_ACCOUNT_ID: undefined },
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      let out = '';
      let err = '';
      child.stderr!.on('data', (chunk) => (err += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start did not listen within 30 s\n${out}\n${err}`)), 30_000);
        child.stdout!.on('data', (chunk) => {
          out += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`npm start exited with ${code}\n${out}\n${err}`));
        });
      });
      assert.equal((await fetch(`${url}/health/live`)).status, 200);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
    const after = snapshot(DIST);
    const changed = [...before].filter(([path, stamp]) => after.get(path) !== stamp).map(([path]) => path);
    assert.deepEqual(changed, [], 'no file under dist/ was rewritten');
    assert.equal(after.size, before.size, 'no file appeared or vanished under dist/');
  });
});
