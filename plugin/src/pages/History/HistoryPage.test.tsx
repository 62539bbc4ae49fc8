import { fireEvent, screen, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import type { Attempt, ViewHistory } from '../../api/types';
import { formatAbsolute } from '../../format/time';
import { fakeBackend, type FakeAnswer } from '../../testing/fakeBackend';
import { attempt, run } from '../../testing/runs';
import { testIds } from '../../testIds';
import { currentLocation, renderApp, settle } from '../../testing/renderApp';
import { BASE, deferred, view } from '../../testing/views';

const mockBackend = { current: fakeBackend() };
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => mockBackend.current,
}));

const VIEW = 'pos.mv_daily';
const HISTORY_URL = `${BASE}/api/views/${VIEW}/history`;

const ok = (over: Partial<Attempt> = {}) =>
  attempt(VIEW, {
    status: 'succeeded',
    trigger: 'schedule',
    requestedBy: null,
    startedAt: '2026-12-01T08:45:00.000Z',
    finishedAt: '2026-12-01T08:45:02.000Z',
    durationMs: 2000,
    rows: 1500,
    ...over,
  });

const FAILED = ok({
  status: 'failed',
  trigger: 'api',
  requestedBy: 'mallory (unverified)',
  durationMs: 30_000,
  rows: null,
  sqlstate: '57014',
  message: 'canceling statement due to statement timeout',
});
const MANUAL = ok({ trigger: 'api', requestedBy: 'alice', durationMs: 1200 });
const SCHEDULED = ok({ durationMs: 900 });

const page = (history: Attempt[], nextBefore: number | null = null): ViewHistory => ({
  view: VIEW,
  history,
  nextBefore,
});

/** Answers history requests by their `before` param: `pages[String(before)]`, "first" for none. */
function answerHistory(pages: Record<string, ViewHistory | FakeAnswer>) {
  mockBackend.current.on('GET', HISTORY_URL, (request) => {
    const before = request.params?.before;
    const answer = pages[before === undefined ? 'first' : String(before)];
    return answer && 'history' in answer ? { status: 200, data: answer } : (answer ?? { status: 500, data: {} });
  });
}
const historyParams = () => mockBackend.current.calls('GET', HISTORY_URL).map((r) => r.params);
const rowIds = () =>
  screen
    .queryAllByTestId(/^data-testid history row /)
    .map((r) => Number(r.getAttribute('data-testid')!.split(' ').pop()));

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-12-01T09:00:00.000Z') });
  localStorage.clear();
  config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Viewer, isGrafanaAdmin: false };
  mockBackend.current = fakeBackend().on('GET', `${BASE}/api/views`, {
    status: 200,
    data: { views: [view(VIEW, { state: 'stale', lagSeconds: 5400 }), view('pos.mv_weekly')] },
  });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('View history page: states', () => {
  it('shows a loading placeholder until the first page arrives', async () => {
    const pending = deferred<FakeAnswer>();
    mockBackend.current.on('GET', HISTORY_URL, () => pending.promise);
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.loading)).toBeInTheDocument();

    pending.resolve({ status: 200, data: page([MANUAL]) });
    await settle();
    expect(screen.queryByTestId(testIds.history.loading)).not.toBeInTheDocument();
    expect(rowIds()).toEqual([MANUAL.logId]);
  });

  it('says when the view has no attempts logged yet', async () => {
    answerHistory({ first: page([]) });
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.empty)).toHaveTextContent('No refresh attempts are logged');
    expect(screen.queryByTestId(testIds.history.sparkline)).not.toBeInTheDocument();
  });

  it('for a view the service does not manage, says so and offers neither Try again nor Refresh', async () => {
    answerHistory({
      first: {
        status: 404,
        data: { error: { code: 'unknown_view', message: 'No managed view has that name; GET /api/views lists them.' } },
      },
    });
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.error)).toHaveTextContent('No managed view has that name');
    expect(screen.queryByRole('button', { name: /try again/i })).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.refresh.button)).not.toBeInTheDocument();
  });

  it('offers Try again when the history could not be read for another reason', async () => {
    answerHistory({ first: { status: 502, data: {} } });
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.error)).toHaveTextContent('could not reach the refresh service');
    expect(screen.getByRole('button', { name: /try again/i })).toBeInTheDocument();
  });
});

