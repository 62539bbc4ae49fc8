import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { OrgRole, type PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { fakeBackend } from '../testing/fakeBackend';
import { attempt, run } from '../testing/runs';
import { BASE, deferred, view } from '../testing/views';
import { testIds } from '../testIds';
import { defaultRefreshPanelOptions, type RefreshPanelOptions } from './options';
import { RefreshPanel } from './RefreshPanel';

const mockBackend = { current: fakeBackend() };
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => mockBackend.current,
}));

const VIEWS = [
  view('pos.mv_daily', { state: 'stale', lagSeconds: 5400 }),
  view('pos.mv_weekly'),
  view('funeral_mv.mv_search_index', { pack: 'funeral' }),
];

function renderPanel(options: Partial<RefreshPanelOptions>) {
  const props = {
    id: 4,
    width: 400,
    height: 300,
    options: { ...defaultRefreshPanelOptions, ...options },
  } as unknown as PanelProps<RefreshPanelOptions>;
  return render(<RefreshPanel {...props} />);
}

const settle = (ms = 0) =>
  act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });

const sceneRefresh = jest.fn();

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-12-01T09:00:00.000Z') });
  localStorage.clear();
  sceneRefresh.mockClear();
  (window as { __grafanaSceneContext?: unknown }).__grafanaSceneContext = {
    state: { $timeRange: { onRefresh: sceneRefresh } },
  };
  config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Admin, isGrafanaAdmin: false };
  mockBackend.current = fakeBackend().on('GET', `${BASE}/api/views`, { status: 200, data: { views: VIEWS } });
});
afterEach(() => {
  delete (window as { __grafanaSceneContext?: unknown }).__grafanaSceneContext;
  jest.useRealTimers();
});

async function refreshWith(finalRun: ReturnType<typeof run>) {
  mockBackend.current
    .on('POST', `${BASE}/api/refresh`, {
      status: 202,
      data: { runId: 7, outcome: 'started', statusUrl: '', requestedBy: 'a' },
    })
    .on('GET', `${BASE}/api/runs/7`, { status: 200, data: finalRun });
  fireEvent.click(screen.getByTestId(testIds.refresh.button));
  fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Refresh now' }));
  await settle();
}

