// POST /api/refresh: answers 202 with a run id as soon as the run exists (or is joined); the run
// itself executes in the background and is followed with GET /api/runs/:id.
import type { FastifyPluginAsync } from 'fastify';
import type { DepsOptions } from '../deps';
import { ApiError, errorBodySchema } from '../http/errors';

interface Body {
  views?: string[];
  pack?: string;
  cascade?: boolean;
}

// Names are matched against the registry in SQL, never spliced into it; the pattern only keeps
// control characters and absurd lengths out of the log.
const name = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' };

const bodySchema = {
  type: 'object',
  properties: {
    views: { type: 'array', items: name, minItems: 1, maxItems: 100, uniqueItems: true },
    pack: { ...name, maxLength: 100 },
    cascade: { type: 'boolean' },
  },
  additionalProperties: false,
};

const accepted = {
  type: 'object',
  properties: {
    runId: { type: 'integer' },
    outcome: { type: 'string' },
    statusUrl: { type: 'string' },
    requestedBy: { type: 'string' },
  },
};

/** A key as stored: unambiguous for any user name and key (JSON), and readable in the request log. */
export const scopedKey = (user: string, key: string): string => JSON.stringify([user, key]);

export const refreshRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  const e = errorBodySchema;
  app.post<{ Body: Body; Headers: { 'idempotency-key'?: string } }>(
    '/api/refresh',
    {
      onRequest: deps.secrets.require('admin'),
      schema: {
        body: bodySchema,
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
          },
        },
        response: { 202: accepted, 400: e, 401: e, 403: e, 413: e, 422: e, 429: e, 503: e },
      },
    },
    async (request, reply) => {
      const { views, pack, cascade = true } = request.body;
      if (!views && !pack) {
        throw new ApiError(400, 'invalid_request', 'Name what to refresh: "views" (an array of view names) or "pack".');
      }
      const who = await deps.identity(request);
      const key = request.headers['idempotency-key'];
      const d = await deps.runs.request({
        views,
        pack,
        cascade,
        trigger: 'api',
        requestedBy: who.user,
        // Keys are the caller's own: one admin's key never returns (or 422s on) another admin's run.
        idempotencyKey: key === undefined ? undefined : scopedKey(who.user, key),
      });
      if (d.outcome === 'too_soon' || d.outcome === 'busy') {
        throw new ApiError(429, d.outcome, d.detail ?? 'Try again later.', {
          'retry-after': String(d.retryAfterSeconds ?? 5),
        });
      }
      if (d.outcome === 'key_reused') {
        throw new ApiError(422, 'idempotency_key_reused', d.detail ?? 'Idempotency-Key reused for another request.');
      }
      const statusUrl = `/api/runs/${d.runId}`;
      return reply
        .code(202)
        .header('location', statusUrl)
        .send({ runId: d.runId, outcome: d.outcome, statusUrl, requestedBy: who.user });
    }
  );
};
