import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import type { BackendSrvRequest } from '@grafana/runtime';
import { Observable, of, throwError } from 'rxjs';
import type { AccessReport, Readiness } from '../../api/types';
import { testIds } from '../../testIds';
import { AppConfig, type AppConfigProps } from './AppConfig';
import { accessReport, ready } from '../../testing/access';

// Grafana's answers, by "METHOD url"; the API client above getBackendSrv() runs for real.
type Reply = { status: number; data?: unknown };
let routes: Record<string, Reply | ((req: BackendSrvRequest) => Reply)>;
const mockFetch = jest.fn((req: BackendSrvRequest) => {
  const route = routes[`${req.method} ${req.url}`];
  const reply = typeof route === 'function' ? route(req) : route;
  if (!reply) {
    throw new Error(`unexpected request ${req.method} ${req.url}`);
  }
  return reply.status >= 200 && reply.status < 300
    ? of({ data: reply.data, status: reply.status })
    : throwError(() => ({ status: reply.status, data: reply.data }));
});
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

const SETTINGS = '/api/plugins/matviewops-app/settings';
const PROXY = '/api/plugin-proxy/matviewops-app';
const READ_SECRET = 'read-secret-0123456789';
const ADMIN_SECRET = 'admin-secret-0123456789';

const report = accessReport;

function renderPage(meta: Record<string, unknown> = {}) {
  const props = {
    plugin: {
      meta: {
        id: 'matviewops-app',
        name: 'Matview Ops',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData: { serviceUrl: 'http://matview-ops:8787', extra: 'kept' },
        secureJsonFields: { readSecret: true, adminSecret: true },
        ...meta,
      },
    },
    query: {},
  } as unknown as AppConfigProps;
  return render(<AppConfig {...props} />);
}

const byId = (id: string) => screen.getByTestId(id);
const type = (id: string, value: string) => fireEvent.change(byId(id), { target: { value } });
const save = () => fireEvent.click(byId(testIds.appConfig.save));
const testConnection = () => fireEvent.click(byId(testIds.appConfig.testConnection));
const calls = () => mockFetch.mock.calls.map(([r]) => `${r.method} ${r.url}`);
const posted = () => mockFetch.mock.calls.find(([r]) => r.method === 'POST')?.[0].data;

/** The Reset button of a secret field, found as the e2e specs find it: inside the field's wrapper. */
const resetButton = (name: 'readSecret' | 'adminSecret'): HTMLElement =>
  within(byId(testIds.appConfig.secretField(name))).getByRole('button', { name: 'Reset' });

let consoleProblems: unknown[][];
beforeEach(() => {
  mockFetch.mockClear();
  routes = {};
  consoleProblems = [];
  // An act() warning or any other console error fails the test.
  jest.spyOn(console, 'error').mockImplementation((...args) => void consoleProblems.push(args));
  jest.spyOn(console, 'warn').mockImplementation((...args) => void consoleProblems.push(args));
});
afterEach(() => {
  jest.restoreAllMocks();
  expect(consoleProblems).toEqual([]);
});