describe('RefreshPanel', () => {
  it('asks for a target while its options name nothing, and offers no button', async () => {
    renderPanel({ target: 'pack', pack: '' });
    await settle();
    expect(screen.getByTestId(testIds.panel.notConfigured)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.refresh.button)).not.toBeInTheDocument();
  });

  it("shows the freshness of its pack's views only", async () => {
    renderPanel({ target: 'pack', pack: 'sales' });
    await settle();
    const list = screen.getByTestId(testIds.panel.freshness);
    expect(within(list).getByTestId(testIds.panel.freshnessItem('pos.mv_daily'))).toHaveTextContent(
      /Stale.*1 h 30 min behind/
    );
    expect(within(list).getByTestId(testIds.panel.freshnessItem('pos.mv_weekly'))).toHaveTextContent('Fresh');
    expect(within(list).queryByTestId(testIds.panel.freshnessItem('funeral_mv.mv_search_index'))).toBeNull();
  });

  it("hints that a zero-lag view's figures for today are live, whatever its stored rows' lag", async () => {
    mockBackend.current.on('GET', `${BASE}/api/views`, {
      status: 200,
      data: {
        views: [view('pos.mv_daily', { state: 'stale', lagSeconds: 5400, zeroLag: true }), view('pos.mv_weekly')],
      },
    });
    renderPanel({ target: 'pack', pack: 'sales' });
    await settle();
    expect(screen.getByTestId(testIds.panel.freshnessItem('pos.mv_daily'))).toHaveTextContent(
      /Stale.*1 h 30 min behind.*today live/
    );
    expect(screen.getByTestId(testIds.panel.zeroLag('pos.mv_daily'))).toHaveAttribute(
      'title',
      expect.stringMatching(/Stored rows are as of the last refresh/)
    );
    expect(screen.queryByTestId(testIds.panel.zeroLag('pos.mv_weekly'))).not.toBeInTheDocument();
  });

  it('marks a chosen view the service does not manage', async () => {
    renderPanel({ target: 'views', views: ['pos.mv_weekly', 'pos.mv_gone'] });
    await settle();
    expect(screen.getByTestId(testIds.panel.freshnessItem('pos.mv_gone'))).toHaveTextContent('not managed');
  });

  it('shows a loading state until the first freshness answer', async () => {
    const answer = deferred<{ status: number; data: unknown }>();
    mockBackend.current.on('GET', `${BASE}/api/views`, () => answer.promise);
    renderPanel({ target: 'pack', pack: 'sales' });
    await settle();
    expect(screen.getByText('Reading freshness…')).toBeInTheDocument();
    answer.resolve({ status: 200, data: { views: VIEWS } });
    await settle();
    expect(screen.getByTestId(testIds.panel.freshnessItem('pos.mv_daily'))).toBeInTheDocument();
  });

  it('says when freshness cannot be read, claims nothing about the views, and still offers the refresh', async () => {
    mockBackend.current.on('GET', `${BASE}/api/views`, { status: 502, data: {} });
    renderPanel({ target: 'views', views: ['pos.mv_daily'] });
    await settle();
    expect(screen.getByTestId(testIds.panel.error)).toHaveTextContent('could not reach the refresh service');
    expect(screen.queryByText(/not managed/)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.panel.freshness)).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.refresh.button)).toBeEnabled();
  });

  it('resumes, after a reload, the run a panel with the same target started', async () => {
    mockBackend.current
      .on('POST', `${BASE}/api/refresh`, {
        status: 202,
        data: { runId: 7, outcome: 'started', statusUrl: '', requestedBy: 'a' },
      })
      .on('GET', `${BASE}/api/runs/7`, { status: 200, data: run([attempt('pos.mv_daily', { status: 'running' })]) });
    const first = renderPanel({ target: 'pack', pack: 'sales' });
    await settle();
    fireEvent.click(screen.getByTestId(testIds.refresh.button));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Refresh now' }));
    await settle();
    first.unmount();
    const pollsBefore = mockBackend.current.calls('GET', `${BASE}/api/runs/7`).length;
    await settle(5000);
    // Unmounted: no polling goes on in the background.
    expect(mockBackend.current.calls('GET', `${BASE}/api/runs/7`)).toHaveLength(pollsBefore);

    mockBackend.current.on('GET', `${BASE}/api/runs/7`, {
      status: 200,
      data: run([attempt('pos.mv_daily', { status: 'succeeded' })]),
    });
    renderPanel({ target: 'pack', pack: 'sales' });
    await settle();
    expect(screen.getByTestId(testIds.refresh.result)).toHaveTextContent('Refreshed (run 7)');
    expect(mockBackend.current.calls('POST')).toHaveLength(1);
  });

  it('re-reads freshness every 30 seconds', async () => {
    renderPanel({ target: 'pack', pack: 'sales' });
    await settle();
    await settle(30_000);
    expect(mockBackend.current.calls('GET', `${BASE}/api/views`)).toHaveLength(2);
  });

  it("refreshes its pack, then the dashboard's queries through the scene's time range", async () => {
    renderPanel({ target: 'pack', pack: 'sales', cascade: false });
    await settle();
    await refreshWith(run([attempt('pos.mv_daily', { status: 'succeeded' })]));
    expect(mockBackend.current.calls('POST')[0].data).toEqual({ pack: 'sales', cascade: false });
    expect(screen.getByTestId(testIds.refresh.result)).toHaveTextContent('Refreshed');
    expect(sceneRefresh).toHaveBeenCalledTimes(1);
    // Freshness is read again after the run.
    expect(mockBackend.current.calls('GET', `${BASE}/api/views`)).toHaveLength(2);
  });

  it('leaves the dashboard alone when the option is off', async () => {
    renderPanel({ target: 'views', views: ['pos.mv_daily'], refreshDashboard: false });
    await settle();
    await refreshWith(run([attempt('pos.mv_daily', { status: 'succeeded' })]));
    expect(sceneRefresh).not.toHaveBeenCalled();
  });

  it('leaves the dashboard alone when the run changed nothing (every view failed)', async () => {
    renderPanel({ target: 'views', views: ['pos.mv_daily'] });
    await settle();
    await refreshWith(
      run([attempt('pos.mv_daily', { status: 'failed', sqlstate: '22012', message: 'division by zero' })])
    );
    expect(screen.getByTestId(testIds.refresh.step('pos.mv_daily'))).toHaveTextContent('22012: division by zero');
    expect(sceneRefresh).not.toHaveBeenCalled();
  });

  it('shows a Viewer the state and a disabled button saying refresh needs the Admin role', async () => {
    config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Viewer, isGrafanaAdmin: false };
    renderPanel({ target: 'pack', pack: 'sales' });
    await settle();
    expect(screen.getByTestId(testIds.panel.freshnessItem('pos.mv_daily'))).toBeInTheDocument();
    expect(screen.getByTestId(testIds.refresh.button)).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId(testIds.refresh.roleHint)).toHaveTextContent('Admin role');
  });
});
