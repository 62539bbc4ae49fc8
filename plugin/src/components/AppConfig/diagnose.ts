// Test connection's verdict, from what /readyz and the two access routes answered: every check with its
// state, and each problem found with how to fix it. Pure, so every failure mode is unit-tested.
import type { ApiError } from '../../api/errors';
import type { AccessReport, Readiness } from '../../api/types';
import { APP_DISABLED_FIX, FIXES, IDENTITY_DOC, type ProblemCode } from './fixes';

export { FIXES, type ProblemCode };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ProbeResults {
  readiness: Outcome<Readiness>;
  read: Outcome<AccessReport>;
  admin: Outcome<AccessReport>;
}

export type CheckId = 'service' | 'readSecret' | 'adminSecret' | 'identity' | 'database' | 'migrations' | 'scheduler';
export type CheckState = 'ok' | 'failed' | 'not_checked';

export interface Check {
  id: CheckId;
  label: string;
  state: CheckState;
  detail: string;
}

export interface Problem {
  code: ProblemCode;
  title: string;
  detail: string;
  fix: string;
}

export interface Diagnosis {
  /** No problem found; `notes` may still say what could not be tested. */
  ready: boolean;
  checks: Check[];
  problems: Problem[];
  notes: string[];
}

const UNREACHABLE = new Set(['service_unreachable', 'network']);
/** Errors Grafana or the browser produced: the service never saw the request. */
const isTransport = (e: ApiError) => UNREACHABLE.has(e.code) || e.code === 'route_not_found';

class Builder {
  checks: Check[] = [];
  problems: Problem[] = [];
  notes: string[] = [];

  check(id: CheckId, label: string, state: CheckState, detail: string) {
    this.checks.push({ id, label, state, detail });
  }

  problem(code: ProblemCode, title: string, detail: string, fix = code === 'unexpected' ? '' : FIXES[code]) {
    // One entry per cause: three requests failing the same way are one problem.
    if (code === 'unexpected' || !this.problems.some((p) => p.code === code)) {
      this.problems.push({ code, title, detail, fix });
    }
  }

  /** A request that failed before reaching the service, or for a reason no check explains. */
  failure(what: string, e: ApiError) {
    if (UNREACHABLE.has(e.code)) {
      this.problem('service_unreachable', 'Service unreachable', e.message);
    } else if (e.code === 'route_not_found') {
      // Grafana's checkAppEnabled (on the plugin-proxy route, pkg/api/api.go) answers 404 for a disabled app too.
      const disabled = /not enabled|setting not found/i.test(e.message);
      this.problem('route_not_found', 'Proxy route not found', e.message, disabled ? APP_DISABLED_FIX : undefined);
    } else {
      this.problem(
        'unexpected',
        `${what} failed`,
        `${e.message} (${e.code}, HTTP ${e.status})`,
        'Check the service’s and Grafana’s logs.'
      );
    }
  }
}

const notChecked = (e: ApiError) => `not checked: ${e.message}`;

function serviceCheck(b: Builder, r: ProbeResults) {
  const outcomes = [r.readiness, r.read, r.admin];
  // Any answer of the service's own (even a 401) proves Grafana reached it.
  const reached = outcomes.some((o) => o.ok || !isTransport(o.error));
  const unreachable = outcomes.find((o): o is { ok: false; error: ApiError } => !o.ok && UNREACHABLE.has(o.error.code));
  if (reached) {
    b.check('service', 'Service reachable', 'ok', 'Grafana reached the refresh service.');
  } else if (unreachable) {
    b.check('service', 'Service reachable', 'failed', unreachable.error.message);
  } else {
    b.check('service', 'Service reachable', 'not_checked', 'Grafana has no proxy route to try.');
  }
}

function readCheck(b: Builder, o: Outcome<AccessReport>) {
  const label = 'Read secret';
  if (o.ok) {
    if (o.value.power === 'admin') {
      b.check('readSecret', label, 'failed', 'accepted, but it is the admin secret');
      b.problem('read_secret_is_admin', 'Admin secret in the read field', 'The Viewer route carries admin power.');
    } else {
      b.check('readSecret', label, 'ok', 'accepted by the service (read power)');
    }
  } else if (o.error.code === 'unauthorized') {
    b.check('readSecret', label, 'failed', 'refused by the service (401)');
    b.problem('read_secret_wrong', 'Wrong read secret', o.error.message);
  } else {
    b.check('readSecret', label, 'not_checked', notChecked(o.error));
    b.failure('The read access check', o.error);
  }
}

