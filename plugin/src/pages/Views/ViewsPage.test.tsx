import { act, fireEvent, screen, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import { formatAbsolute } from '../../format/time';
import { fakeBackend, type FakeAnswer } from '../../testing/fakeBackend';
import { attempt, run } from '../../testing/runs';
import { testIds } from '../../testIds';
import { renderApp, settle } from '../../testing/renderApp';
import { BASE, deferred, view } from '../../testing/views';

const mockBackend = { current: fakeBackend() };
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => mockBackend.current,
}));

const VIEWS_URL = `${BASE}/api/views`;
const NOW = Date.parse('2026-12-01T09:00:00.000Z');

const VIEWS = [
  view('pos.mv_daily', {
    state: 'failing',
    lagSeconds: 5400,
    lastError: '57014: canceling statement due to statement timeout',
    lastDurationMs: 4200,
    typicalDurationMs: 850,
    sizeBytes: 123_456_789,
    rows: 1_234_567,
  }),
  view('pos.mv_weekly', { state: 'stale' }),
  view('funeral_mv.mv_search_index', { pack: 'funeral', state: 'never_refreshed', lastSuccessAt: null }),
  view('funeral_mv.mv_paused', { pack: 'funeral', state: 'paused', enabled: false }),
];

const answerViews = (views = VIEWS) => {
  mockBackend.current.on('GET', VIEWS_URL, { status: 200, data: { views } });
};
const viewCalls = () => mockBackend.current.calls('GET', VIEWS_URL).length;

const renderPage = (path = 'views') => renderApp(path);

const rowNames = () =>
  screen
    .queryAllByTestId(/^data-testid views row /)
    .map((r) => r.getAttribute('data-testid')!.slice(testIds.views.row('').length));

let hidden = false;
beforeAll(() => {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
});
beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
  localStorage.clear();
  config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Viewer, isGrafanaAdmin: false };
  hidden = false;
  mockBackend.current = fakeBackend();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('Views page: roles', () => {
  it('tells a Viewer once, above the table, that refreshing needs the Admin role; every row button is disabled', async () => {
    mockBackend.current.on('GET', VIEWS_URL, { status: 200, data: { views: VIEWS } });
    await renderPage();
    expect(screen.getByTestId(testIds.views.roleNote)).toHaveTextContent('needs the Admin role');
    const buttons = screen.getAllByTestId(testIds.refresh.button);
    expect(buttons).toHaveLength(VIEWS.length);
    buttons.forEach((b) => expect(b).toHaveAttribute('aria-disabled', 'true'));
    expect(screen.queryByTestId(testIds.refresh.roleHint)).not.toBeInTheDocument();
  });

  it('shows an Admin no such note and enabled buttons', async () => {
    config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Admin };
    mockBackend.current.on('GET', VIEWS_URL, { status: 200, data: { views: VIEWS } });
    await renderPage();
    expect(screen.queryByTestId(testIds.views.roleNote)).not.toBeInTheDocument();
    screen.getAllByTestId(testIds.refresh.button).forEach((b) => expect(b).toBeEnabled());
  });
});

