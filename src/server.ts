// Wiring only: builds the store, the services and the request pipeline, and serves them over HTTP.
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StoreCredentialResolver } from './auth/credential-resolver.ts';
import { type BootstrapResult, ensureDeveloperKey } from './auth/developer-key-bootstrap.ts';
import { IdentityCredentials } from './auth/identity-credentials.ts';
import { loadIamProvidersFile } from './auth/login-providers/iam-providers-file.ts';
import { loadLoginMappingFile } from './auth/login-providers/login-mapping-file.ts';
import { LoginProviders } from './auth/login-providers/login-providers.ts';
import { OpenIdTokens } from './auth/open-id-tokens.ts';
import { noThrottle, type Throttle, TokenBucketThrottle } from './auth/throttle.ts';
import type { Config } from './config.ts';
import { loadServerKeys } from './crypto/server-keys.ts';
import { TokenSealer } from './crypto/token-sealer.ts';
import { createCognitoStreams } from './delivery/cognito-streams.ts';
import { LambdaSyncTrigger } from './delivery/lambda-sync-trigger.ts';
import { OutboxWorker, wakingOnQueuedWork } from './delivery/outbox-worker.ts';
import { SnsMobilePush } from './delivery/sns-mobile-push.ts';
import { SnsPushPublisher, snsPushHandlers } from './delivery/sns-push-publisher.ts';
import { createConsoleStatic } from './http/console-static.ts';
import { HttpLevelErrors } from './http/http-level-errors.ts';
import { answerPreflight, applyCors } from './http/cors.ts';
import { createMetrics } from './http/metrics.ts';
import { clientAddressResolver } from './http/client-address.ts';
import { answerOperationalEndpoint } from './http/operational-endpoints.ts';
import { createLogger } from './logger.ts';
import { createOperatorApi } from './operator/operator-api.ts';
import { readServerVersion } from './operator/status.ts';
import { cognitoIdentityModel } from './model/cognito-identity.ts';
import { cognitoSyncModel } from './model/cognito-sync.ts';
import { stsModel } from './model/sts.ts';
import { createPipeline } from './pipeline.ts';
import { ServiceError } from './protocol/errors.ts';
import { Router } from './protocol/router.ts';
import { startSpentSessionSweeper } from './services/cognito-sync/spent-session-sweeper.ts';
import { writeError } from './protocol/serialize.ts';
import { SyncTrigger } from './services/cognito-sync/sync-trigger.ts';
import { buildServiceHandlers } from './services/service-handlers.ts';
import { openStore } from './store/open-store.ts';
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
  // The operator's files are checked before anything else opens: a mistake there stops the start (exit 2).
  const iamProviders = await loadIamProvidersFile(config.logins.iamProvidersFile);
  const importedLogins = await loadLoginMappingFile(config.logins.loginMappingFile);
  const loginProviders = new LoginProviders({
    endpoints: config.logins.providerEndpoints,
    timeoutMs: config.logins.providerTimeoutMs,
    keyRefetchCooldownMs: config.logins.keyRefetchCooldownMs,
    iam: iamProviders,
    logger,
  });
  const store = await openStore(config);
  let bootstrap: BootstrapResult;
  try {
    bootstrap = await ensureDeveloperKey(store, config);
  } catch (error) {
    await store.close();
    throw error;
  }
  const serverKeys = await loadServerKeys(store, config.serverKeyIds);
  for (const keyId of serverKeys.generated) logger.info({ keyId }, `created server key ${keyId} (its OpenID signing key generated now)`);
  const sealer = new TokenSealer(serverKeys.keys.map((key) => ({ id: key.id, secret: key.sealingSecret })));
  const openIdTokens = await OpenIdTokens.fromKeys(serverKeys.keys.map((key) => key.openIdSigningKey));
  const identityCredentials = new IdentityCredentials({
    sealer,
    signingKeys: new Map(serverKeys.keys.map((key) => [key.id, key.credentialsSigningSecret])),
    identities: store,
    ttlSeconds: config.credentialsTtlSeconds,
  });

  const throttle = await createThrottle(config, logger);
  const clientAddress = clientAddressResolver(config.trustedProxies);
  // Requests being handled now: shutdown waits for them, and tells their connections not to stay open.
  const inFlight = new Set<ServerResponse>();
  let shuttingDown = false;
  // Deliveries after commit (Cognito Streams records, BulkPublish jobs, push sync pushes): every node runs a worker; the store
  // hands each outbox item to one of them. Handlers write through outboxStore so this node's worker starts at once.
  const cognitoStreams = createCognitoStreams(config, store, logger);
  // Push sync's SNS client, shared by RegisterDevice and the push deliverer.
  const mobilePush = new SnsMobilePush();
  const outboxHandlers = { ...cognitoStreams.handlers, ...snsPushHandlers(new SnsPushPublisher({ store, mobilePush, logger })) };
  const metrics = createMetrics({
    store,
    inFlightRequests: () => inFlight.size,
    outbox: { depthByKind: () => store.outboxDepthByKind(), kinds: Object.keys(outboxHandlers) },
  });
  const outboxWorker = new OutboxWorker({
    store,
    handlers: outboxHandlers,
    logger,
    leaseMs: config.outboxLeaseMs,
    pollIntervalMs: config.outboxPollMs,
    maxAttempts: config.outboxMaxAttempts,
  });
  const outboxStore = wakingOnQueuedWork(store, outboxWorker);
  outboxWorker.start();
  const spentSessions = startSpentSessionSweeper(store, logger);
  const lambda = new LambdaSyncTrigger({ logger, fallbackRegion: config.region });
  const syncTrigger = new SyncTrigger({ store, invoker: lambda, timeoutMs: config.syncTriggerTimeoutMs });

  const handlers = buildServiceHandlers({
    config, store, outboxStore, sealer, openIdTokens, loginProviders, importedLogins, identityCredentials, syncTrigger, mobilePush,
  });
  const credentials = new StoreCredentialResolver(store, identityCredentials);
  const pipeline = createPipeline({
    router: new Router([cognitoSyncModel, cognitoIdentityModel, stsModel]),
    handlers,
    credentials,
    throttle,
    clientAddress,
    region: config.region,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    onFinished: (event) => metrics.observeRequest(event),
    strictModel: config.strictModel,
  });

  const operationalEndpoints = { store, metrics, openIdTokens, isShuttingDown: () => shuttingDown };
  const operatorApi = createOperatorApi({
    store,
    credentials,
    throttle,
    clientAddress,
    region: config.region,
    dataDir: config.dataDir,
    facts: { version: readServerVersion(), region: config.region, startedAt: new Date() },
    logger,
  });
  const answerConsole = config.console ? createConsoleStatic({ region: config.region }) : undefined;
  const httpLevelErrors = new HttpLevelErrors(config);
  const server = createServer({ maxHeaderSize: 16 * 1024, ...httpLevelErrors.serverOptions() }, (req, res) => {
    applyCors(req, res);
    if (httpLevelErrors.screen(req, res)) return;
    if (answerPreflight(req, res)) return;
    if (answerOperationalEndpoint(req, res, operationalEndpoints)) return;
    if (answerConsole?.(req, res)) return;
    if (operatorApi.answer(req, res)) return;
    inFlight.add(res);
    if (shuttingDown) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      if (inFlight.size === 0) drained?.();
    });
    pipeline(req, res).catch((error) => {
      logger.error({ err: error }, 'request pipeline failed');
      writeError(res, undefined, randomUUID(), new ServiceError('InternalErrorException', 'An internal error occurred', { status: 500 }));
    });
  });
  httpLevelErrors.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  // Graceful shutdown: readiness turns 503 and the listener closes (no new connections); requests already
  // in flight run to completion and their connections close after the answer; after the grace period any
  // request still running is cut so shutdown cannot hang forever. Then the store closes.
  let drained: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      if (inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, config.shutdownGraceMs).unref();
        });
      }
      server.closeAllConnections();
      await listenerClosed;
      throttle.close?.();
      spentSessions.stop();
      lambda.close();
      // Deliveries in progress finish (or save their progress) before the store they report to closes.
      await outboxWorker.stop(config.shutdownGraceMs);
      await cognitoStreams.close();
      mobilePush.close();
      await operatorApi.close();
      await store.close();
    })());

  return { url: `http://${host}:${address.port}`, server, store, bootstrap, close };
}

/** Shared by all nodes through Redis when configured; this node's own token buckets otherwise. */
async function createThrottle(config: Config, logger: ReturnType<typeof createLogger>): Promise<Throttle & { close?(): void }> {
  if (config.rateLimit === 0) return noThrottle;
  if (!config.redisUrl) return new TokenBucketThrottle(config.rateLimit);
  // Loaded only when configured: the Redis client is the largest module a node would otherwise carry idle.
  const { RedisThrottle } = await import('./auth/redis-throttle.ts');
  const throttle = new RedisThrottle(config.redisUrl, config.rateLimit);
  try {
    await throttle.ready();
  } catch (error) {
    // Starting beats refusing to serve: until Redis answers, this node throttles on its own.
    logger.warn({ err: error }, 'Redis is not answering; throttling per node until it does');
  }
  return throttle;
}
