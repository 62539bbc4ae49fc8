import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import { fakeBackend } from '../../testing/fakeBackend';
import { attempt, run } from '../../testing/runs';
import { testIds } from '../../testIds';
import { rememberRun } from '../../refresh/runStorage';
import { RefreshControl, runKey } from './RefreshControl';

const mockBackend = { current: fakeBackend() };
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => mockBackend.current,
}));

const REFRESH = '/api/plugin-proxy/matviewops-app/api/refresh';
const RUN7 = '/api/plugin-proxy/matviewops-app/api/runs/7';
const target = { views: ['pos.mv_daily'], cascade: true };

const asRole = (orgRole: OrgRole) => {
  config.bootData.user = { ...config.bootData.user, orgRole, isGrafanaAdmin: false };
};

async function settle(ms = 0) {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

async function clickRefreshAndConfirm() {
  fireEvent.click(screen.getByTestId(testIds.refresh.button));
  const dialog = await screen.findByRole('dialog');
  fireEvent.click(within(dialog).getByRole('button', { name: 'Refresh now' }));
  await settle();
}

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-12-01T09:00:03.000Z') });
  mockBackend.current = fakeBackend();
  localStorage.clear();
  asRole(OrgRole.Admin);
});
afterEach(() => jest.useRealTimers());

describe('RefreshControl for people without the Admin role', () => {
  it.each([OrgRole.Viewer, OrgRole.Editor])(
    'a %s sees a disabled button saying refresh needs Admin, and nothing is sent',
    (role) => {
      asRole(role);
      render(<RefreshControl target={target} />);
      // Grafana's Button keeps a disabled button focusable (aria-disabled) so its tooltip can say why.
      expect(screen.getByTestId(testIds.refresh.button)).toHaveAttribute('aria-disabled', 'true');
      expect(screen.getByTestId(testIds.refresh.roleHint)).toHaveTextContent('needs the Admin role');
      fireEvent.click(screen.getByTestId(testIds.refresh.button));
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
      expect(mockBackend.current.calls()).toHaveLength(0);
    }
  );

  it('a Grafana server admin who is a Viewer in this organisation gets no enabled button (the proxy checks the org role only)', () => {
    config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Viewer, isGrafanaAdmin: true };
    render(<RefreshControl target={target} />);
    expect(screen.getByTestId(testIds.refresh.button)).toHaveAttribute('aria-disabled', 'true');
  });
});

