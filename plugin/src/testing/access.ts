// Readiness and access answers shaped as the service's /readyz and GET /api/access give them, for UI tests.
import type { AccessReport, Readiness } from '../api/types';

export const ready: Readiness = {
  status: 'ready',
  checks: {
    database: { ok: true, detail: 'reachable' },
    migrations: { ok: true, detail: '12 applied' },
    scheduler: { ok: true, detail: 'pg_cron job mv_ops_run_due' },
  },
};

export const accessReport = (
  power: 'read' | 'admin',
  identity: Partial<AccessReport['identity']> = {}
): AccessReport => ({
  power,
  canRefresh: power === 'admin',
  identity: { user: 'ann', verified: true, problem: null, ...identity },
  requireVerifiedIdentity: false,
});
