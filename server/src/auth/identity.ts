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

export function identityResolver(o: IdentityOptions): IdentityResolver {
  const keys: JWTVerifyGetKey | undefined = o.jwksUrl
    ? createRemoteJWKSet(new URL(o.jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000 })
    : undefined;
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
