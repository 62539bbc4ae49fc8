import { ApiError } from '../../api/errors';
import type { Readiness } from '../../api/types';
import { accessReport, ready } from '../../testing/access';
import { diagnose, FIXES, type Outcome, type ProbeResults } from './diagnose';

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const err = (code: string, status: number, message = `${code} message`): Outcome<never> => ({
  ok: false,
  error: new ApiError(code, message, status),
});

const report = accessReport;

const allGood: ProbeResults = { readiness: ok(ready), read: ok(report('read')), admin: ok(report('admin')) };

const states = (r: ProbeResults) => Object.fromEntries(diagnose(r).checks.map((c) => [c.id, c.state]));
const codes = (r: ProbeResults) => diagnose(r).problems.map((p) => p.code);

describe('diagnose', () => {
  it('is ready when everything answers as it should, listing every check', () => {
    const d = diagnose(allGood);
    expect(d.ready).toBe(true);
    expect(d.problems).toEqual([]);
    expect(d.notes).toEqual([]);
    expect(d.checks.map((c) => [c.id, c.state])).toEqual([
      ['service', 'ok'],
      ['readSecret', 'ok'],
      ['adminSecret', 'ok'],
      ['identity', 'ok'],
      ['database', 'ok'],
      ['migrations', 'ok'],
      ['scheduler', 'ok'],
    ]);
    expect(d.checks.find((c) => c.id === 'identity')?.detail).toBe('ann (verified X-Grafana-Id)');
    expect(d.checks.find((c) => c.id === 'migrations')?.detail).toBe('12 applied');
  });

  it.each([
    ['502', err('service_unreachable', 502)],
    ['504', err('service_unreachable', 504)],
    ['no answer at all', err('network', 0)],
  ])('reports the service unreachable once (%s), the rest not checked', (_what, failure) => {
    const r = { readiness: failure, read: failure, admin: failure };
    const d = diagnose(r);
    expect(d.ready).toBe(false);
    expect(codes(r)).toEqual(['service_unreachable']);
    expect(d.problems[0].fix).toBe(FIXES.service_unreachable);
    expect(states(r)).toEqual({
      service: 'failed',
      readSecret: 'not_checked',
      adminSecret: 'not_checked',
      identity: 'not_checked',
      database: 'not_checked',
      migrations: 'not_checked',
      scheduler: 'not_checked',
    });
  });

  it('reports a missing proxy route (app not enabled or out of date)', () => {
    const missing = err('route_not_found', 404);
    const r = { readiness: missing, read: missing, admin: missing };
    expect(codes(r)).toEqual(['route_not_found']);
    expect(diagnose(r).problems[0].fix).toContain('enable the app');
    expect(states(r).service).toBe('not_checked');
  });

  it('says to enable the app when Grafana answers that it is not enabled', () => {
    const disabled = err(
      'route_not_found',
      404,
      'Grafana has no proxy route for this request (Plugin is not enabled): is the app enabled and up to date?'
    );
    const r = { readiness: disabled, read: disabled, admin: disabled };
    const [p] = diagnose(r).problems;
    expect(p.code).toBe('route_not_found');
    expect(p.fix).toContain('not enabled in this organisation');
  });

  it('reports a missing readyz route while the access routes work', () => {
    const r = { ...allGood, readiness: err('route_not_found', 404) };
    expect(codes(r)).toEqual(['route_not_found']);
    expect(states(r)).toMatchObject({ service: 'ok', readSecret: 'ok', database: 'not_checked' });
  });

  it('reports a wrong read secret (401 on the read route)', () => {
    const r = { ...allGood, read: err('unauthorized', 401) };
    expect(codes(r)).toEqual(['read_secret_wrong']);
    expect(states(r)).toMatchObject({ service: 'ok', readSecret: 'failed', adminSecret: 'ok', identity: 'ok' });
    expect(diagnose(r).problems[0].fix).toContain('READ_SECRET');
  });

  it('reports the admin secret put in the read field', () => {
    const r = { ...allGood, read: ok(report('admin')) };
    expect(codes(r)).toEqual(['read_secret_is_admin']);
    expect(states(r).readSecret).toBe('failed');
  });

  it('reports a wrong admin secret (401 on the admin route)', () => {
    const r = { ...allGood, admin: err('unauthorized', 401) };
    expect(codes(r)).toEqual(['admin_secret_wrong']);
    expect(states(r)).toMatchObject({ adminSecret: 'failed', identity: 'ok' });
    expect(diagnose(r).problems[0].fix).toContain('ADMIN_SECRET');
  });

  it('reports the read secret put in the admin field (read power on the admin route)', () => {
    const r = { ...allGood, admin: ok(report('read')) };
    expect(codes(r)).toEqual(['admin_secret_wrong']);
    expect(diagnose(r).problems[0].detail).toContain('holds the read secret');
  });

  it('says a non-Admin cannot test the admin secret, without calling it a failure', () => {
    const r = { ...allGood, admin: err('route_denied', 403) };
    const d = diagnose(r);
    expect(d.ready).toBe(true);
    expect(d.problems).toEqual([]);
    expect(d.notes).toEqual([expect.stringContaining('not a failure of the setup')]);
    expect(states(r)).toMatchObject({ adminSecret: 'not_checked', identity: 'ok' });
  });

  it('reports the identity problem the service found, pointing to the identity doc', () => {
    const problem = { code: 'invalid_identity', message: 'The X-Grafana-Id token could not be verified.' };
    const r = { ...allGood, read: ok(report('read', { problem })), admin: ok(report('admin', { problem })) };
    const d = diagnose(r);
    expect(codes(r)).toEqual(['identity_unverified']);
    expect(d.problems[0].detail).toContain('could not be verified. (invalid_identity)');
    expect(d.problems[0].fix).toContain('docs/grafana-identity.md');
    expect(d.problems[0].fix).toContain('GRAFANA_JWKS_URL');
    expect(states(r).identity).toBe('failed');
  });

  it('points to GRAFANA_JWKS_URL when the service cannot fetch Grafana’s keys', () => {
    const problem = { code: 'identity_unavailable', message: 'Grafana’s signing keys could not be fetched.' };
    const r = { ...allGood, admin: ok(report('admin', { user: null, verified: false, problem })) };
    expect(diagnose(r).problems[0].fix).toContain('GRAFANA_JWKS_URL');
  });

  it('reports an unverified user name, saying refreshes can be forged under it', () => {
    const r = { ...allGood, admin: ok(report('admin', { verified: false })) };
    const [p] = diagnose(r).problems;
    expect(p.code).toBe('identity_unverified');
    expect(p.detail).toContain('ann, from the unsigned X-Grafana-User header');
    expect(p.detail).toContain('any client could forge');
  });

  it('says refreshes are refused when the service requires a verified identity', () => {
    const strict = { ...report('admin', { user: null, verified: false }), requireVerifiedIdentity: true };
    const r = { ...allGood, admin: ok(strict) };
    const [p] = diagnose(r).problems;
    expect(p.detail).toContain('no user');
    expect(p.detail).toContain('refreshes are refused');
  });

  it('takes the identity from the read route when the admin one did not answer', () => {
    const r = { ...allGood, read: ok(report('read', { verified: false })), admin: err('route_denied', 403) };
    expect(codes(r)).toEqual(['identity_unverified']);
  });

  it('reports migrations behind with the service’s list', () => {
    const behind = { ok: false, detail: 'not applied: 0042_x (run npm run db:migrate)' };
    const r = {
      ...allGood,
      readiness: ok({ ...ready, status: 'not_ready', checks: { ...ready.checks, migrations: behind } }),
    };
    const d = diagnose(r as ProbeResults);
    expect(d.problems.map((p) => [p.code, p.detail])).toEqual([['migrations_behind', behind.detail]]);
    expect(d.problems[0].fix).toContain('npm run db:migrate');
  });

  it('reports no scheduler', () => {
    const none = { ok: false, detail: 'no pg_cron job and TICK_ENABLED is off' };
    const r = {
      ...allGood,
      readiness: ok({ ...ready, status: 'not_ready', checks: { ...ready.checks, scheduler: none } }),
    };
    expect(codes(r as ProbeResults)).toEqual(['no_scheduler']);
    expect(diagnose(r as ProbeResults).problems[0].fix).toContain('TICK_ENABLED=true');
  });

  it('reports the database down, and not the checks it prevented as failures of their own', () => {
    const notChecked = { ok: false, detail: 'not checked: the database is not reachable' };
    const down: Readiness = {
      status: 'not_ready',
      checks: {
        database: { ok: false, detail: 'unreachable (ECONNREFUSED)' },
        migrations: notChecked,
        scheduler: notChecked,
      },
    };
    const r = { ...allGood, readiness: ok(down) };
    expect(codes(r)).toEqual(['database_down']);
    expect(states(r)).toMatchObject({ database: 'failed', migrations: 'not_checked', scheduler: 'not_checked' });
  });

  it('names any other failure with its code and status', () => {
    const r = { ...allGood, readiness: err('http_error', 500, 'Unexpected answer 500: boom.') };
    const [p] = diagnose(r).problems;
    expect(p).toMatchObject({ code: 'unexpected', title: 'The readiness check failed' });
    expect(p.detail).toBe('Unexpected answer 500: boom. (http_error, HTTP 500)');
  });

  it('lists every problem when several things are wrong', () => {
    const behind = { ok: false, detail: 'not applied: 0042_x' };
    const r = {
      readiness: ok({ ...ready, checks: { ...ready.checks, migrations: behind } }),
      read: err('unauthorized', 401),
      admin: err('unauthorized', 401),
    };
    expect(codes(r)).toEqual(['read_secret_wrong', 'admin_secret_wrong', 'migrations_behind']);
    expect(states(r).identity).toBe('not_checked');
  });
});