describe('AppConfig: saving', () => {
  it('shows the stored URL and configured secrets, never a secret’s value', () => {
    renderPage({ secureJsonData: { readSecret: 'leaked-if-shown' } });
    expect(byId(testIds.appConfig.serviceUrl)).toHaveValue('http://matview-ops:8787');
    expect(byId(testIds.appConfig.readSecret)).toHaveValue('configured');
    expect(byId(testIds.appConfig.readSecret)).toBeDisabled();
    expect(byId(testIds.appConfig.adminSecret)).toHaveValue('configured');
    expect(document.body.innerHTML).not.toContain('leaked-if-shown');
  });

  it('saves the trimmed URL and a new secret, keeping enabled, pinned and other jsonData', async () => {
    routes[`POST ${SETTINGS}`] = { status: 200, data: { message: 'Plugin settings updated' } };
    routes[`GET ${SETTINGS}`] = {
      status: 200,
      data: {
        enabled: true,
        pinned: true,
        jsonData: { serviceUrl: 'http://svc.internal:8787', extra: 'kept' },
        secureJsonFields: { readSecret: true, adminSecret: true },
      },
    };
    renderPage({ secureJsonFields: { adminSecret: true } });
    expect(byId(testIds.appConfig.readSecret)).toHaveAttribute('type', 'password');

    type(testIds.appConfig.serviceUrl, '  http://svc.internal:8787//  ');
    type(testIds.appConfig.readSecret, `${READ_SECRET}\n`);
    save();

    expect(await screen.findByTestId(testIds.appConfig.saved)).toHaveTextContent('Saved');
    expect(posted()).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { serviceUrl: 'http://svc.internal:8787', extra: 'kept' },
      secureJsonData: { readSecret: READ_SECRET },
    });
    // Re-read from Grafana, as its own config page does: the secret is now reported as set.
    expect(calls()).toEqual([`POST ${SETTINGS}`, `GET ${SETTINGS}`]);
    expect(byId(testIds.appConfig.readSecret)).toHaveValue('configured');
    expect(byId(testIds.appConfig.serviceUrl)).toHaveValue('http://svc.internal:8787');
    expect(document.body.innerHTML).not.toContain(READ_SECRET);
  });

  it('clears a reset secret with an empty string and shows it unset afterwards', async () => {
    routes[`POST ${SETTINGS}`] = { status: 200, data: {} };
    routes[`GET ${SETTINGS}`] = {
      status: 200,
      data: {
        enabled: true,
        pinned: true,
        jsonData: { serviceUrl: 'http://matview-ops:8787', extra: 'kept' },
        secureJsonFields: { readSecret: true },
      },
    };
    renderPage();
    fireEvent.click(resetButton('adminSecret'));
    expect(byId(testIds.appConfig.adminSecret)).toHaveValue('');
    save();

    await screen.findByTestId(testIds.appConfig.saved);
    expect(posted()).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { serviceUrl: 'http://matview-ops:8787', extra: 'kept' },
      secureJsonData: { adminSecret: '' },
    });
    expect(byId(testIds.appConfig.adminSecret)).toHaveAttribute('type', 'password');
    expect(byId(testIds.appConfig.readSecret)).toHaveValue('configured');
  });

  it('sets a secret reset and retyped, rather than clearing it', async () => {
    routes[`POST ${SETTINGS}`] = { status: 200, data: {} };
    routes[`GET ${SETTINGS}`] = {
      status: 200,
      data: { enabled: true, pinned: true, jsonData: {}, secureJsonFields: {} },
    };
    renderPage();
    fireEvent.click(resetButton('adminSecret'));
    type(testIds.appConfig.adminSecret, ADMIN_SECRET);
    save();

    await screen.findByTestId(testIds.appConfig.saved);
    expect((posted() as { secureJsonData: unknown }).secureJsonData).toEqual({ adminSecret: ADMIN_SECRET });
  });

  it.each(['matview-ops:8787', 'ftp://svc', ''])('refuses the service URL %j before saving anything', (url) => {
    renderPage();
    type(testIds.appConfig.serviceUrl, url);
    type(testIds.appConfig.adminSecret, ADMIN_SECRET);
    save();

    expect(byId(testIds.appConfig.urlError)).toHaveTextContent(/absolute URL|http:\/\/ or https:\/\//);
    expect(mockFetch).not.toHaveBeenCalled();
    expect(screen.queryByTestId(testIds.appConfig.saved)).not.toBeInTheDocument();
  });

  it('shows why saving failed and keeps the form as typed', async () => {
    routes[`POST ${SETTINGS}`] = { status: 500, data: { message: 'Failed to update plugin setting' } };
    renderPage();
    type(testIds.appConfig.serviceUrl, 'http://other:8787');
    save();

    expect(await screen.findByTestId(testIds.appConfig.saveError)).toHaveTextContent(
      'Unexpected answer 500: Failed to update plugin setting.'
    );
    expect(calls()).toEqual([`POST ${SETTINGS}`]);
    expect(screen.queryByTestId(testIds.appConfig.saved)).not.toBeInTheDocument();
    expect(byId(testIds.appConfig.serviceUrl)).toHaveValue('http://other:8787');
  });

  it('still shows the saved secrets when Grafana cannot be re-read after saving', async () => {
    routes[`POST ${SETTINGS}`] = { status: 200, data: {} };
    routes[`GET ${SETTINGS}`] = { status: 502, data: {} };
    renderPage({ secureJsonFields: {} });
    type(testIds.appConfig.adminSecret, ADMIN_SECRET);
    save();

    await screen.findByTestId(testIds.appConfig.saved);
    expect(byId(testIds.appConfig.adminSecret)).toHaveValue('configured');
    expect(byId(testIds.appConfig.readSecret)).toHaveAttribute('type', 'password');
  });

  it('says the app is not enabled, and saving leaves it disabled', async () => {
    routes[`POST ${SETTINGS}`] = { status: 200, data: {} };
    routes[`GET ${SETTINGS}`] = {
      status: 200,
      data: { enabled: false, pinned: false, jsonData: {}, secureJsonFields: {} },
    };
    renderPage({ enabled: false, pinned: false });
    expect(screen.getByText('The app is not enabled')).toBeInTheDocument();
    save();

    await screen.findByTestId(testIds.appConfig.saved);
    expect(posted()).toMatchObject({ enabled: false, pinned: false });
  });

  it('locks the fields while saving', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    routes[`GET ${SETTINGS}`] = {
      status: 200,
      data: { enabled: true, pinned: true, jsonData: {}, secureJsonFields: {} },
    };
    mockFetch.mockImplementationOnce(
      () =>
        new Observable((sub) => {
          gate.then(() => {
            sub.next({ data: {}, status: 200 });
            sub.complete();
          });
        })
    );
    renderPage();
    save();

    expect(byId(testIds.appConfig.serviceUrl)).toBeDisabled();
    expect(resetButton('readSecret')).toBeDisabled();
    expect(byId(testIds.appConfig.save)).toHaveTextContent('Saving…');
    release();
    await screen.findByTestId(testIds.appConfig.saved);
    expect(byId(testIds.appConfig.serviceUrl)).not.toBeDisabled();
  });

  it('hides "Saved" once the form changes again', async () => {
    routes[`POST ${SETTINGS}`] = { status: 200, data: {} };
    routes[`GET ${SETTINGS}`] = {
      status: 200,
      data: { enabled: true, pinned: true, jsonData: {}, secureJsonFields: {} },
    };
    renderPage();
    save();
    await screen.findByTestId(testIds.appConfig.saved);
    type(testIds.appConfig.serviceUrl, 'http://x:1');
    expect(screen.queryByTestId(testIds.appConfig.saved)).not.toBeInTheDocument();
  });
});