describe('Views page: states', () => {
  it('shows a loading placeholder until the first list arrives', async () => {
    const pending = deferred<FakeAnswer>();
    mockBackend.current.on('GET', VIEWS_URL, () => pending.promise);
    await renderPage();

    expect(screen.getByTestId(testIds.views.loading)).toBeInTheDocument();

    pending.resolve({ status: 200, data: { views: VIEWS } });
    await settle();
    expect(screen.queryByTestId(testIds.views.loading)).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.views.table)).toBeInTheDocument();
  });

  it('asks the service through the app proxy with a GET of /api/views', async () => {
    answerViews();
    await renderPage();

    const [request] = mockBackend.current.calls();
    expect(request).toMatchObject({ url: VIEWS_URL, method: 'GET', showErrorAlert: false });
  });

  it('says how to register a view when none is managed', async () => {
    answerViews([]);
    await renderPage();

    const empty = screen.getByTestId(testIds.views.empty);
    expect(empty).toHaveTextContent('No materialized views are managed yet');
    expect(empty).toHaveTextContent('SELECT mv_ops.register_view(');
    expect(screen.queryByTestId(testIds.views.table)).not.toBeInTheDocument();
  });

  it("shows the service's error message inline when the first load fails", async () => {
    mockBackend.current.on('GET', VIEWS_URL, {
      status: 503,
      data: { error: { code: 'database_unavailable', message: 'The database is not reachable right now.' } },
    });
    await renderPage();

    const alert = screen.getByTestId(testIds.views.error);
    expect(alert).toHaveTextContent('Could not load the managed views');
    expect(alert).toHaveTextContent('The database is not reachable right now.');
    expect(screen.queryByTestId(testIds.views.loading)).not.toBeInTheDocument();
  });

  it('tries again from the error when asked, and shows the list once it loads', async () => {
    mockBackend.current.on('GET', VIEWS_URL, { status: 502, data: {} });
    await renderPage();
    expect(screen.getByTestId(testIds.views.error)).toHaveTextContent('could not reach the refresh service');

    answerViews();
    fireEvent.click(within(screen.getByTestId(testIds.views.error)).getByRole('button', { name: /try again/i }));
    await settle();

    expect(screen.queryByTestId(testIds.views.error)).not.toBeInTheDocument();
    expect(rowNames()).toHaveLength(4);
  });
});

describe('Views page: the table', () => {
  beforeEach(answerViews);

  it('shows each view with state, pack, lag, durations, size, rows and last error', async () => {
    await renderPage();

    const row = screen.getByTestId(testIds.views.row('pos.mv_daily'));
    expect(screen.getByTestId(testIds.views.state('pos.mv_daily'))).toHaveTextContent('Failing');
    const cells = within(row)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells).toEqual(
      expect.arrayContaining(['sales', '1 h 30 min', '10 min ago', '4.2 s', '850 ms', '118 MiB', '1,234,567'])
    );
    const error = screen.getByTestId(testIds.views.lastError('pos.mv_daily'));
    expect(within(error).getByText('57014').tagName).toBe('CODE');
    expect(error).toHaveTextContent('canceling statement due to statement timeout');
  });

  it('names every state in its badge', async () => {
    await renderPage();

    expect(screen.getByTestId(testIds.views.state('pos.mv_weekly'))).toHaveTextContent('Stale');
    expect(screen.getByTestId(testIds.views.state('funeral_mv.mv_search_index'))).toHaveTextContent('Never refreshed');
    expect(screen.getByTestId(testIds.views.state('funeral_mv.mv_paused'))).toHaveTextContent('Paused');
  });

  it('gives the last success as a relative time with the exact moment alongside', async () => {
    await renderPage();

    const time = within(screen.getByTestId(testIds.views.row('pos.mv_daily'))).getByText('10 min ago');
    expect(time).toHaveAttribute('dateTime', '2026-12-01T08:50:00.000Z');
    expect(time).toHaveAccessibleName(`10 min ago (${formatAbsolute('2026-12-01T08:50:00.000Z')})`);
  });

  it("links each view's name to its history page", async () => {
    await renderPage();

    expect(screen.getByTestId(testIds.views.historyLink('pos.mv_daily'))).toHaveAttribute(
      'href',
      '/a/matviewops-app/history/pos.mv_daily'
    );
  });

  it('reads the list again when a refresh started from a row finishes', async () => {
    config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Admin, isGrafanaAdmin: false };
    await renderPage();
    mockBackend.current
      .on('POST', `${BASE}/api/refresh`, {
        status: 202,
        data: { runId: 7, outcome: 'started', statusUrl: '', requestedBy: 'a' },
      })
      .on('GET', `${BASE}/api/runs/7`, { status: 200, data: run([attempt('pos.mv_weekly', { status: 'succeeded' })]) });

    fireEvent.click(within(screen.getByTestId(testIds.views.row('pos.mv_weekly'))).getByTestId(testIds.refresh.button));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Refresh now' }));
    await settle();

    expect(mockBackend.current.calls('POST')[0].data).toEqual({ views: ['pos.mv_weekly'], cascade: true });
    expect(viewCalls()).toBe(2);
  });

  it('gives every row its own refresh control', async () => {
    await renderPage();

    for (const name of ['pos.mv_daily', 'funeral_mv.mv_paused']) {
      expect(within(screen.getByTestId(testIds.views.row(name))).getByTestId(testIds.refresh.button)).toBeVisible();
    }
  });
});

