// Prometheus scrape endpoint; needs the read secret (Prometheus sends it as a bearer token).
import type { FastifyPluginAsync } from 'fastify';
import type { DepsOptions } from '../deps';
import { errorBodySchema } from '../http/errors';

export const metricsRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  const { registry, scrape } = deps.metrics;
  app.get(
    '/metrics',
    {
      onRequest: deps.secrets.require('read'),
      schema: {
        // Prometheus text is sent as is; the schema documents it and the error shape.
        response: { 200: { type: 'string' }, 400: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await scrape())
  );
};
