// Status of every managed view, and the refresh log of one, a page at a time.
import type { FastifyPluginAsync } from 'fastify';
import type { DepsOptions } from '../deps';
import { ApiError, errorBodySchema } from '../http/errors';
import { listViews, resolveViewName, viewHistory } from '../refresh/queries';
import { historyPageSchema, idText, viewListSchema } from './schemas';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };

export const viewsRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  const readOnly = deps.secrets.require('read');

  app.get(
    '/api/views',
    {
      onRequest: readOnly,
      schema: {
        response: {
          200: viewListSchema,
          ...errors,
        },
      },
    },
    async () => ({
      views: await listViews(deps.pools.query),
    })
  );

  app.get<{ Params: { name: string }; Querystring: { limit?: string; before?: string } }>(
    '/api/views/:name/history',
    {
      onRequest: readOnly,
      schema: {
        params: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
          required: ['name'],
        },
        querystring: {
          type: 'object',
          // Query values arrive as text and the service validates without type coercion.
          properties: { limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$' }, before: idText },
          additionalProperties: false,
        },
        response: {
          200: historyPageSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      const view = await resolveViewName(deps.pools.query, request.params.name);
      if (!view) {
        throw new ApiError(404, 'unknown_view', 'No managed view has that name; GET /api/views lists them.');
      }
      const { limit = '50', before } = request.query;
      const page = await viewHistory(
        deps.pools.query,
        view,
        Number(limit),
        before === undefined ? null : Number(before)
      );
      return { view, ...page };
    }
  );
};