describe('Views page: refresh and read modes', () => {
  const MODES = [
    view('pos.mv_daily_sales', {
      refreshMode: 'incremental',
      zeroLag: true,
      state: 'stale',
      lastRefreshType: 'incremental',
      lastKeyCount: 3,
    }),
    view('pos.mv_customer_ltv', { refreshMode: 'incremental', lastRefreshType: 'full' }),
    view('funeral_mv.mv_search_index', { pack: 'funeral', lastRefreshType: null }),
  ];
  beforeEach(() => answerViews(MODES));

  it('tags each view Full or Incremental, and a zero-lag view Today live', async () => {
    await renderPage();

    expect(screen.getByTestId(testIds.views.refreshMode('pos.mv_daily_sales'))).toHaveTextContent('Incremental');
    expect(screen.getByTestId(testIds.views.zeroLag('pos.mv_daily_sales'))).toHaveTextContent('Today live');
    expect(screen.getByTestId(testIds.views.refreshMode('pos.mv_customer_ltv'))).toHaveTextContent('Incremental');
    expect(screen.queryByTestId(testIds.views.zeroLag('pos.mv_customer_ltv'))).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.views.refreshMode('funeral_mv.mv_search_index'))).toHaveTextContent('Full');
    expect(screen.queryByTestId(testIds.views.zeroLag('funeral_mv.mv_search_index'))).not.toBeInTheDocument();
    // The mode sits in its own column, named in the header.
    expect(within(screen.getByTestId(testIds.views.table)).getByRole('columnheader', { name: 'Mode' })).toBeVisible();
  });

  it('explains the mode, with what the last refresh did, in its tooltip', async () => {
    await renderPage();

    fireEvent.mouseEnter(screen.getByTestId(testIds.views.refreshMode('pos.mv_daily_sales')));
    await settle(500);
    const tooltip = await screen.findByRole('tooltip');
    expect(tooltip).toHaveTextContent('only the business dates that changed');
    expect(tooltip).toHaveTextContent('Last refresh: Incremental · 3 keys.');
  });

  it("explains Today live: stored rows as of the last refresh, today's figures read live", async () => {
    await renderPage();

    fireEvent.mouseEnter(screen.getByTestId(testIds.views.zeroLag('pos.mv_daily_sales')));
    await settle(500);
    const tooltip = await screen.findByRole('tooltip');
    expect(tooltip).toHaveTextContent('Stored rows are as of the last refresh');
    expect(tooltip).toHaveTextContent("today's figures are read live from the source by the pack's report functions");
  });
});