describe('AppConfig: Test connection', () => {
  const answer = (r: Readiness | AccessReport): Reply => ({ status: 200, data: r });
  const setRoutes = (readyz: Reply, read: Reply, admin: Reply) => {
    routes[`GET ${PROXY}/readyz`] = readyz;
    routes[`GET ${PROXY}/api/access`] = read;
    routes[`GET ${PROXY}/api/access/admin`] = admin;
  };
  const result = async () => screen.findByTestId(testIds.appConfig.testResult);
  const problems = (el: HTMLElement) =>
    Array.from(el.querySelectorAll('[data-problem]')).map((p) => p.getAttribute('data-problem'));
  const states = (el: HTMLElement) =>
    Object.fromEntries(
      Array.from(el.querySelectorAll('[data-check]')).map((c) => [
        c.getAttribute('data-check'),
        c.getAttribute('data-state'),
      ])
    );

  it('is ready when the service, both secrets, your identity and the database check out', async () => {
    setRoutes(answer(ready), answer(report('read')), answer(report('admin')));
    renderPage();
    testConnection();

    const el = await result();
    expect(el).toHaveAttribute('role', 'status'); // success severity
    expect(el).toHaveTextContent('Ready');
    expect(states(el)).toEqual({
      service: 'ok',
      readSecret: 'ok',
      adminSecret: 'ok',
      identity: 'ok',
      database: 'ok',
      migrations: 'ok',
      scheduler: 'ok',
    });
    expect(el).toHaveTextContent('ann (verified X-Grafana-Id)');
    expect(calls().sort()).toEqual([`GET ${PROXY}/api/access`, `GET ${PROXY}/api/access/admin`, `GET ${PROXY}/readyz`]);
  });

  const notReady = (part: Partial<Readiness['checks']>): Reply => ({
    status: 503,
    data: { status: 'not_ready', checks: { ...ready.checks, ...part } },
  });
  const unauthorized: Reply = {
    status: 401,
    data: { error: { code: 'unauthorized', message: 'A valid secret is required.' } },
  };
  const down: Reply = { status: 502, data: { message: 'Bad Gateway' } };
  const timeout: Reply = { status: 504, data: { message: 'Gateway Timeout' } };
  const noRoute: Reply = { status: 404, data: { message: 'Not found' } };
  const problem = { code: 'invalid_identity', message: 'The X-Grafana-Id token could not be verified.' };

  it.each<[string, Reply, Reply, Reply, string, RegExp]>([
    ['service refuses (502)', down, down, down, 'service_unreachable', /could not reach the refresh service/],
    ['service times out (504)', timeout, timeout, timeout, 'service_unreachable', /HOST=0\.0\.0\.0/],
    ['no proxy route', noRoute, noRoute, noRoute, 'route_not_found', /enable the app/],
    ['wrong read secret', answer(ready), unauthorized, answer(report('admin')), 'read_secret_wrong', /READ_SECRET/],
    ['wrong admin secret', answer(ready), answer(report('read')), unauthorized, 'admin_secret_wrong', /ADMIN_SECRET/],
    [
      'read secret in the admin field',
      answer(ready),
      answer(report('read')),
      answer(report('read')),
      'admin_secret_wrong',
      /holds the read secret/,
    ],
    [
      'identity not verified',
      answer(ready),
      answer(report('read', { problem })),
      answer(report('admin', { user: null, verified: false, problem })),
      'identity_unverified',
      /docs\/grafana-identity\.md/,
    ],
    [
      'unsigned identity',
      answer(ready),
      answer(report('read', { verified: false })),
      answer(report('admin', { verified: false })),
      'identity_unverified',
      /unsigned X-Grafana-User/,
    ],
    [
      'migrations behind',
      notReady({ migrations: { ok: false, detail: 'not applied: 0042_x (run npm run db:migrate)' } }),
      answer(report('read')),
      answer(report('admin')),
      'migrations_behind',
      /not applied: 0042_x/,
    ],
    [
      'database down',
      notReady({
        database: { ok: false, detail: 'unreachable (ECONNREFUSED)' },
        migrations: { ok: false, detail: 'not checked: the database is not reachable' },
        scheduler: { ok: false, detail: 'not checked: the database is not reachable' },
      }),
      answer(report('read')),
      answer(report('admin')),
      'database_down',
      /DATABASE_URL/,
    ],
    [
      'no scheduler',
      notReady({ scheduler: { ok: false, detail: 'no pg_cron job and TICK_ENABLED is off' } }),
      answer(report('read')),
      answer(report('admin')),
      'no_scheduler',
      /TICK_ENABLED=true/,
    ],
  ])('names the problem: %s', async (_what, readyz, read, admin, code, fix) => {
    setRoutes(readyz, read, admin);
    renderPage();
    testConnection();

    const el = await result();
    expect(el).toHaveAttribute('role', 'alert'); // error severity
    expect(problems(el)).toEqual([code]);
    expect(el).toHaveTextContent(fix);
    expect(el.querySelectorAll('[data-check]')).toHaveLength(7);
  });

  it('says a non-Admin cannot test the admin secret, and that this is no failure', async () => {
    setRoutes(answer(ready), answer(report('read')), {
      status: 403,
      data: { message: 'plugin proxy route access denied' },
    });
    renderPage();
    testConnection();

    const el = await result();
    expect(el).toHaveAttribute('role', 'status');
    expect(problems(el)).toEqual([]);
    expect(states(el).adminSecret).toBe('not_checked');
    expect(el).toHaveTextContent('Only users with the Admin role can test the admin secret');
    expect(el).toHaveTextContent('not a failure of the setup');
  });

  it('asks to save first when the form has unsaved changes, and sends nothing', () => {
    renderPage();
    type(testIds.appConfig.readSecret, 'x');
    fireEvent.click(resetButton('adminSecret'));
    testConnection();

    expect(byId(testIds.appConfig.unsaved)).toHaveTextContent('save first');
    expect(mockFetch).not.toHaveBeenCalled();
    expect(screen.queryByTestId(testIds.appConfig.testResult)).not.toBeInTheDocument();
  });

  it('asks to save first when no service URL is saved yet', () => {
    renderPage({ jsonData: {} });
    testConnection();
    expect(byId(testIds.appConfig.unsaved)).toHaveTextContent('No service URL is saved yet');
    expect(mockFetch).not.toHaveBeenCalled();
  });

  it('tests the saved settings once they are saved', async () => {
    routes[`POST ${SETTINGS}`] = { status: 200, data: {} };
    routes[`GET ${SETTINGS}`] = {
      status: 200,
      data: {
        enabled: true,
        pinned: true,
        jsonData: { serviceUrl: 'http://b:8787' },
        secureJsonFields: { readSecret: true, adminSecret: true },
      },
    };
    setRoutes(answer(ready), answer(report('read')), answer(report('admin')));
    renderPage();
    type(testIds.appConfig.serviceUrl, 'http://b:8787');
    save();
    await screen.findByTestId(testIds.appConfig.saved);
    testConnection();

    expect(await result()).toHaveTextContent('Ready');
    expect(screen.queryByTestId(testIds.appConfig.unsaved)).not.toBeInTheDocument();
  });

  it('disables the button while the checks run', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    // readyz (the first request) answers late; the access routes answer at once.
    mockFetch.mockImplementationOnce(
      () =>
        new Observable((sub) => {
          gate.then(() => {
            sub.next({ data: ready, status: 200 });
            sub.complete();
          });
        })
    );
    setRoutes(answer(ready), answer(report('read')), answer(report('admin')));
    renderPage();
    testConnection();

    expect(byId(testIds.appConfig.testConnection)).toBeDisabled();
    expect(byId(testIds.appConfig.testConnection)).toHaveTextContent('Testing…');
    release();
    await result();
    await waitFor(() => expect(byId(testIds.appConfig.testConnection)).not.toBeDisabled());
  });
});