function adminCheck(b: Builder, o: Outcome<AccessReport>) {
  const label = 'Admin secret';
  if (o.ok) {
    if (o.value.power === 'admin') {
      b.check('adminSecret', label, 'ok', 'accepted by the service (admin power)');
    } else {
      b.check('adminSecret', label, 'failed', 'accepted, but with read power only');
      b.problem(
        'admin_secret_wrong',
        'Wrong admin secret',
        'Admin secret holds the read secret: refreshes would be refused.'
      );
    }
  } else if (o.error.code === 'unauthorized') {
    b.check('adminSecret', label, 'failed', 'refused by the service (401)');
    b.problem('admin_secret_wrong', 'Wrong admin secret', o.error.message);
  } else if (o.error.code === 'route_denied') {
    b.check('adminSecret', label, 'not_checked', 'only Grafana Admins can test it');
    b.notes.push(
      'Only users with the Admin role can test the admin secret (its proxy route requires Admin). ' +
        'This is not a failure of the setup: ask an Admin to run Test connection.'
    );
  } else {
    b.check('adminSecret', label, 'not_checked', notChecked(o.error));
    b.failure('The admin access check', o.error);
  }
}

function identityCheck(b: Builder, r: ProbeResults) {
  const label = 'Your identity';
  const report = r.admin.ok ? r.admin.value : r.read.ok ? r.read.value : undefined;
  if (!report) {
    b.check('identity', label, 'not_checked', 'not checked: no access check answered');
    return;
  }
  const { identity, requireVerifiedIdentity } = report;
  if (identity.verified && identity.user && !identity.problem) {
    b.check('identity', label, 'ok', `${identity.user} (verified X-Grafana-Id)`);
    return;
  }
  const consequence = requireVerifiedIdentity
    ? 'The service requires a verified identity (REQUIRE_VERIFIED_IDENTITY), so refreshes are refused.'
    : 'Refreshes are recorded under a name any client could forge.';
  const seen = identity.problem
    ? `${identity.problem.message} (${identity.problem.code})`
    : identity.user
      ? `${identity.user}, from the unsigned X-Grafana-User header`
      : 'no user: Grafana sent neither X-Grafana-Id nor X-Grafana-User';
  b.check('identity', label, 'failed', seen);
  const keysDown = identity.problem?.code === 'identity_unavailable';
  b.problem(
    'identity_unverified',
    'Identity not verified',
    `${seen}. ${consequence}`,
    keysDown
      ? `The service cannot fetch Grafana’s signing keys: check GRAFANA_JWKS_URL (Grafana’s /api/signing-keys/keys, as the service reaches it). See ${IDENTITY_DOC}.`
      : FIXES.identity_unverified
  );
}

function readinessChecks(b: Builder, o: Outcome<Readiness>) {
  if (!o.ok) {
    for (const [id, label] of [
      ['database', 'Database'],
      ['migrations', 'Migrations'],
      ['scheduler', 'Scheduler'],
    ] as const) {
      b.check(id, label, 'not_checked', notChecked(o.error));
    }
    b.failure('The readiness check', o.error);
    return;
  }
  const { database, migrations, scheduler } = o.value.checks;
  b.check('database', 'Database', database.ok ? 'ok' : 'failed', database.detail);
  if (!database.ok) {
    b.problem('database_down', 'Database unreachable', database.detail);
    // The service could not look at migrations or the scheduler: they are not failures of their own.
    b.check('migrations', 'Migrations', 'not_checked', migrations.detail);
    b.check('scheduler', 'Scheduler', 'not_checked', scheduler.detail);
    return;
  }
  b.check('migrations', 'Migrations', migrations.ok ? 'ok' : 'failed', migrations.detail);
  if (!migrations.ok) {
    b.problem('migrations_behind', 'Migrations not applied', migrations.detail);
  }
  b.check('scheduler', 'Scheduler', scheduler.ok ? 'ok' : 'failed', scheduler.detail);
  if (!scheduler.ok) {
    b.problem('no_scheduler', 'No scheduler', scheduler.detail);
  }
}

export function diagnose(results: ProbeResults): Diagnosis {
  const b = new Builder();
  serviceCheck(b, results);
  readCheck(b, results.read);
  adminCheck(b, results.admin);
  identityCheck(b, results);
  readinessChecks(b, results.readiness);
  return { ready: b.problems.length === 0, checks: b.checks, problems: b.problems, notes: b.notes };
}