describe('Views page: filters and search', () => {
  beforeEach(answerViews);

  // A MultiCombobox stays open after a pick; clicking it again would close it.
  const pick = async (testId: string, option: string) => {
    if (screen.getByTestId(testId).getAttribute('aria-expanded') !== 'true') {
      fireEvent.click(screen.getByTestId(testId));
      await settle();
    }
    fireEvent.click(screen.getByRole('option', { name: option }));
    await settle();
  };

  it('searches by name, ignoring case', async () => {
    await renderPage();

    fireEvent.change(screen.getByTestId(testIds.views.search), { target: { value: 'MV_D' } });

    expect(rowNames()).toEqual(['pos.mv_daily']);
  });

  it('filters by pack', async () => {
    await renderPage();

    await pick(testIds.views.packFilter, 'funeral');

    expect(rowNames()).toEqual(['funeral_mv.mv_search_index', 'funeral_mv.mv_paused']);
  });

  it('filters by one or more states', async () => {
    await renderPage();

    await pick(testIds.views.stateFilter, 'Stale');
    expect(rowNames()).toEqual(['pos.mv_weekly']);

    await pick(testIds.views.stateFilter, 'Failing');
    expect(rowNames()).toEqual(['pos.mv_daily', 'pos.mv_weekly']);
  });

  it('reads its filters from the URL, so a filtered list can be linked to', async () => {
    await renderPage('views?pack=sales&state=failing,paused');

    expect(rowNames()).toEqual(['pos.mv_daily']);
  });

  it('says nothing matches when the filters hide every view, and clears them on request', async () => {
    await renderPage('views?pack=funeral');
    fireEvent.change(screen.getByTestId(testIds.views.search), { target: { value: 'daily' } });

    expect(screen.getByTestId(testIds.views.noMatch)).toHaveTextContent('None of the 4 managed views match');
    expect(screen.queryByTestId(testIds.views.table)).not.toBeInTheDocument();

    fireEvent.click(screen.getByTestId(testIds.views.clearFilters));
    expect(rowNames()).toHaveLength(4);
    expect(screen.getByTestId(testIds.views.search)).toHaveValue('');
  });
});

describe('Views page: auto-refresh', () => {
  beforeEach(answerViews);

  const choose = (label: string) =>
    fireEvent.click(within(screen.getByTestId(testIds.views.autoRefresh)).getByLabelText(label));

  it('polls every 30 seconds by default', async () => {
    await renderPage();
    expect(viewCalls()).toBe(1);

    await settle(29_999);
    expect(viewCalls()).toBe(1);
    await settle(1);
    expect(viewCalls()).toBe(2);
    await settle(30_000);
    expect(viewCalls()).toBe(3);
  });

  it('polls at the chosen interval, and not at all when off', async () => {
    await renderPage();

    choose('10s');
    await settle(10_000);
    expect(viewCalls()).toBe(2);

    choose('Off');
    await settle(600_000);
    expect(viewCalls()).toBe(2);
  });

  it('never sends a poll while the previous one is unanswered', async () => {
    await renderPage();
    const slow = deferred<FakeAnswer>();
    mockBackend.current.on('GET', VIEWS_URL, () => slow.promise);
    await settle(30_000);
    expect(viewCalls()).toBe(2);

    await settle(120_000);
    expect(viewCalls()).toBe(2);

    slow.resolve({ status: 200, data: { views: VIEWS } });
    await settle();
    expect(viewCalls()).toBe(2);
    await settle(30_000);
    expect(viewCalls()).toBe(3);
  });

  it('stops polling while the page is hidden and reloads as soon as it shows again', async () => {
    await renderPage();

    hidden = true;
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await settle(300_000);
    expect(viewCalls()).toBe(1);

    hidden = false;
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await settle();
    expect(viewCalls()).toBe(2);
  });

  it('keeps the last list on a failed poll and warns when it was fetched', async () => {
    await renderPage();
    mockBackend.current.on('GET', VIEWS_URL, { status: 504, data: {} });

    await settle(30_000);

    expect(rowNames()).toHaveLength(4);
    const warning = screen.getByTestId(testIds.views.pollError);
    expect(warning).toHaveTextContent('Could not refresh the list');
    expect(warning).toHaveTextContent('could not reach the refresh service');
    expect(warning).toHaveTextContent(`fetched at ${formatAbsolute('2026-12-01T09:00:00.000Z')} (just now)`);
    expect(screen.queryByTestId(testIds.views.error)).not.toBeInTheDocument();
  });

  it('drops the warning once a poll succeeds again', async () => {
    await renderPage();
    mockBackend.current.on('GET', VIEWS_URL, { status: 504, data: {} });
    await settle(30_000);
    expect(screen.getByTestId(testIds.views.pollError)).toBeInTheDocument();

    answerViews();
    await settle(30_000);

    expect(screen.queryByTestId(testIds.views.pollError)).not.toBeInTheDocument();
  });
});
