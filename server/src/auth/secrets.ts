// Two secrets, two powers. Grafana's Viewer route injects the read secret, its Admin route the admin
// secret; the service only has to tell which one (if any) a request carries.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors';

export type Power = 'read' | 'admin';

// Digests have equal length whatever was sent, so the comparison time says nothing about the secret.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function matches(given: Buffer, expected: Buffer): boolean {
  return timingSafeEqual(given, expected);
}

export interface SecretChecker {
  powerOf(request: FastifyRequest): Power | undefined;
  require(power: Power): (request: FastifyRequest) => Promise<void>;
}

export function secretChecker(header: string, readSecret: string, adminSecret: string): SecretChecker {
  const read = digest(readSecret);
  const admin = digest(adminSecret);
  const powerOf = (request: FastifyRequest): Power | undefined => {
    const raw = request.headers[header];
    // Prometheus sends credentials as a bearer token; Grafana routes send the named header.
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const given = typeof raw === 'string' ? raw : bearer;
    if (!given) {
      return undefined;
    }
    const d = digest(given);
    // Both comparisons always run: which one matched must not show in the timing either.
    const isAdmin = matches(d, admin);
    const isRead = matches(d, read);
    return isAdmin ? 'admin' : isRead ? 'read' : undefined;
  };
  return {
    powerOf,
    require: (power) => async (request) => {
      const has = powerOf(request);
      if (!has) {
        throw new ApiError(401, 'unauthorized', `A valid secret is required in the ${header} header.`);
      }
      if (power === 'admin' && has !== 'admin') {
        throw new ApiError(403, 'forbidden', 'This secret may read status but not start refreshes.');
      }
    },
  };
}
