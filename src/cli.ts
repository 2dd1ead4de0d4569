#!/usr/bin/env node
// `npm start`: parse flags and environment, start the server, stop cleanly on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

async function main() {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`cognito-sync-server: ${(error as Error).message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Signal handlers go in before anything is printed: whoever reads "listening on" may signal at once.
  let running: Awaited<ReturnType<typeof startServer>> | undefined;
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
    if (!running) return; // start-up finishes first, then sees stopRequested
    running.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  running = await startServer(config);
  const generated = running.bootstrap.generated;
  if (generated) {
    process.stdout.write(
      `generated developer credentials (shown once; kept in ${generated.file}):\n` +
        `  account id:        ${generated.accountId}\n` +
        `  access key id:     ${generated.accessKeyId}\n` +
        `  secret access key: ${generated.secretAccessKey}\n`,
    );
  }
  process.stdout.write(`listening on ${running.url}\n`);
  if (stopRequested) stop();
}

main().catch((error) => {
  // The operator's files (IAM providers, login mapping) are read as the server starts; their mistakes are configuration's.
  if (error instanceof ConfigError) {
    process.stderr.write(`cognito-sync-server: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`cognito-sync-server failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
