// Finds the botocore package this machine's Python has installed and reads its service models from it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface Botocore {
  /** The package directory (the one holding `__init__.py` and `data/`). */
  dir: string;
  /** `__version__` of that package, e.g. `1.43.11`. */
  version: string;
}

/** The botocore package at `dir`, or else the one `python3` imports. */
export function findBotocore(dir?: string): Botocore {
  const packageDir = dir ?? pythonBotocoreDir();
  const init = join(packageDir, '__init__.py');
  if (!existsSync(init)) throw new Error(`${packageDir} is not a botocore package directory (no __init__.py)`);
  const version = /^__version__\s*=\s*['"]([^'"]+)['"]/m.exec(readFileSync(init, 'utf8'))?.[1];
  if (!version) throw new Error(`${init} does not state __version__`);
  return { dir: packageDir, version };
}

function pythonBotocoreDir(): string {
  try {
    return execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    throw new Error(
      `botocore not found: python3 could not import it (${(error as Error).message.split('\n')[0]}). ` +
        'Install it (pip install botocore) or pass --botocore <botocore package dir>.',
    );
  }
}

/** A service's botocore JSON model (`data/<service>/<apiVersion>/service-2.json[.gz]`). */
export function readServiceModel(botocore: Botocore, service: string, apiVersion: string): BotocoreModel {
  const base = join(botocore.dir, 'data', service, apiVersion, 'service-2.json');
  const text = existsSync(`${base}.gz`) ? gunzipSync(readFileSync(`${base}.gz`)).toString('utf8') : readFileSync(base, 'utf8');
  return JSON.parse(text) as BotocoreModel;
}

/** The parts of botocore's JSON model the generator reads. */
export interface BotocoreModel {
  metadata: {
    apiVersion: string;
    protocol: string;
    signingName?: string;
    endpointPrefix: string;
    targetPrefix?: string;
    xmlNamespace?: string;
  };
  operations: Record<string, BotocoreOperation>;
  shapes: Record<string, BotocoreShape>;
}

export interface BotocoreOperation {
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string; resultWrapper?: string };
  errors?: Array<{ shape: string }>;
  authtype?: string;
  auth?: string[];
}

export interface BotocoreMember {
  shape: string;
  location?: string;
  locationName?: string;
}

export interface BotocoreShape {
  type: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  required?: string[];
  members?: Record<string, BotocoreMember>;
  member?: BotocoreMember;
  key?: BotocoreMember;
  value?: BotocoreMember;
  exception?: boolean;
  fault?: boolean;
  error?: { code?: string; httpStatusCode?: number };
}
