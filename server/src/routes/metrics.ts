// Prometheus scrape endpoint; needs the read secret (Prometheus sends it as a bearer token).
import type { FastifyPluginAsync } from 'fastify';
import type { DepsOptions } from '../deps';

export const metricsRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  const { registry } = deps.metrics;
  app.get('/metrics', { onRequest: deps.secrets.require('read'), schema: {} }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics())
  );
};