describe('RefreshControl for an admin', () => {
  it('asks for confirmation, posts with an Idempotency-Key, follows the run and reports success', async () => {
    const onFinished = jest.fn();
    const polls = [
      run([
        attempt('pos.mv_daily', { status: 'running', startedAt: '2026-12-01T09:00:01.000Z' }),
        attempt('pos.mv_weekly'),
      ]),
      run([
        attempt('pos.mv_daily', { status: 'succeeded', durationMs: 1500, rows: 1234, refreshType: 'full' }),
        attempt('pos.mv_weekly', {
          status: 'succeeded',
          durationMs: 20,
          rows: 3,
          refreshType: 'incremental',
          keyCount: 2,
        }),
      ]),
    ];
    mockBackend.current
      .on('POST', REFRESH, {
        status: 202,
        data: { runId: 7, outcome: 'started', statusUrl: '/api/runs/7', requestedBy: 'admin' },
      })
      .on('GET', RUN7, () => ({ status: 200, data: polls.shift() ?? polls[0] }));
    render(<RefreshControl target={target} onFinished={onFinished} confirmText="Sure?" />);

    fireEvent.click(screen.getByTestId(testIds.refresh.button));
    expect(await screen.findByTestId(testIds.refresh.confirm)).toHaveTextContent('Sure?');
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Refresh now' }));
    await settle();

    const [post] = mockBackend.current.calls('POST', REFRESH);
    expect(post.data).toEqual(target);
    expect(post.headers?.['Idempotency-Key']).toMatch(/^[\x21-\x7e]{16,}$/);
    expect(post.showErrorAlert).toBe(false);
    expect(screen.getByTestId(testIds.refresh.outcome)).toHaveTextContent('Refresh started (run 7)');
    expect(screen.getByTestId(testIds.refresh.step('pos.mv_daily'))).toHaveTextContent(/Running.*for 2\.0 s/);
    expect(screen.getByTestId(testIds.refresh.step('pos.mv_weekly'))).toHaveTextContent('Queued');
    expect(screen.getByTestId(testIds.refresh.button)).toBeDisabled();

    await settle(1000);
    expect(screen.getByTestId(testIds.refresh.result)).toHaveTextContent('Refreshed (run 7)');
    expect(screen.getByTestId(testIds.refresh.step('pos.mv_daily'))).toHaveTextContent('Full, in 1.5 s, 1,234 rows');
    expect(screen.getByTestId(testIds.refresh.step('pos.mv_weekly'))).toHaveTextContent(
      'Incremental · 2 keys, in 20 ms, 3 rows'
    );
    expect(onFinished).toHaveBeenCalledWith(expect.objectContaining({ runId: 7, status: 'succeeded' }));
    expect(localStorage.length).toBe(0);
    expect(screen.getByTestId(testIds.refresh.button)).toBeEnabled();
  });

  it('shows a failed view with its SQLSTATE and message, and a skipped one with why', async () => {
    mockBackend.current
      .on('POST', REFRESH, { status: 202, data: { runId: 7, outcome: 'started', statusUrl: '', requestedBy: 'a' } })
      .on('GET', RUN7, {
        status: 200,
        data: run([
          attempt('fx.broken', { status: 'failed', sqlstate: '22012', message: 'division by zero' }),
          attempt('fx.after', { status: 'skipped', message: 'upstream fx.broken failed' }),
          attempt('fx.fine', { status: 'succeeded', durationMs: 3, rows: 1 }),
        ]),
      });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.result)).toHaveTextContent('Refresh failed (run 7)');
    expect(screen.getByTestId(testIds.refresh.result)).toHaveTextContent('1 succeeded, 1 failed, 1 skipped');
    expect(screen.getByTestId(testIds.refresh.step('fx.broken'))).toHaveTextContent('22012: division by zero');
    expect(screen.getByTestId(testIds.refresh.step('fx.after'))).toHaveTextContent('upstream fx.broken failed');
  });

  it.each([
    ['joined', 'already being refreshed: following run 7'],
    ['recent', 'refreshed on request moments ago: showing run 7'],
    ['idempotent', 'already accepted: following run 7'],
  ])('names the %s outcome', async (outcome, text) => {
    mockBackend.current
      .on('POST', REFRESH, { status: 202, data: { runId: 7, outcome, statusUrl: '', requestedBy: 'a' } })
      .on('GET', RUN7, { status: 200, data: run([attempt('pos.mv_daily', { status: 'succeeded' })]) });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.outcome)).toHaveTextContent(text);
  });

  it('resumes following a run remembered before a reload, without posting again', async () => {
    rememberRun(runKey(target), 7);
    const polls = [
      run([attempt('pos.mv_daily', { status: 'running', startedAt: '2026-12-01T09:00:00.000Z' })]),
      run([attempt('pos.mv_daily', { status: 'succeeded', durationMs: 4000, rows: 9 })]),
    ];
    mockBackend.current.on('GET', RUN7, () => ({ status: 200, data: polls.shift() }));
    render(<RefreshControl target={target} />);
    await settle();
    expect(screen.getByTestId(testIds.refresh.step('pos.mv_daily'))).toHaveTextContent(/Running.*for 3\.0 s/);
    await settle(1000);
    expect(screen.getByTestId(testIds.refresh.result)).toHaveTextContent('Refreshed (run 7)');
    expect(mockBackend.current.calls('POST')).toHaveLength(0);
    expect(localStorage.length).toBe(0);
  });

  it('a remembered run the service no longer knows is reported and forgotten', async () => {
    rememberRun(runKey(target), 7);
    mockBackend.current.on('GET', RUN7, {
      status: 404,
      data: { error: { code: 'unknown_run', message: 'There is no run 7.' } },
    });
    render(<RefreshControl target={target} />);
    await settle();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('There is no run 7.');
    expect(localStorage.length).toBe(0);
  });

  it('keeps following through a failed status read, saying so, and finishes when the service answers again', async () => {
    const answers = [
      { status: 502, data: {} },
      { status: 200, data: run([attempt('pos.mv_daily', { status: 'succeeded' })]) },
    ];
    mockBackend.current
      .on('POST', REFRESH, { status: 202, data: { runId: 7, outcome: 'started', statusUrl: '', requestedBy: 'a' } })
      .on('GET', RUN7, () => answers.shift()!);
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByText('Lost contact with the refresh service; still trying')).toBeInTheDocument();
    await settle(2000);
    expect(screen.getByTestId(testIds.refresh.result)).toHaveTextContent('Refreshed');
  });
});

