// Who asked for a refresh: the Grafana user, from the signed X-Grafana-Id token when it verifies, else
// (only when verification is not required) from the X-Grafana-User header Grafana's proxy sets.
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ApiError } from '../http/errors';

export interface IdentityOptions {
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  requireVerified: boolean;
}

export interface Identity {
  user: string;
  verified: boolean;
}

export type IdentityResolver = (request: FastifyRequest) => Promise<Identity>;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};

/** The key set could not be fetched or used: says nothing about the token itself. */
class KeySetUnavailable extends Error {}

// Errors of choosing a key from a fetched set: the token names a key Grafana does not publish.
const TOKEN_KEY_ERRORS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS']);

function grafanaKeys(url: string): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 3_000, cooldownDuration: 30_000 });
  return async (protectedHeader, token) => {
    try {
      return await remote(protectedHeader, token);
    } catch (err) {
      if (TOKEN_KEY_ERRORS.has((err as { code?: string }).code ?? '')) {
        throw err;
      }
      // Timeouts, refused connections, non-200 answers, a body that is not a key set.
      throw new KeySetUnavailable((err as Error).message);
    }
  };
}

export function identityResolver(o: IdentityOptions): IdentityResolver {
  const keys = o.jwksUrl ? grafanaKeys(o.jwksUrl) : undefined;
  return async (request) => {
    const token = header(request, 'x-grafana-id');
    if (token && keys) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: ['ES256'],
          issuer: o.issuer,
          audience: o.audience,
        });
        // Grafana's ID token names the login `username` (grafana/authlib IDTokenClaims); sub is "user:<uid>".
        const login = payload.username ?? payload.login ?? payload.email ?? payload.sub;
        if (typeof login === 'string' && login.length > 0) {
          return { user: login.slice(0, 200), verified: true };
        }
      } catch (err) {
        if (err instanceof KeySetUnavailable) {
          // Not the caller's fault and not a forgery: an operator must fix the URL or Grafana.
          request.log.error({ jwksUrl: o.jwksUrl, reason: err.message }, "Grafana's signing keys cannot be fetched");
          throw new ApiError(
            503,
            'identity_unavailable',
            "X-Grafana-Id cannot be verified right now: Grafana's signing keys could not be fetched.",
            { 'retry-after': '10' }
          );
        }
        request.log.info({ reason: (err as Error).message }, 'X-Grafana-Id did not verify');
      }
      // A token that is present but wrong is an attack or a misconfiguration: never fall back on it.
      throw new ApiError(401, 'invalid_identity', 'The X-Grafana-Id token could not be verified.');
    }
    if (o.requireVerified) {
      throw new ApiError(401, 'identity_required', 'A verifiable X-Grafana-Id token is required to refresh.');
    }
    const user = header(request, 'x-grafana-user');
    // Unverified names are recorded as such, so the log never presents a claim as a fact.
    return { user: user ? `${user.slice(0, 150)} (unverified)` : 'unknown (unverified)', verified: false };
  };
}
