// Progress of one run, for polling after a 202.
import type { FastifyPluginAsync } from 'fastify';
import type { DepsOptions } from '../deps';
import { ApiError, errorBodySchema } from '../http/errors';
import { runStatus } from '../refresh/queries';
import { idText, runStatusSchema } from './schemas';

export const runsRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  app.get<{ Params: { id: string } }>(
    '/api/runs/:id',
    {
      onRequest: deps.secrets.require('read'),
      schema: {
        params: {
          type: 'object',
          properties: { id: idText },
          required: ['id'],
        },
        response: { 200: runStatusSchema, 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request) => {
      const run = await runStatus(deps.pools.query, Number(request.params.id));
      if (!run) {
        throw new ApiError(404, 'unknown_run', `There is no run ${request.params.id}.`);
      }
      return run;
    }
  );
};
