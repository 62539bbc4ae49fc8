// GET /api/access: what the presented secret allows and whom the service would record, for the
// Grafana app's "Test connection". A diagnostic: it starts nothing, and an identity that would make
// a refresh fail is reported in the answer rather than failing this route.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Deps, DepsOptions } from '../deps';
import { ApiError, errorBodySchema } from '../http/errors';
import { accessSchema } from './schemas';

interface IdentityReport {
  user: string | null;
  verified: boolean;
  problem: { code: string; message: string } | null;
}

async function identityReport(deps: Deps, request: FastifyRequest): Promise<IdentityReport> {
  try {
    const who = await deps.identity(request);
    return { user: who.user, verified: who.verified, problem: null };
  } catch (err) {
    // Only the resolver's own verdicts are diagnoses; anything else is a fault of this service.
    if (!(err instanceof ApiError)) {
      throw err;
    }
    return { user: null, verified: false, problem: { code: err.code, message: err.message } };
  }
}

export const accessRoutes: FastifyPluginAsync<DepsOptions> = async (app, { deps }) => {
  app.get(
    '/api/access',
    {
      // Either secret passes; which one it was is read below.
      onRequest: deps.secrets.require('read'),
      schema: { response: { 200: accessSchema, 400: errorBodySchema, 401: errorBodySchema } },
    },
    async (request) => {
      // require('read') has already refused a request without a known secret.
      const power = deps.secrets.powerOf(request) ?? 'read';
      const identity = await identityReport(deps, request);
      const required = deps.config.requireVerifiedIdentity;
      return {
        power,
        // The same conditions POST /api/refresh checks, short of the run decision itself.
        canRefresh: power === 'admin' && identity.problem === null && (identity.verified || !required),
        identity,
        requireVerifiedIdentity: required,
      };
    }
  );
};