describe('View history page: the attempts', () => {
  beforeEach(() => answerHistory({ first: page([FAILED, MANUAL, SCHEDULED]) }));

  it('asks for the newest 50 attempts of the view named in the path', async () => {
    await renderApp(`history/${VIEW}`);

    expect(mockBackend.current.calls('GET', HISTORY_URL)).toHaveLength(1);
    expect(historyParams()).toEqual([{ limit: 50 }]);
  });

  it('shows status, start, trigger, duration, rows and the error of each attempt', async () => {
    await renderApp(`history/${VIEW}`);

    expect(rowIds()).toEqual([FAILED.logId, MANUAL.logId, SCHEDULED.logId]);
    expect(screen.getByTestId(testIds.history.status(FAILED.logId))).toHaveTextContent('Failed');
    const failed = screen.getByTestId(testIds.history.row(FAILED.logId));
    expect(failed).toHaveTextContent(formatAbsolute('2026-12-01T08:45:00.000Z'));
    expect(failed).toHaveTextContent('API');
    expect(failed).toHaveTextContent('30 s');
    expect(within(failed).getByText('57014').tagName).toBe('CODE');
    expect(failed).toHaveTextContent('canceling statement due to statement timeout');
    const scheduled = screen.getByTestId(testIds.history.row(SCHEDULED.logId));
    expect(scheduled).toHaveTextContent('Succeeded');
    expect(scheduled).toHaveTextContent('Schedule');
    expect(scheduled).toHaveTextContent('1,500');
  });

  it('marks a requester the service could not verify as unverified, and a verified one not', async () => {
    await renderApp(`history/${VIEW}`);

    const unverified = screen.getByTestId(testIds.history.requester(FAILED.logId));
    expect(unverified).toHaveTextContent('mallory');
    expect(within(unverified).getByText('unverified')).toBeVisible();
    expect(unverified).not.toHaveTextContent('(unverified)');
    const verified = screen.getByTestId(testIds.history.requester(MANUAL.logId));
    expect(verified).toHaveTextContent('alice');
    expect(verified).not.toHaveTextContent('unverified');
    expect(screen.getByTestId(testIds.history.requester(SCHEDULED.logId))).toHaveTextContent('—');
  });

  it('draws a sparkline of the successful attempts, oldest first', async () => {
    await renderApp(`history/${VIEW}`);

    const sparkline = screen.getByTestId(testIds.history.sparkline);
    expect(within(sparkline).getByRole('img')).toHaveAccessibleName(
      'Durations of the 2 successful refreshes on this page, oldest to newest'
    );
    const points = sparkline.querySelectorAll('circle title');
    expect([...points].map((t) => t.textContent!.split(': ')[1])).toEqual(['900 ms', '1.2 s']);
    expect(sparkline).toHaveTextContent('min 900 ms · median 1.1 s · max 1.2 s');
  });

  it('draws no sparkline when no attempt on the page succeeded', async () => {
    answerHistory({ first: page([FAILED]) });
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.table)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.history.sparkline)).not.toBeInTheDocument();
  });

  it("shows the view's current freshness from the list of views", async () => {
    await renderApp(`history/${VIEW}`);

    const freshness = screen.getByTestId(testIds.history.freshness);
    expect(freshness).toHaveTextContent('Stale');
    expect(freshness).toHaveTextContent('1 h 30 min behind');
  });

  it('offers the refresh of this view, which a viewer sees disabled with the reason', async () => {
    await renderApp(`history/${VIEW}`);

    // A disabled Button with a tooltip stays focusable (aria-disabled) so the tooltip can show.
    expect(screen.getByTestId(testIds.refresh.button)).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId(testIds.refresh.roleHint)).toHaveTextContent('needs the Admin role');
  });
});

