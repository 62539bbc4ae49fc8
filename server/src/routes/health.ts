// Liveness (the process answers) and readiness (the database is usable for this build).
import type { FastifyPluginAsync } from 'fastify';
import { checkReadiness } from '../db/readiness';
import type { DepsOptions } from '../deps';

export const healthRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  app.get('/healthz', { schema: {} }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: {} }, async (_request, reply) => {
    const r = await checkReadiness(deps.pools.query, deps.config.tickEnabled);
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks });
  });
};