describe('RefreshControl when the request is refused', () => {
  const refusal = (status: number, data: unknown) => mockBackend.current.on('POST', REFRESH, { status, data });

  it('Grafana refusing the route (403) says the Admin role is needed', async () => {
    refusal(403, { message: 'plugin proxy route access denied' });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('needs the Admin role');
  });

  it('429 too_soon shows the message and keeps the button disabled for Retry-After seconds', async () => {
    refusal(429, {
      error: { code: 'too_soon', message: 'pos.mv_daily was refreshed on request less than 60 s ago.', retryAfter: 3 },
    });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('less than 60 s ago');
    expect(screen.getByTestId(testIds.refresh.button)).toBeDisabled();
    expect(screen.getByTestId(testIds.refresh.button)).toHaveTextContent('wait 3 s');
    await settle(3000);
    expect(screen.getByTestId(testIds.refresh.button)).toBeEnabled();
    expect(mockBackend.current.calls('POST')).toHaveLength(1);
  });

  it('503 from the service is shown as unavailable, with its reason', async () => {
    refusal(503, {
      error: {
        code: 'database_unavailable',
        message: 'The database is not reachable right now; retry shortly.',
        retryAfter: 5,
      },
    });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('Refresh service unavailable');
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('database is not reachable');
  });

  it('an unreachable service is reported, nothing is retried by itself, and a second click reuses the same key', async () => {
    refusal(502, {});
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('Refresh service unreachable');
    await settle(30_000);
    expect(mockBackend.current.calls('POST')).toHaveLength(1);
    await clickRefreshAndConfirm();
    const [first, second] = mockBackend.current.calls('POST');
    expect(second.headers?.['Idempotency-Key']).toBe(first.headers?.['Idempotency-Key']);
  });

  it('a wrong admin secret in the app (401 from the service) points the admin to the configuration page', async () => {
    refusal(401, {
      error: { code: 'unauthorized', message: 'A valid secret is required in the x-matview-ops-secret header.' },
    });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent("an admin must check the app's configuration");
  });

  it('the read secret in the admin field (403 from the service) says which field is wrong', async () => {
    refusal(403, { error: { code: 'forbidden', message: 'This secret may read status but not start refreshes.' } });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('admin secret field holds the read secret');
  });

  it('no answer at all (network failure) is reported as unreachable, and trying again is safe', async () => {
    mockBackend.current.on('POST', REFRESH, () => Promise.reject(new TypeError('Failed to fetch')));
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('Refresh service unreachable');
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('Failed to fetch');
  });

  it('429 busy says too many refreshes are running and waits out Retry-After', async () => {
    refusal(429, { error: { code: 'busy', message: '4 runs are in progress.', retryAfter: 5 } });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    expect(screen.getByTestId(testIds.refresh.error)).toHaveTextContent('Too many refreshes running');
    expect(screen.getByTestId(testIds.refresh.button)).toHaveTextContent('wait 5 s');
  });

  it('after a definitive refusal (422 key reused) the next click sends a new Idempotency-Key', async () => {
    refusal(422, { error: { code: 'idempotency_key_reused', message: 'Idempotency-Key reused for another request.' } });
    render(<RefreshControl target={target} />);
    await clickRefreshAndConfirm();
    await clickRefreshAndConfirm();
    const [first, second] = mockBackend.current.calls('POST');
    expect(second.headers?.['Idempotency-Key']).not.toBe(first.headers?.['Idempotency-Key']);
  });
});

describe('which run a control follows', () => {
  it('is named by the request itself, whatever the order of its views', () => {
    expect(runKey({ views: ['b', 'a'] })).toBe(runKey({ views: ['a', 'b'], cascade: true }));
    expect(runKey({ views: ['a'], cascade: false })).not.toBe(runKey({ views: ['a'] }));
    expect(runKey({ pack: 'sales' })).not.toBe(runKey({ views: ['sales'] }));
  });

  it("a control for another request does not show this request's run", async () => {
    rememberRun(runKey(target), 7);
    mockBackend.current.on('GET', RUN7, { status: 200, data: run([attempt('pos.mv_daily', { status: 'running' })]) });
    render(<RefreshControl target={{ views: ['pos.mv_other'] }} />);
    await settle();
    expect(mockBackend.current.calls('GET', RUN7)).toHaveLength(0);
    expect(screen.getByTestId(testIds.refresh.button)).toBeEnabled();
  });

  it('without the role hint, a Viewer still gets the disabled button with its tooltip but no text under it', () => {
    asRole(OrgRole.Viewer);
    render(<RefreshControl target={target} roleHint={false} />);
    expect(screen.getByTestId(testIds.refresh.button)).toHaveAttribute('aria-disabled', 'true');
    expect(screen.queryByTestId(testIds.refresh.roleHint)).not.toBeInTheDocument();
  });
});
