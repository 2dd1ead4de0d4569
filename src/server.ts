// Wiring only: builds the store, the services and the request pipeline, and serves them over HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StoreCredentialResolver } from './auth/credential-resolver.ts';
import { type BootstrapResult, ensureDeveloperKey } from './auth/developer-key-bootstrap.ts';
import { noThrottle, TokenBucketThrottle } from './auth/throttle.ts';
import type { Config } from './config.ts';
import { newServerSecret, TokenSealer } from './crypto/token-sealer.ts';
import { answerClientError } from './http/aws-shaped-client-error.ts';
import { answerHealth } from './http/health.ts';
import { createLogger } from './logger.ts';
import { cognitoIdentityModel } from './model/cognito-identity.ts';
import { cognitoSyncModel } from './model/cognito-sync.ts';
import { createPipeline } from './pipeline.ts';
import { Router } from './protocol/router.ts';
import { identityPoolHandlers } from './services/cognito-identity/identity-pools.ts';
import { poolConfigurationHandlers } from './services/cognito-sync/pool-configuration.ts';
import { PageTokens } from './services/pagination.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';

export interface RunningServer {
  url: string;
  server: Server;
  store: Store;
  bootstrap: BootstrapResult;
  /** Stops accepting, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const store = openSqliteStore(config.dataDir);
  const bootstrap = await ensureDeveloperKey(store, config);
  const sealer = new TokenSealer(await store.getOrCreateSecret('token-sealing', newServerSecret()));
  const pageTokens = new PageTokens(sealer);

  const handlers = new Map([
    [cognitoSyncModel.signingName, { ...poolConfigurationHandlers(store) }],
    [cognitoIdentityModel.signingName, { ...identityPoolHandlers(store, pageTokens) }],
  ]);
  const pipeline = createPipeline({
    router: new Router([cognitoSyncModel, cognitoIdentityModel]),
    handlers,
    credentials: new StoreCredentialResolver(store),
    throttle: config.rateLimit > 0 ? new TokenBucketThrottle(config.rateLimit) : noThrottle,
    region: config.region,
    maxBodyBytes: config.maxBodyBytes,
    logger,
  });

  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 60_000 }, (req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      void answerHealth(res, store);
      return;
    }
    pipeline(req, res).catch((error) => {
      logger.error({ err: error }, 'request pipeline failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Connections still busy after the grace period are cut so shutdown cannot hang forever.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await store.close();
    })());

  return { url: `http://${host}:${address.port}`, server, store, bootstrap, close };
}
