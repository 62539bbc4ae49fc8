import { screen } from '@testing-library/react';
import { fakeBackend } from '../../testing/fakeBackend';
import { testIds } from '../../testIds';
import { currentLocation, renderApp } from '../../testing/renderApp';
import { BASE } from '../../testing/views';

const mockBackend = { current: fakeBackend() };
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => mockBackend.current,
}));

beforeEach(() => {
  jest.useFakeTimers();
  mockBackend.current = fakeBackend()
    .on('GET', `${BASE}/api/views`, { status: 200, data: { views: [] } })
    .on('GET', `${BASE}/api/views/pos.mv_x/history`, {
      status: 200,
      data: { view: 'pos.mv_x', history: [], nextBefore: null },
    });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('App routes', () => {
  it('shows the Views page at views', async () => {
    await renderApp('views');

    expect(screen.getByTestId(testIds.views.page)).toBeInTheDocument();
  });

  it.each(['', 'overview', 'no/such/page'])('sends %p to the Views page, under its own URL', async (path) => {
    await renderApp(path);

    expect(screen.getByTestId(testIds.views.page)).toBeInTheDocument();
    expect(currentLocation()).toBe('/a/matviewops-app/views');
  });

  it("shows a view's history at history/:view", async () => {
    await renderApp('history/pos.mv_x');

    expect(screen.getByTestId(testIds.history.page)).toBeInTheDocument();
    expect(mockBackend.current.calls('GET', `${BASE}/api/views/pos.mv_x/history`)).toHaveLength(1);
  });

  it('shows the view picker at history', async () => {
    await renderApp('history');

    expect(screen.getByTestId(testIds.history.page)).toBeInTheDocument();
    expect(mockBackend.current.calls('GET', `${BASE}/api/views/pos.mv_x/history`)).toHaveLength(0);
  });
});