describe('View history page: refresh types', () => {
  const INCREMENTAL = ok({ refreshType: 'incremental', keyCount: 3 });
  const NOTHING_CHANGED = ok({ refreshType: 'incremental', keyCount: 0 });
  const FULL = ok({ trigger: 'api', requestedBy: 'alice', refreshType: 'full' });
  const QUEUED = attempt(VIEW, { status: 'queued' });

  beforeEach(() => {
    answerHistory({ first: page([QUEUED, INCREMENTAL, NOTHING_CHANGED, FULL]) });
    mockBackend.current.on('GET', `${BASE}/api/views`, {
      status: 200,
      data: {
        views: [
          view(VIEW, {
            state: 'stale',
            lagSeconds: 5400,
            refreshMode: 'incremental',
            zeroLag: true,
            lastRefreshType: 'incremental',
            lastKeyCount: 3,
          }),
        ],
      },
    });
  });

  it('shows per attempt Full or Incremental with how many keys (business dates) it recomputed', async () => {
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.refreshType(INCREMENTAL.logId))).toHaveTextContent(
      'Incremental · 3 keys'
    );
    expect(screen.getByTestId(testIds.history.refreshType(INCREMENTAL.logId))).toHaveAttribute(
      'title',
      expect.stringMatching(/3 keys \(business dates\)/)
    );
    expect(screen.getByTestId(testIds.history.refreshType(NOTHING_CHANGED.logId))).toHaveTextContent(
      'Incremental · 0 keys'
    );
    expect(screen.getByTestId(testIds.history.refreshType(FULL.logId))).toHaveTextContent('Full');
    // Not started yet: no type to show, and no claim of one.
    expect(screen.getByTestId(testIds.history.refreshType(QUEUED.logId))).toHaveTextContent('—');
    expect(
      within(screen.getByTestId(testIds.history.table)).getByRole('columnheader', { name: 'Refresh' })
    ).toBeVisible();
  });

  it("says above the history how the view is refreshed and that today's figures are live", async () => {
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.refreshMode)).toHaveTextContent('Incremental');
    expect(screen.getByTestId(testIds.history.zeroLag)).toHaveTextContent('Today live');
    expect(screen.getByTestId(testIds.history.freshness)).toHaveTextContent('Stale');
  });

  it('shows no Today live for a view read from its stored rows only', async () => {
    mockBackend.current.on('GET', `${BASE}/api/views`, { status: 200, data: { views: [view(VIEW)] } });
    await renderApp(`history/${VIEW}`);

    expect(screen.getByTestId(testIds.history.refreshMode)).toHaveTextContent('Full');
    expect(screen.queryByTestId(testIds.history.zeroLag)).not.toBeInTheDocument();
  });
});

