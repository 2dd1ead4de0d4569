// The operator's console at /console/: the static files the project's build step writes to dist/console/
// (console/ at the root holds their source). Files are read once, on first request, and kept in memory with their
// gzip form. Vite names every asset by its content hash, so assets are cached for a year; index.html is
// revalidated on every load so a new build is picked up at once. The Content-Security-Policy lets the page load
// only its own scripts and styles and talk only to this server: the console makes no other request.
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const CONSOLE_PATH = '/console/';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

interface CachedFile {
  body: Buffer;
  gzipped?: Buffer;
  type: string;
  immutable: boolean;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface ConsoleStaticOptions {
  /** The build output; dist/console beside the compiled server by default. */
  root?: string;
  /** The region the console signs its requests for (served as config.json). */
  region: string;
}

export function createConsoleStatic(options: ConsoleStaticOptions) {
  const root = options.root ?? fileURLToPath(new URL('../console/', import.meta.url));
  const cache = new Map<string, CachedFile | null>();
  const config = Buffer.from(JSON.stringify({ region: options.region }));

  function load(relative: string): CachedFile | null {
    if (cache.has(relative)) return cache.get(relative)!;
    let file: CachedFile | null = null;
    const path = normalize(join(root, relative));
    if (path.startsWith(root.endsWith(sep) ? root : root + sep)) {
      try {
        if (statSync(path).isFile()) {
          const body = readFileSync(path);
          const ext = extname(path);
          file = {
            body,
            gzipped: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : undefined,
            type: TYPES[ext] ?? 'application/octet-stream',
            immutable: relative.startsWith('assets/'),
          };
        }
      } catch {
        file = null;
      }
    }
    // Misses are not cached: a build finishing after the first request is still found.
    if (file) cache.set(relative, file);
    return file;
  }

  /** Answers GET and HEAD under /console; false for any other path. */
  return function answerConsole(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    if (path !== '/console' && !path.startsWith(CONSOLE_PATH)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The console is static files: GET or HEAD only.\n');
      return true;
    }
    if (path === '/console') {
      res.writeHead(308, { ...SECURITY_HEADERS, Location: CONSOLE_PATH, 'Content-Length': 0 });
      res.end();
      return true;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice(CONSOLE_PATH.length)) || 'index.html';
    } catch {
      relative = '';
    }
    if (relative === 'config.json') {
      send(req, res, { body: config, type: TYPES['.json']!, immutable: false });
      return true;
    }
    const file = relative.includes('\0') ? null : load(relative);
    if (!file) {
      const built = load('index.html') !== null;
      res.writeHead(built ? 404 : 503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(built ? `No console file at ${path}\n` : 'The console is not built: run `npm run build`.\n');
      return true;
    }
    send(req, res, file);
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, file: CachedFile) {
  const gzip = file.gzipped !== undefined && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzipped! : file.body;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': file.type,
    'Content-Length': body.length,
    // Hashed assets never change under their name; everything else is revalidated on each load.
    'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
