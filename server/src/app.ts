// The refresh service as a Fastify plugin: wiring only. server.ts (or a test) builds the instance
// with serverOptions() and registers this plugin.
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { identityResolver } from './auth/identity';
import { secretChecker } from './auth/secrets';
import type { Config } from './config';
import { createPools } from './db/pools';
import type { Deps } from './deps';
import { clientErrorHandler, installBodyDeadline, timeoutCheckInterval } from './http/clientErrors';
import { installDraining } from './http/draining';
import { refuseDotSegments } from './http/dotSegments';
import { installErrorHandling } from './http/errors';
import { createMetrics } from './metrics/registry';
import { RunManager } from './refresh/manager';
import { startTicker, type Ticker } from './refresh/tick';
import { accessRoutes } from './routes/access';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { refreshRoutes } from './routes/refresh';
import { runsRoutes } from './routes/runs';
import { viewsRoutes } from './routes/views';

export function serverOptions(
  config: Config,
  logger: FastifyServerOptions['logger'] = { level: config.logLevel }
): FastifyServerOptions {
  return {
    logger,
    bodyLimit: config.bodyLimitBytes,
    // Whole request must arrive in time; slow clients cannot hold sockets open.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs * 2,
    clientErrorHandler,
    // Draining is answered by installErrorHandling's hook, in the service's own error shape.
    return503OnClosing: false,
    ajv: {
      // Strict: unknown body fields are errors (not silently dropped) and types are not coerced.
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false },
    },
  };
}

const matviewOps: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  // Node reads this when the server starts listening (its ServerOptions are not reachable via Fastify).
  (app.server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = timeoutCheckInterval(
    config.requestTimeoutMs
  );
  const pools = createPools({
    databaseUrl: config.databaseUrl,
    queryTimeoutMs: config.dbQueryTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    maxRunningRuns: config.maxRunningRuns,
    applicationName: 'matview-ops service',
    onError: (err) => app.log.warn({ err }, 'idle database connection lost'),
  });
  let runs: RunManager | undefined;
  const metrics = createMetrics(pools.query, () => runs?.activeCount ?? 0);
  runs = new RunManager({
    pools,
    log: app.log,
    minIntervalSeconds: config.minRefreshIntervalSeconds,
    maxRunning: config.maxRunningRuns,
    decisionTimeoutMs: config.dbQueryTimeoutMs + 1_000,
    onAttempt: ({ view, status, durationMs }) => {
      metrics.attempts.inc({ view, status });
      if (durationMs !== null) {
        metrics.attemptSeconds.observe({ view, status }, durationMs / 1000);
      }
    },
  });
  const deps: Deps = {
    config,
    pools,
    runs,
    metrics,
    secrets: secretChecker(config.secretHeader, config.readSecret, config.adminSecret),
    identity: identityResolver({
      jwksUrl: config.jwksUrl,
      issuer: config.idIssuer,
      audience: config.idAudience,
      requireVerified: config.requireVerifiedIdentity,
    }),
  };

  installErrorHandling(app);
  installDraining(app);
  refuseDotSegments(app);
  installBodyDeadline(app, config.requestTimeoutMs);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.requestSeconds.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(healthRoutes, { deps });
  await app.register(metricsRoutes, { deps });
  await app.register(viewsRoutes, { deps });
  await app.register(runsRoutes, { deps });
  await app.register(refreshRoutes, { deps });
  await app.register(accessRoutes, { deps });

  const ticker: Ticker | undefined = config.tickEnabled
    ? startTicker(pools.runs, config.tickIntervalMs, app.log)
    : undefined;
  app.addHook('onClose', async () => {
    await Promise.all([ticker?.stop(config.shutdownGraceMs), runs.close(config.shutdownGraceMs)]);
    await pools.end();
  });
};

export const appPlugin = fp(matviewOps, { name: 'matview-ops', fastify: '5.x' });

export async function buildApp(config: Config, logger?: FastifyServerOptions['logger']): Promise<FastifyInstance> {
  const app = Fastify(serverOptions(config, logger));
  await app.register(appPlugin, { config });
  return app;
}