describe('View history page: paging', () => {
  const P1 = [ok(), ok()];
  const P2 = [ok(), ok()];
  const P3 = [ok()];

  beforeEach(() =>
    answerHistory({
      first: page(P1, P1[1].logId),
      [P1[1].logId]: page(P2, P2[1].logId),
      [P2[1].logId]: page(P3, null),
    })
  );

  const click = async (testId: string) => {
    fireEvent.click(screen.getByTestId(testId));
    await settle();
  };

  it('goes to older pages with the cursor the service gave, and stops at the oldest', async () => {
    await renderApp(`history/${VIEW}`);
    expect(screen.getByTestId(testIds.history.newer)).toBeDisabled();

    await click(testIds.history.older);
    expect(rowIds()).toEqual(P2.map((a) => a.logId));
    await click(testIds.history.older);
    expect(rowIds()).toEqual(P3.map((a) => a.logId));

    expect(historyParams()).toEqual([
      { limit: 50 },
      { limit: 50, before: P1[1].logId },
      { limit: 50, before: P2[1].logId },
    ]);
    expect(screen.getByTestId(testIds.history.pageNumber)).toHaveTextContent('Page 3');
    expect(screen.getByTestId(testIds.history.older)).toBeDisabled();
  });

  it('comes back to newer pages through the cursors it passed', async () => {
    await renderApp(`history/${VIEW}`);
    await click(testIds.history.older);
    await click(testIds.history.older);

    await click(testIds.history.newer);
    expect(rowIds()).toEqual(P2.map((a) => a.logId));
    await click(testIds.history.newer);
    expect(rowIds()).toEqual(P1.map((a) => a.logId));

    expect(historyParams().slice(3)).toEqual([{ limit: 50, before: P1[1].logId }, { limit: 50 }]);
    expect(screen.getByTestId(testIds.history.pageNumber)).toHaveTextContent('Page 1');
    expect(screen.getByTestId(testIds.history.newer)).toBeDisabled();
  });

  it('keeps Newer usable when an older page fails, to go back', async () => {
    answerHistory({ first: page(P1, P1[1].logId), [P1[1].logId]: { status: 502, data: {} } });
    await renderApp(`history/${VIEW}`);

    await click(testIds.history.older);
    expect(screen.getByTestId(testIds.history.error)).toHaveTextContent('could not reach the refresh service');

    await click(testIds.history.newer);
    expect(screen.queryByTestId(testIds.history.error)).not.toBeInTheDocument();
    expect(rowIds()).toEqual(P1.map((a) => a.logId));
  });

  it('goes back to the newest page when a refresh started here finishes', async () => {
    config.bootData.user = { ...config.bootData.user, orgRole: OrgRole.Admin };
    await renderApp(`history/${VIEW}`);
    await click(testIds.history.older);
    mockBackend.current
      .on('POST', `${BASE}/api/refresh`, {
        status: 202,
        data: { runId: 7, outcome: 'started', statusUrl: '', requestedBy: 'a' },
      })
      .on('GET', `${BASE}/api/runs/7`, { status: 200, data: run([attempt(VIEW, { status: 'succeeded' })]) });

    fireEvent.click(screen.getByTestId(testIds.refresh.button));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Refresh now' }));
    await settle();

    expect(mockBackend.current.calls('POST')[0].data).toEqual({ views: [VIEW], cascade: true });
    expect(historyParams().at(-1)).toEqual({ limit: 50 });
    expect(rowIds()).toEqual(P1.map((a) => a.logId));
    expect(screen.getByTestId(testIds.history.pageNumber)).toHaveTextContent('Page 1');
  });
});

describe('View history page: which view', () => {
  it('reads a URL-encoded view name from the path and asks for it encoded', async () => {
    const name = 'pos."my view"';
    mockBackend.current.on('GET', `${BASE}/api/views/${encodeURIComponent(name)}/history`, {
      status: 200,
      data: { view: name, history: [], nextBefore: null },
    });
    await renderApp(`history/${encodeURIComponent(name)}`);

    expect(screen.getByRole('heading', { name })).toBeInTheDocument();
    expect(screen.getByTestId(testIds.history.empty)).toBeInTheDocument();
  });

  it('offers a picker of the managed views without a view in the path, and opens the one chosen', async () => {
    await renderApp('history');

    fireEvent.click(screen.getByTestId(testIds.history.picker));
    await settle();
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual([
      expect.stringContaining(VIEW),
      expect.stringContaining('pos.mv_weekly'),
    ]);
    answerHistory({ first: page([]) });
    fireEvent.click(screen.getByRole('option', { name: /pos\.mv_weekly/ }));
    await settle();

    expect(currentLocation()).toBe('/a/matviewops-app/history/pos.mv_weekly');
  });

  it('says so when the views for the picker cannot be loaded', async () => {
    mockBackend.current.on('GET', `${BASE}/api/views`, { status: 502, data: {} });
    await renderApp('history');

    expect(screen.getByTestId(testIds.history.error)).toHaveTextContent('could not reach the refresh service');
  });
});
