// Liveness (the process answers) and readiness (the database is usable for this build).
import type { FastifyPluginAsync } from 'fastify';
import { checkReadiness } from '../db/readiness';
import type { DepsOptions } from '../deps';

const check = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
  required: ['ok', 'detail'],
};
const readiness = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      properties: { database: check, migrations: check, scheduler: check },
      required: ['database', 'migrations', 'scheduler'],
    },
  },
  required: ['status', 'checks'],
};

export const healthRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  app.get(
    '/healthz',
    { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' })
  );

  app.get('/readyz', { schema: { response: { 200: readiness, 503: readiness } } }, async (_request, reply) => {
    const r = await checkReadiness(deps.pools.query, deps.config.tickEnabled);
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks });
  });
};
