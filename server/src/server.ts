// npm run server: the refresh service. Configuration comes from the environment (see .env.example).
import { existsSync } from 'node:fs';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  // A .env in the working directory fills in what the environment does not set.
  // (process.loadEnvFile arrived in Node 20.12; the engines field allows 20.11.)
  if (existsSync('.env') && typeof process.loadEnvFile === 'function') {
    process.loadEnvFile('.env');
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\nSee .env.example for every variable and its meaning.`);
      process.exit(2);
    }
    throw err;
  }
  const app = await buildApp(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      // A second signal means "now": running refreshes are left to the engine's abandoned-run handling.
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal }, 'shutting down: letting running refreshes finish');
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
}

main().catch((err) => {
  console.error(`The refresh service failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
